import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Screen or plain lines: the screen when both ends are a terminal that can draw it and
/// `--plain` wasn't given. When a terminal can't draw it (TERM unset or `dumb`), chat says
/// so once, since the user expected a screen.
struct FrontEndChoice {
  let usesScreen: Bool
  /// One line for stderr when chat fell back on plain mode the user didn't ask for.
  let notice: String?

  init(plainRequested: Bool, environment: [String: String], isTerminal: (Int32) -> Bool = { isatty($0) == 1 }) {
    guard !plainRequested, isTerminal(STDIN_FILENO), isTerminal(STDOUT_FILENO) else {
      usesScreen = false
      notice = nil
      return
    }
    let term = environment["TERM"] ?? ""
    if term.isEmpty || term == "dumb" {
      usesScreen = false
      notice = "TERM is \(term.isEmpty ? "not set" : "dumb"), so the screen can't be drawn: using plain line mode"
    } else {
      usesScreen = true
      notice = nil
    }
  }
}
