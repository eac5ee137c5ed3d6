import Foundation
import Testing

/// File transfer from the screen: typed commands, Tab completion, the offer, progress and
/// the end on both screens, and the file on disk.
@Suite("End to end: files between two screens in tmux", .serialized)
struct ScreenFilesEndToEndTests {
  func temporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("chat-files-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  func inputLine(_ screen: String) -> String {
    String(screen.split(separator: "\n").last { $0.hasPrefix(">") } ?? "")
  }

  @Test func aFileWithAChineseNameSentWithSlashSendIsAcceptedAndArrivesByteIdentical() async throws {
    let outbox = try temporaryDirectory("outbox")
    let inbox = try temporaryDirectory("inbox")
    defer {
      try? FileManager.default.removeItem(at: outbox)
      try? FileManager.default.removeItem(at: inbox)
    }
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<3_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let name = "测试文件 一.bin"
    try Data(bytes).write(to: outbox.appendingPathComponent(name))

    let environment = ["CHAT_SECRET": "files-secret"]
    // alice saves where she runs: /accept without a folder uses the current directory.
    let alice = try TmuxTerminal(
      ["--listen", "127.0.0.1:0", "--name", "alice"], width: 150, environment: environment, directory: inbox.path)
    let screen = try await alice.waitForScreen(containing: "listening on 127.0.0.1:")
    let port = screen.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber }
    let bob = try TmuxTerminal(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob"], width: 150, environment: environment)
    try await alice.waitForScreen(containing: "bob joined")
    try await bob.waitForScreen(containing: "you are bob; 2 in the room")

    // Tab completes the Chinese name, space and all.
    try bob.type("/send \(outbox.path)/测")
    try bob.press("Tab")
    try await bob.waitForScreen("the completed path") { inputLine($0).contains("/测试文件 一.bin") }
    try bob.press("Enter")
    try await bob.waitForScreen(containing: "offering 测试文件 一.bin (2.9 MiB)")

    let offer = try await alice.waitForScreen(containing: "offers 测试文件 一.bin (2.9 MiB) [")
    let id = String(offer.components(separatedBy: "offers 测试文件 一.bin (2.9 MiB) [")[1].prefix(8))
    #expect(offer.contains("type /accept \(id) to save it in the current folder"), "the offer says what to type")
    #expect(offer.contains("/reject \(id)"))
    #expect(offer.contains("⇅ 1 offer: /accept"), "the status bar says an offer waits")

    try alice.type("/accept")
    try alice.press("Enter")
    let received = try await alice.waitForScreen(containing: "测试文件 一.bin [\(id)] received, 2.9 MiB, SHA-256 verified")
    let sent = try await bob.waitForScreen(containing: "测试文件 一.bin [\(id)] sent, 2.9 MiB, SHA-256 verified")
    // Each side's one transfer line ends done, and only one such line was shown.
    #expect(received.components(separatedBy: "↓ 测试文件 一.bin [\(id)] from bob: done, 2.9 MiB").count == 2)
    #expect(sent.components(separatedBy: "↑ 测试文件 一.bin [\(id)]").count == 2)
    #expect(!received.contains("⇅"), "nothing runs any more: the summary is gone")

    let copy = try Data(contentsOf: inbox.appendingPathComponent(name))
    #expect(copy == Data(bytes), "byte-identical")

    // Offered again and declined with a bare /reject: the sender hears it.
    try bob.press("Up")
    try bob.press("Enter")
    try await alice.waitForScreen(containing: "⇅ 1 offer: /accept")
    try alice.type("/reject")
    try alice.press("Enter")
    try await bob.waitForScreen(containing: "测试文件 一.bin [")
    let rejected = try await bob.waitForScreen("the rejection") { $0.contains("] rejected: ") }
    #expect(!rejected.contains("⇅"))

    // Wrong use is explained, and nothing is sent.
    try alice.type("/cancel")
    try alice.press("Enter")
    try await alice.waitForScreen(containing: "usage: /cancel ID")
    try alice.type("/files")
    try alice.press("Enter")
    let files = try await alice.waitForScreen(containing: "file transfers (2):")
    #expect(files.contains("  ↓ 测试文件 一.bin [\(id)] from bob: done, 2.9 MiB"))
    #expect(files.contains("from bob: rejected"))
  }
}
