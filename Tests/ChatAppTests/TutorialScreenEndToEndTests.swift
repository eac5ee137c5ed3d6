import Foundation
import Testing

/// The ncurses screen in the tutorials' framing: the status bar says loudly that nothing is
/// encrypted and that the auth is the tutorials' weak one, and messages flow both ways.
@Suite("End to end: the screen with --framing tutorial", .serialized)
struct TutorialScreenEndToEndTests {
  func statusLine(_ screen: String) -> String {
    let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
    return String(lines.last { $0.contains("│") } ?? "")
  }

  @Test func aScreenListenerTalksWithTheHmacClient() async throws {
    let chat = try TmuxTerminal(
      ["--listen", "127.0.0.1:0", "--framing", "tutorial", "--name", "alice"],
      environment: ["CHAT_SECRET": "wan yifei"])
    let waiting = try await chat.waitForScreen(containing: "listening on 127.0.0.1:")
    #expect(statusLine(waiting).contains("tutorial framing: NOT encrypted"))
    #expect(statusLine(waiting).contains("weak, tutorial-compatible auth"))
    let port = waiting.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber }
    let client = try TutorialProgram(script: "hmac_client.py", arguments: [String(port)])
    try await chat.waitForScreen(containing: "in the tutorials' framing: NOT encrypted")
    client.type("你好，屏幕")
    // 15 bytes of UTF-8 and the 4-byte header.
    let screen = try await chat.waitForScreen(containing: "你好，屏幕  (15 B, 19 on wire)")
    // At 100 columns the bar gives up the address before the security state.
    #expect(statusLine(screen).contains(" connected"))
    #expect(statusLine(screen).contains("tutorial framing: NOT encrypted"))
    #expect(statusLine(screen).contains("weak, tutorial-compatible auth"))
    try chat.type("收到")
    try chat.press("Enter")
    // No receipts in this format: the mark says how far chat can know.
    try await chat.waitForScreen(containing: "alice: 收到  (6 B, 10 on wire)  [written, no receipts]")
    try await client.waitForOutput(containing: "收到的数据是:  收到")
    try chat.type("/quit")
    try chat.press("Enter")
    #expect(try await chat.exitStatus() == 0)
    client.stop()
  }

  @Test func aScreenConnectorTalksWithTheStructServerWithoutAuth() async throws {
    let (server, port) = try await TutorialProgram.server("struct_server.py")
    let chat = try TmuxTerminal(["--connect", "127.0.0.1:\(port)", "--framing", "tutorial", "--name", "bob"])
    let screen = try await chat.waitForScreen(containing: "NOT AUTHENTICATED")
    #expect(statusLine(screen).contains("tutorial framing: NOT encrypted"))
    try await server.waitForOutput(containing: ">>>")
    server.type("来自教程的问候")
    try await chat.waitForScreen(containing: "来自教程的问候  (21 B, 25 on wire)")
    try chat.type("/quit")
    try chat.press("Enter")
    let status = try await chat.exitStatus()
    let after = try await chat.waitForScreen(containing: "EXIT=")
    #expect(status == 0, "\(after)")
    server.stop()
  }
}
