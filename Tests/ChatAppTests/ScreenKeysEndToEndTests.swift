import ChatTestSupport
import Foundation
import Testing

extension TmuxTerminal {
  /// Pastes text as a terminal does: bracketed, if the program in the pane asked for it.
  func paste(_ text: String) throws {
    try Self.tmux(server, ["set-buffer", "-b", "test", text])
    try Self.tmux(server, ["paste-buffer", "-p", "-d", "-b", "test", "-t", "main"])
  }

  /// The input line (the last row that starts with the prompt), without trailing spaces.
  func inputLine(_ screen: String) -> String {
    let row = screen.split(separator: "\n").last { $0.hasPrefix(">") } ?? ""
    return String(row.reversed().drop { $0 == " " }.reversed())
  }

  /// The state letter of a process in /proc (R, S, T for stopped, …).
  static func processState(_ pid: Int32) -> Character? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    return stat[stat.index(close, offsetBy: 2)]
  }
}

/// Keys, paste, quitting and job control in a real terminal (tmux), as a user meets them.
extension ScreenEndToEndTests {
  /// alice alone, listening: a screen to type into.
  func lone(term: String = "tmux-256color") async throws -> TmuxTerminal {
    let alice = try TmuxTerminal(["--listen", "127.0.0.1:0", "--name", "alice"], environment: ["TERM": term])
    try await alice.waitForScreen(containing: "listening on 127.0.0.1:")
    return alice
  }

  func waitForInput(_ terminal: TmuxTerminal, _ expected: String) async throws {
    try await terminal.waitForScreen("the input line to read '\(expected)'") { terminal.inputLine($0) == expected }
  }

  @Test(arguments: ["xterm-256color", "vt100", "tmux-256color"])
  func editingKeysWorkAndOtherSequencesAreNotTyped(term: String) async throws {
    let alice = try await lone(term: term)
    try alice.type("abc")
    try alice.press("Home")
    try alice.type("X")
    try alice.press("End")
    try alice.type("Y")
    try alice.press("PPage", "NPage", "C-End", "C-Home", "IC", "F5", "F12", "M-Up")
    try await waitForInput(alice, "> XabcY")
    try alice.press("C-Left", "DC")
    try await waitForInput(alice, "> abcY")
    try alice.press("End", "C-u")
    try await waitForInput(alice, ">")
    try alice.type("one two")
    try alice.press("C-Left", "Home", "Right", "BSpace")
    try await waitForInput(alice, "> ne two")
    // Other terminals' forms, written by hand: rxvt's Home and End, vt220's, xterm's
    // application mode, rxvt's Ctrl-Left, and sequences that are no key of ours.
    try alice.press("End", "C-u")
    try alice.type("mid")
    try alice.type("\u{1b}[7~<\u{1b}[8~>\u{1b}OH(\u{1b}OF)\u{1b}Od[\u{1b}[1~{\u{1b}[4~}")
    try alice.type("\u{1b}[15~\u{1b}[1;2P\u{1b}]0;title\u{7}\u{1b}[?1;2c!")
    try await waitForInput(alice, "> {[(<mid>)}!")
  }

  @Test func aPasteOfSeveralLinesIsOneMessageShownBeforeItIsSent() async throws {
    let (alice, bob) = try await startPair()
    try bob.paste("line one\nline two\nline three")
    let shown = try await bob.waitForScreen(containing: "pasted 3 lines")
    #expect(bob.inputLine(shown) == "> line one␊line two␊line three")
    try bob.type(" and more")
    try bob.press("Enter")
    let screen = try await alice.waitForScreen(containing: "line three and more")
    #expect(screen.contains("bob: line one\n"))
    #expect(screen.components(separatedBy: "bob: ").count == 2, "one message:\n\(screen)")
    #expect(statusLine(screen).contains("↓1 "))
  }

  /// bob, connecting to a port where nothing listens: what he types stays queued.
  func unreachableBob() async throws -> (TmuxTerminal, ClosedPort) {
    let closed = try ClosedPort()
    let bob = try TmuxTerminal(["--connect", "127.0.0.1:\(closed.port)", "--name", "bob"])
    try await bob.waitForScreen(containing: "reconnecting")
    return (bob, closed)
  }

  @Test func quittingWithMessagesNotDeliveredAsksThenListsThem() async throws {
    let (bob, closed) = try await unreachableBob()
    defer { withExtendedLifetime(closed) {} }
    try bob.type("first message")
    try bob.press("Enter")
    try bob.type("second \u{202e}one")
    try bob.press("Enter")
    try await bob.waitForScreen("two queued lines") { $0.components(separatedBy: "[queued]").count == 3 }
    try bob.press("C-c")
    try await bob.waitForScreen(containing: "2 messages not yet delivered: quit anyway? y/N")
    try bob.press("n")
    try await bob.waitForScreen(containing: "not quitting")
    try bob.type("/QUIT")
    try bob.press("Enter")
    try await bob.waitForScreen(containing: "quit anyway? y/N")
    try bob.press("y")
    #expect(try await bob.exitStatus() == 1)
    let screen = try bob.screen
    #expect(screen.contains("chat: 2 messages were not confirmed as delivered:"))
    #expect(screen.contains("[queued, not sent] first message"))
    #expect(screen.contains("[queued, not sent] second \\u{202e}one"), "the right-to-left override is shown escaped")
  }

  @Test func slashQuitBangLeavesAtOnce() async throws {
    let (bob, closed) = try await unreachableBob()
    defer { withExtendedLifetime(closed) {} }
    try bob.type("unsent")
    try bob.press("Enter")
    try await bob.waitForScreen(containing: "bob: unsent  [queued]")
    try bob.type("/quit!")
    try bob.press("Enter")
    #expect(try await bob.exitStatus() == 1)
    #expect(try bob.screen.contains("[queued, not sent] unsent"))
  }

  @Test func ctrlZStopsWithTheTerminalRestoredAndFgRedraws() async throws {
    let (alice, bob) = try await startPair(bobJobControl: true)
    try bob.type("draft")
    try await waitForInput(bob, "> draft")
    let pid = try bob.chatProcessID()
    try bob.press("C-z")
    let deadline = Date().addingTimeInterval(15)
    while TmuxTerminal.processState(pid) != "T" {
      #expect(Date() < deadline, "chat did not stop")
      if Date() >= deadline { return }
      try await Task.sleep(for: .milliseconds(20))
    }
    // Stopped: the shell's screen is back.
    try await bob.waitForScreen("the chat screen to be gone") { !$0.contains("│ authenticated") }
    try await bob.waitForScreen(containing: "Stopped")
    // The shell works as before: the prompt echoes what is typed and runs it.
    try bob.type("echo ok-$((6*7))")
    try bob.press("Enter")
    try await bob.waitForScreen(containing: "ok-42")
    try bob.type("fg")
    try bob.press("Enter")
    let back = try await bob.waitForScreen(containing: "│ authenticated")
    #expect(bob.inputLine(back) == "> draft")
    // Keys and bracketed paste work again.
    try bob.paste("after\nfg")
    try await waitForInput(bob, "> draftafter␊fg")
    try bob.press("Enter")
    try await alice.waitForScreen(containing: "bob: draftafter\n")
  }

  @Test func aStopSignalFromOutsideIsHandledLikeCtrlZ() async throws {
    let alice = try TmuxTerminal(["--listen", "127.0.0.1:0", "--name", "alice"], jobControl: true)
    try await alice.waitForScreen(containing: "listening on 127.0.0.1:")
    let pid = try alice.chatProcessID()
    kill(pid, SIGTSTP)
    try await alice.waitForScreen(containing: "Stopped")
    try alice.type("fg")
    try alice.press("Enter")
    try await alice.waitForScreen(containing: "listening on 127.0.0.1:")
    try alice.type("still here")
    try await waitForInput(alice, "> still here")
  }

  @Test func emojiSequencesShowWholeAndEditAsUnits() async throws {
    let (alice, bob) = try await startPair()
    try bob.type("x👨‍👩‍👧y👍🏽z🇫🇷!")
    try await waitForInput(bob, "> x👨‍👩‍👧y👍🏽z🇫🇷!")
    try bob.press("Left", "Left", "BSpace", "Home", "Right", "Right", "BSpace")
    try await waitForInput(bob, "> xy👍🏽🇫🇷!")
    try bob.press("Enter")
    try await alice.waitForScreen(containing: "bob: xy👍🏽🇫🇷!  (")
  }

  @Test func whatIsTypedWhileTheScreenIsTooSmallIsNotSent() async throws {
    let (alice, bob) = try await startPair()
    try alice.resize(width: 20, height: 6)
    let small = try await alice.waitForScreen(containing: "terminal too small")
    #expect(small.contains("need 30×8"), "the notice fits at 20×6")
    try alice.type("sent blind")
    try alice.press("Enter")
    try alice.resize(width: 100, height: 30)
    try await waitForInput(alice, ">")
    try alice.type("seen")
    try alice.press("Enter")
    let screen = try await bob.waitForScreen(containing: "alice: seen")
    #expect(!screen.contains("sent blind"))
  }
}
