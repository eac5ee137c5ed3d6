/// What a line submitted from the input means: nothing, a message, or a command.
/// Commands are case-insensitive (`/QUIT`); `//text` sends `/text`.
public enum TypedLine: Hashable, Sendable {
  /// Empty, or nothing but spaces and line breaks: not sent.
  case nothing
  case message(String)
  case quit
  /// `/quit!`: leave without asking about unconfirmed messages.
  case forceQuit
  case clear
  case help
  case who
  case stats
  case nick
  /// `/verify [NAME]`: show the safety number (with a member, when hosting);
  /// `/verify ok [NAME]`: the numbers matched.
  case verify(confirmed: Bool, name: String?)
  /// `/run COMMAND`: run it locally, show its output and offer to send it; `/run -n
  /// COMMAND` (`sends` false) only shows it. The command is everything after `/run ` or
  /// `-n `, as typed; it may be empty (then the screen says how to use it).
  case run(command: String, sends: Bool)
  /// A `/` on its own.
  case loneSlash
  /// Any other `/word`, as typed.
  case unknown(String)

  public init(_ line: String) {
    guard !line.allSatisfy(\.isWhitespace) else {
      self = .nothing
      return
    }
    guard line.hasPrefix("/") else {
      self = .message(line)
      return
    }
    if line.hasPrefix("//") {
      self = .message(String(line.dropFirst()))
      return
    }
    let word = line.split(separator: " ", maxSplits: 1)[0]
    switch word.lowercased() {
    case "/": self = .loneSlash
    case "/quit", "/exit": self = .quit
    case "/quit!", "/exit!": self = .forceQuit
    case "/clear": self = .clear
    case "/help": self = .help
    case "/who": self = .who
    case "/stats": self = .stats
    case "/nick": self = .nick
    case "/run":
      var rest = line.dropFirst(word.count).drop(while: { $0 == " " })
      var sends = true
      if rest == "-n" || rest.hasPrefix("-n ") {
        sends = false
        rest = rest.dropFirst(2).drop(while: { $0 == " " })
      }
      self = .run(command: String(rest), sends: sends)
    case "/verify":
      var argument = line.split(separator: " ", maxSplits: 1).dropFirst().first.map { $0.trimmingCharacters() } ?? ""
      let confirmed = argument.lowercased() == "ok" || argument.lowercased().hasPrefix("ok ")
      if confirmed { argument = String(argument.dropFirst(2)).trimmingCharacters() }
      self = .verify(confirmed: confirmed, name: argument.isEmpty ? nil : argument)
    default: self = .unknown(String(word))
    }
  }
}

extension StringProtocol {
  fileprivate func trimmingCharacters() -> String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
