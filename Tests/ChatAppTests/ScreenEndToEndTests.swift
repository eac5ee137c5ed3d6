import Foundation
import Testing

/// Two chat screens in tmux, driven by keystrokes and read back from the screen.
@Suite("End to end: the ncurses screen in tmux", .serialized)
struct ScreenEndToEndTests {
  /// alice listens on a free port; returns her terminal and the port from her status bar.
  /// With `bobJobControl`, bob runs under an interactive shell (Ctrl-Z and fg work).
  func startPair(secret: String? = "tmux-secret", bobJobControl: Bool = false) async throws -> (
    TmuxTerminal, TmuxTerminal
  ) {
    let environment = secret.map { ["CHAT_SECRET": $0] } ?? [:]
    let alice = try TmuxTerminal(["--listen", "127.0.0.1:0", "--name", "alice"], environment: environment)
    let screen = try await alice.waitForScreen(containing: "listening on 127.0.0.1:")
    let port = screen.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber }
    let bob = try TmuxTerminal(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob"], environment: environment, jobControl: bobJobControl)
    try await alice.waitForScreen(containing: "bob joined")
    try await bob.waitForScreen(containing: "you are bob; 2 in the room")
    return (alice, bob)
  }

  func statusLine(_ screen: String) -> String {
    let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
    return String(lines.last { $0.contains("│") } ?? "")
  }

  @Test func aMessageTypedOnOneScreenAppearsOnTheOtherWithByteCounts() async throws {
    let (alice, bob) = try await startPair()
    try bob.type("hello alice")
    try bob.press("Enter")
    // As relayed: 8-byte sequence, the sender's name (1 + 3 bytes), 11 bytes of text; 5
    // more for the header.
    let aliceScreen = try await alice.waitForScreen(containing: "bob: hello alice  (11 B, 28 on wire)")
    #expect(statusLine(aliceScreen).contains("listening on 127.0.0.1:"))
    #expect(statusLine(aliceScreen).contains("secret required"), "hosting: no peer of its own to be authenticated")
    #expect(statusLine(aliceScreen).contains("room: 2"))
    // bob sees what he sent, a TEXT frame (8 + 11 bytes, and the header), marked delivered
    // once the relay's receipt came back.
    let bobScreen = try await bob.waitForScreen(containing: "bob: hello alice  (11 B, 24 on wire)  ✓")
    #expect(!bobScreen.contains("(11 B, 28 on wire)"), "the relay's echo is not shown a second time")
    // The bar keeps the key's state and gives up the address when both don't fit.
    #expect(statusLine(bobScreen).contains("connected"))
    #expect(statusLine(bobScreen).contains("alice"))
    #expect(statusLine(bobScreen).contains("authenticated"))
    #expect(statusLine(bobScreen).contains("room: 2"))
    // What bob put on the wire: a TEXT frame of 8 + 11 bytes, plus the header.
    #expect(statusLine(bobScreen).contains("↑1 24 B"))
  }

  @Test func chineseTypedInShowsCorrectlyOnBothScreens() async throws {
    let (alice, bob) = try await startPair()
    try alice.type("你好，鲍勃！今天怎么样？")
    try alice.press("Enter")
    // 12 characters × 3 bytes = 36, + 8 + 1 + 5 for the sequence and name = 50 payload.
    try await bob.waitForScreen(containing: "alice: 你好，鲍勃！今天怎么样？  (36 B, 55 on wire)")
    // The host's mark turns to delivered once bob's receipt is in.
    try await alice.waitForScreen(containing: "alice: 你好，鲍勃！今天怎么样？  (36 B, 55 on wire)  ✓")
  }

  @Test func backspaceRemovesAWholeChineseCharacter() async throws {
    let (alice, bob) = try await startPair()
    try bob.type("中文字")
    try bob.press("BSpace")
    try await bob.waitForScreen("the input line to read '> 中文'") { screen in
      screen.split(separator: "\n").last { $0.hasPrefix(">") }.map { $0.trimmingCharacters(in: .whitespaces) == "> 中文" }
        ?? false
    }
    try bob.press("Enter")
    try await alice.waitForScreen(containing: "bob: 中文  (6 B, 23 on wire)")
  }

  @Test func aResizeKeepsTheConversationVisible() async throws {
    let (alice, bob) = try await startPair()
    try bob.type("a message that must survive resizing 一二三四五六七八九十")
    try bob.press("Enter")
    try await alice.waitForScreen(containing: "一二三")
    try alice.resize(width: 40, height: 12)
    let narrow = try await alice.waitForScreen("the re-wrapped message") { screen in
      let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
      return rows.count <= 12 && rows.allSatisfy { $0.count <= 40 } && screen.contains("resizing")
    }
    #expect(narrow.contains("一二三"))
    #expect(narrow.contains("bob: a message"))
    try alice.resize(width: 20, height: 6)
    try await alice.waitForScreen(containing: "terminal too small")
    try alice.resize(width: 120, height: 40)
    let wide = try await alice.waitForScreen(containing: "must survive resizing 一二三四五六七八九十")
    #expect(statusLine(wide).contains("room: 2"))
  }

  @Test func quitExitsZeroAndThePeerSeesTheGoodbye() async throws {
    let (alice, bob) = try await startPair()
    try bob.type("/quit")
    try bob.press("Enter")
    #expect(try await bob.exitStatus() == 0)
    let screen = try await alice.waitForScreen(containing: "bob left: quit")
    #expect(statusLine(screen).contains("room: 1"))
    try alice.press("C-d")  // Ctrl-D on an empty line leaves too
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func sigtermRestoresTheTerminalAndSaysGoodbye() async throws {
    let (alice, bob) = try await startPair()
    kill(try bob.chatProcessID(), SIGTERM)
    #expect(try await bob.exitStatus() == 143)
    // The screen is back to the shell: the chat screen's status bar is gone.
    let restored = try bob.screen
    #expect(!restored.contains("│ authenticated │"))
    try await alice.waitForScreen(containing: "bob left: quit")
  }

  @Test func unknownCommandsAreHintedAndNotSent() async throws {
    let (alice, bob) = try await startPair()
    try bob.type("/frobnicate now")
    try bob.press("Enter")
    try await bob.waitForScreen(containing: "unknown command /frobnicate")
    try bob.type("after")
    try bob.press("Enter")
    let screen = try await alice.waitForScreen(containing: "bob: after")
    #expect(!screen.contains("frobnicate"))
  }

  /// The listener stops answering (SIGSTOP): bob's status bar says when it was last
  /// heard, then that it reconnects; a line typed meanwhile is marked queued, and once the
  /// listener is back (SIGCONT) the session resumes and the mark turns to delivered.
  @Test func aSilentPeerShowsInTheStatusBarAndQueuedLinesAreDeliveredAfterTheResume() async throws {
    let alice = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"])
    let port = try await alice.listeningPort()
    let bob = try TmuxTerminal([
      "--connect", "127.0.0.1:\(port)", "--name", "bob", "--ping-interval", "0.3", "--dead-after", "3",
      "--handshake-timeout", "2",
    ])
    try await bob.waitForScreen(containing: "you are bob; 2 in the room")
    alice.signal(SIGSTOP)
    let late = try await bob.waitForScreen(containing: "last heard")
    #expect(statusLine(late).contains("s ago"))
    let reconnecting = try await bob.waitForScreen(containing: "reconnecting in")
    #expect(reconnecting.contains("no answer from alice for 3 s: the connection is dead"))
    try bob.type("while away")
    try bob.press("Enter")
    try await bob.waitForScreen(containing: "bob: while away  [queued]")
    alice.signal(SIGCONT)
    try await bob.waitForScreen(containing: "bob: while away  (10 B, 23 on wire)  ✓", seconds: 30)
    try await alice.line("recv") { $0[1] == "bob" && $0.last == "while away" }
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func authFailureShowsOnBothScreens() async throws {
    let alice = try TmuxTerminal(["--listen", "127.0.0.1:0", "--name", "alice"], environment: ["CHAT_SECRET": "one"])
    let screen = try await alice.waitForScreen(containing: "listening on 127.0.0.1:")
    let port = screen.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber }
    let bob = try TmuxTerminal(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob"], environment: ["CHAT_SECRET": "two"])
    let bobScreen = try await bob.waitForScreen(containing: "AUTH FAILED")
    // The listener is the one that finds the mismatch (the connector's last handshake
    // message does not authenticate); the connector hears it from the listener.
    #expect(statusLine(bobScreen).contains("disconnected │ AUTH FAILED: peer says: auth failed: the shared secrets"))
    try await alice.waitForScreen(containing: "auth failed: the peer's handshake does not match")
    try bob.press("C-c")
    #expect(try await bob.exitStatus() == 1)
  }
}
