import ChatTestSupport
import Foundation
import Testing

/// Real chat processes over UDP (`--udp`), on 127.0.0.1: Chinese text both ways, the size
/// limit, garbage shown escaped and counted, and a proxy that drops, swaps and duplicates
/// datagrams, whose doings the receiver must count exactly.
@Suite("End to end: UDP chat")
struct UDPEndToEndTests {
  /// alice listening on a free UDP port, once she says so, and the port.
  func listener(_ extra: [String] = [], environment: [String: String] = [:]) async throws -> (ChatProcess, Int) {
    let alice = try ChatProcess(
      ["--udp", "--listen", "127.0.0.1:0", "--name", "alice"] + extra, environment: environment)
    return (alice, try await alice.listeningPort())
  }

  @Test func chineseTextBothWaysAndTheSizeLimit() async throws {
    let secret = ["CHAT_SECRET": "a long shared secret for udp"]
    let (alice, port) = try await listener(environment: secret)
    let bob = try ChatProcess(
      ["--udp", "--connect", "127.0.0.1:\(port)", "--name", "bob"], environment: secret)
    try await alice.line("log") { $0[1].hasPrefix("udp: bob 127.0.0.1:") && $0[1].hasSuffix("said hello") }
    try await bob.line("log") { $0[1].hasSuffix("is alice") }
    #expect(try await bob.line("connected") == ["connected", "udp 127.0.0.1:\(port)"])

    alice.type("你好，bob！这是 UDP")
    let received = try await bob.line("recv") { $0[1] == "alice" }
    #expect(received.last == "你好，bob！这是 UDP")
    bob.type("你好，alice！一个数据报")
    let sent = try await bob.line("sent-udp")
    #expect(sent.last == "你好，alice！一个数据报")
    #expect(try await alice.line("recv") { $0[1] == "bob" }.last == "你好，alice！一个数据报")

    bob.type(String(repeating: "长", count: 401))  // 1203 bytes of UTF-8
    let refused = try await bob.line("not-sent")
    #expect(refused[1] == "1203 bytes: larger than one safe datagram (UDP chat sends at most 1200 bytes of text)")

    // A stranger's garbage: shown as a summary in hex, counted, never as text.
    UDPProxy.sendOnce(Array("\u{1B}[2Jhello".utf8), toPort: port)
    let warning = try await alice.line("warning") { $0[1].contains("rejected a datagram") }
    #expect(warning[1].contains("(9 bytes, starting 1b 5b 32 4a 68 65 6c 6c 6f)"))
    #expect(warning[1].hasSuffix("not a chat datagram (first byte 0x1b, expected 0xc1)"))
    try await alice.line("udp-stats") { $0[1] == "strangers" && $0[7] == "rejected 1" }

    bob.closeInput()
    // Exit status 1: one line (the long one) was not sent, as with TCP chat.
    #expect(try await bob.exitStatus() == 1)
    try await alice.line("log") { $0[1].contains("said bye") }
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aWrongSecretIsRejectedNotShown() async throws {
    let (alice, port) = try await listener(environment: ["CHAT_SECRET": "right"])
    let bob = try ChatProcess(
      ["--udp", "--connect", "127.0.0.1:\(port)", "--name", "bob"], environment: ["CHAT_SECRET": "wrong"])
    let warning = try await alice.line("warning") { $0[1].contains("rejected a datagram") }
    #expect(warning[1].hasSuffix("authentication failed (wrong secret, or altered in transit)"))
    bob.type("secret plans")
    try await alice.line("udp-stats") { $0[1] == "strangers" && $0[7] == "rejected 2" }
    bob.closeInput()
    _ = try await bob.exitStatus()
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func theReceiverCountsExactlyWhatTheProxyDid() async throws {
    let (alice, port) = try await listener()
    // bob's hello is 1, his lines m1 to m10 are 2 to 11, his bye 12.
    let proxy = try UDPProxy(serverPort: port, plan: [4: .drop, 8: .drop, 6: .swapWithNext, 10: .duplicate])
    defer { proxy.stop() }
    let bob = try ChatProcess(["--udp", "--connect", "127.0.0.1:\(proxy.port)", "--name", "bob"])
    try await alice.line("log") { $0[1].hasSuffix("said hello") }
    for index in 1...10 { bob.type("m\(index)") }
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    let stats = try await alice.line("udp-stats") { $0[1].hasPrefix("bob ") && $0[2] == "received 10" }
    #expect(
      Array(stats.dropFirst(2)) == [
        "received 10", "lost 2", "duplicated 1", "reordered 1", "stale 0", "rejected 0",
      ])
    // The final counts come after every datagram before the bye was handled.
    let texts = await alice.lines.entries.filter { $0.first == "recv" }.compactMap(\.last)
    #expect(texts == ["m1", "m2", "m4", "m6", "m5", "m8", "m9", "m10"])
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aSecondListenerOnTheSamePortIsAddressInUse() async throws {
    let (alice, port) = try await listener()
    let second = try ChatProcess(["--udp", "--listen", "127.0.0.1:\(port)", "--name", "eve"])
    let error = try await second.line("error")
    #expect(error[1].contains("in use"), "\(error)")
    #expect(try await second.exitStatus() == 1)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func usageErrorsForWhatUDPDoesNotDo() async throws {
    for arguments in [
      ["--udp", "--serve", "9090"], ["--udp", "--listen", "unix:/tmp/x.sock"],
      ["--udp", "--listen", "0", "--rate", "5"], ["--udp", "--connect", "127.0.0.1:9", "--no-reconnect"],
      ["--udp", "--listen", "0", "--framing", "tutorial"],
    ] {
      let process = try ChatProcess(arguments)
      #expect(try await process.exitStatus() == 64, "\(arguments)")
    }
  }
}

/// UDP chat on the ncurses screen: the same events as plain output, drawn.
@Suite("End to end: UDP chat on the screen", .serialized)
struct UDPScreenEndToEndTests {
  @Test func theScreenShowsMessagesCountsAndRefusesALongLine() async throws {
    let alice = try TmuxTerminal(["--udp", "--listen", "127.0.0.1:0", "--name", "alice"])
    let screen = try await alice.waitForScreen(containing: "listening on udp 127.0.0.1:")
    let port = screen.components(separatedBy: "listening on udp 127.0.0.1:")[1].prefix { $0.isNumber }
    let bob = try ChatProcess(["--udp", "--connect", "127.0.0.1:\(port)", "--name", "bob"])
    try await alice.waitForScreen(containing: "udp: bob 127.0.0.1:")
    bob.type("你好，alice")
    // 11 + 3 bytes of header and name, 14 of text.
    try await alice.waitForScreen(containing: "bob: 你好，alice  (14 B, 28 on wire)")
    try await alice.waitForScreen(containing: "UDP from bob 127.0.0.1:")
    try await alice.waitForScreen(containing: "2 received, 0 lost, 0 duplicated, 0 reordered")
    try alice.type("你好，bob")
    try alice.press("Enter")
    #expect(try await bob.line("recv").last == "你好，bob")
    try alice.type(String(repeating: "x", count: 1300))
    try alice.press("Enter")
    try await alice.waitForScreen(containing: "larger than one safe datagram")
    bob.closeInput()
    _ = try await bob.exitStatus()
  }
}
