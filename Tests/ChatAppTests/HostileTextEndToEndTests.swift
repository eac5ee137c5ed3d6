import ChatProtocol
import ChatTestSupport
import Foundation
import Testing

/// Text a peer controls, sent by a raw socket to real chat processes: nothing of it may act
/// on the terminal chat writes to, and the relay's log stays escaped, short and bounded.
@Suite("End to end: hostile text leaving the program", .serialized)
struct HostileTextEndToEndTests {
  /// Sets the terminal's title, puts "echo hi" on the clipboard, clears the screen; then C1
  /// CSI, a line separator and a right-to-left override.
  static let attack = "\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZWNobyBoaQ==\u{7}\u{1b}[2J\u{9b}31m\u{2028}\u{202e}gpj.exe"

  static func error(_ code: ErrorCode, _ text: String) -> [UInt8] {
    Array(Frame.error(ErrorReport(code: code, message: text)).encoded().readableBytesView)
  }

  /// What no escaped output may hold: ESC, BEL, C1 controls, separators, bidi controls.
  /// (Its own list, not SafeText's, so that a weakened SafeText fails these tests.)
  static func raw(_ text: String) -> Bool {
    text.unicodeScalars.contains { scalar in
      switch scalar.value {
      case 0x09: false
      case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
      default: false
      }
    }
  }

  /// A hostile relay answers the connection with an ERROR before any hello.
  func hostileRelay() throws -> (RawListener, Task<Void, any Error>) {
    let listener = try RawListener()
    let serving = Task {
      try await onOwnThread {
        let connection = try listener.accept()
        connection.send(Self.error(.busy, Self.attack))
        connection.readUntilClosed()
      }
    }
    return (listener, serving)
  }

  @Test func anErrorTextBeforeHelloReachesPlainOutputEscaped() async throws {
    let (listener, serving) = try hostileRelay()
    // A generous handshake limit: on a loaded machine the relay's answer may take a while to be sent.
    let chat = try ChatProcess([
      "--connect", "127.0.0.1:\(listener.port)", "--name", "bob", "--no-reconnect", "--handshake-timeout", "60",
    ])
    let disconnected = try await chat.line("disconnected")
    #expect(disconnected.last?.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}]52;c;") == true, "\(disconnected)")
    #expect(try await chat.exitStatus() == 1)
    try await serving.value
    try await chat.stderr.waitForFinish()
    try await chat.lines.waitForFinish()
    let errors = await chat.stderr.entries
    let output = await chat.lines.entries.map { $0.joined(separator: "\t") }
    for line in errors + output {
      #expect(!Self.raw(line), "raw control characters reached the terminal: \(line.debugDescription)")
    }
  }

  @Test func anErrorTextBeforeHelloReachesTheTerminalEscapedAfterTheScreenCloses() async throws {
    let (listener, serving) = try hostileRelay()
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID()).err").path
    defer { try? FileManager.default.removeItem(atPath: errorFile) }
    let screen = try TmuxTerminal(
      ["--connect", "127.0.0.1:\(listener.port)", "--name", "bob", "--no-reconnect"], stderrPath: errorFile)
    // The status bar shows the reason made safe; then the user leaves.
    let shown = try await screen.waitForScreen(containing: "the session is over")
    #expect(shown.contains("␛]0;pwned␇"), "\(shown)")
    try screen.press("C-d")
    #expect(try await screen.exitStatus() == 1)
    try await serving.value
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: errorFile)))
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("\\u{1b}]52;c;ZWNobyBoaQ==\\u{7}"), "\(text.debugDescription)")
    #expect(!bytes.contains(0x1b) && !bytes.contains(0x07), "ESC or BEL on the real terminal: \(text.debugDescription)")
    for line in text.split(separator: "\n") {
      #expect(!Self.raw(String(line)), "\(line.debugDescription)")
    }
  }

  /// The relay with a raw client: its port, read from its log.
  func relay() async throws -> (ChatProcess, Int) {
    let relay = try ChatProcess(["--serve", "127.0.0.1:0", "--name", "relay"])
    let listening = try await relay.stderr.first("the relay's listening line") {
      $0.contains("listening on 127.0.0.1:")
    }
    return (relay, Int(listening.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber })!)
  }

  @Test func aHostileNameAndReasonReachTheRelaysLogEscapedAndCapped() async throws {
    let (relay, port) = try await relay()
    defer { relay.signal(SIGTERM) }
    // Before hello: an ERROR with escapes and a forged log line, as long as a frame before
    // the handshake may be.
    let first = try await RawClient(port: port)
    let forged = Self.attack + "\n2026-01-01T00:00:00Z info chat.relay: forged"
    try await first.send(
      Self.error(
        .unexpectedFrame,
        forged + String(repeating: "A", count: SessionMachine.handshakeFrameLimit - 2 - forged.utf8.count)))
    _ = try await first.framesUntilClosed()
    // A member with a name the hello allows but that mixes scripts, leaving with a hostile
    // reason of half a megabyte.
    let second = try await RawClient(port: port)
    try await second.sendHello(name: "m\u{430}llory")
    try await second.send(.bye(Goodbye(code: .userQuit, reason: Self.attack + String(repeating: "B", count: 1 << 19))))
    _ = try await second.framesUntilClosed()
    try await relay.stderr.first("the leave logged") { $0.contains("m\u{430}llory left:") }
    let log = await relay.stderr.entries
    let attackLines = log.filter { $0.contains("pwned") }
    #expect(attackLines.count == 2, "\(attackLines)")
    for line in log {
      #expect(!Self.raw(line), "raw control characters in the log: \(line.debugDescription)")
      #expect(line.count < 1_000, "a log line of \(line.count) characters")
      #expect(!line.hasPrefix("2026-01-01T00:00:00Z"), "a forged line")
    }
    #expect(attackLines.allSatisfy { $0.contains("\\u{1b}]0;pwned\\u{7}") && $0.contains("…") })
  }

  @Test func aLogFloodFromOneAddressIsBounded() async throws {
    let (relay, port) = try await relay()
    defer { relay.signal(SIGTERM) }
    // 300 connections from one address, each a logged failure with 1 KB of text, as fast as
    // they go (bounded in count and by each one's time limit).
    let started = Date()
    for index in 0..<300 {
      let client = try await RawClient(port: port)
      try await client.send(Self.error(.unexpectedFrame, "flood \(index) " + String(repeating: "x", count: 1_000)))
      _ = try await client.framesUntilClosed(seconds: 5)
      if Date().timeIntervalSince(started) > 20 { break }
    }
    let seconds = Date().timeIntervalSince(started)
    // A line about another address, logged after every line of the flood.
    let marker = try await RawClient(port: port, from: "127.0.0.2")
    try await marker.send(Self.error(.unexpectedFrame, "marker"))
    _ = try await marker.framesUntilClosed()
    try await relay.stderr.first("the marker logged") { $0.contains("marker") }
    let log = await relay.stderr.entries
    let flood = log.filter { $0.contains("flood ") }
    // The default limit: a burst of 20, then one a second per address.
    #expect(flood.count <= 20 + Int(seconds.rounded(.up)) + 1, "\(flood.count) flood lines in \(seconds) s")
    #expect(log.reduce(0) { $0 + $1.utf8.count } < 64 * 1024, "the log grew past 64 KB")
  }
}
