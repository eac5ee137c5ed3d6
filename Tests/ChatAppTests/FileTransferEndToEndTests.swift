import ChatTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// File transfer with real processes: `chat --send` and `--accept-files` as a script uses
/// them, through a relay, against the reference Python client and a hostile Python sender.
@Suite("End to end: file transfer", .serialized)
struct FileTransferEndToEndTests {
  // MARK: - Helpers

  /// A fresh temporary folder, removed with everything in it when the test is done.
  final class Folder: Sendable {
    let path: String
    init() throws {
      path = FileManager.default.temporaryDirectory.appendingPathComponent("chat-files-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func at(_ name: String) -> String { path + "/" + name }
    /// Writes `data` to a new file `name` in this folder.
    @discardableResult
    func file(_ name: String, _ data: Data) throws -> String {
      try data.write(to: URL(fileURLWithPath: at(name)))
      return at(name)
    }
    /// A sparse file of `size` bytes with a few random blocks in it (so a mix-up shows).
    func sparse(_ name: String, size: Int) throws -> String {
      let descriptor = open(at(name), O_WRONLY | O_CREAT | O_EXCL, 0o644)
      guard descriptor >= 0 else { throw POSIXError(.EIO) }
      defer { close(descriptor) }
      guard ftruncate(descriptor, off_t(size)) == 0 else { throw POSIXError(.EIO) }
      var offset = 0
      while offset < size {
        let block = (0..<4096).map { _ in UInt8.random(in: 0...255) }
        _ = block.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, min(4096, size - offset), off_t(offset)) }
        offset += 7 << 20
      }
      return at(name)
    }
    func contents() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  static let root: URL = {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    return root
  }()

  func random(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255) }) }

  func same(_ a: String, _ b: String) -> Bool { FileManager.default.contentsEqual(atPath: a, andPath: b) }

  func listener(_ extra: [String] = []) async throws -> (ChatProcess, Int) {
    let process = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"] + extra)
    return (process, try await process.listeningPort())
  }

  func connector(_ port: Int, _ name: String = "bob", _ extra: [String]) throws -> ChatProcess {
    try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", name] + extra)
  }

  func relay() async throws -> (ChatProcess, Int) {
    let relay = try ChatProcess(["--serve", "127.0.0.1:0", "--name", "relay"])
    let listening = try await relay.stderr.first("the relay's listening line") {
      $0.contains("listening on 127.0.0.1:")
    }
    let port = Int(listening.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber })!
    return (relay, port)
  }

  /// A Python script of scripts/, with its output lines awaitable and its exit status.
  final class Python: Sendable {
    let process = Process()
    let lines = AwaitableLog<String>()
    let exit = AwaitableLog<Int32>()

    init(_ script: String, _ arguments: [String]) throws {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments =
        ["python3", FileTransferEndToEndTests.root.appendingPathComponent("scripts/" + script).path]
        + arguments
      let output = Pipe()
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      let exit = exit
      process.terminationHandler = { process in Task { await exit.append(process.terminationStatus) } }
      try process.run()
      ChatProcess.readLines(from: output.fileHandleForReading, into: lines) { $0 }
    }

    func exitStatus(seconds: Double = 60) async throws -> Int32 {
      try await exit.first("the python script to exit", seconds: seconds) { _ in true }
    }

    deinit { if process.isRunning { process.terminate() } }
  }

  /// Whether `text` holds a scalar that a terminal would act on: C0 and C1 controls, DEL,
  /// bidi controls and line separators.
  static func hasControl(_ text: String) -> Bool {
    text.unicodeScalars.contains {
      $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
        || (0x2066...0x2069).contains($0.value) || [0x061C, 0x200E, 0x200F, 0x2028, 0x2029].contains($0.value)
    }
  }

  // MARK: - --send exit statuses

  @Test func severalFilesWithChineseNamesArriveInANewFolderAndSendExitsZero() async throws {
    let source = try Folder()
    let target = try Folder()
    let names = ["a.txt", "空.bin", "报告 2026.pdf", "文件\u{301}名.txt"]
    let sizes = [10, 0, 300_000, 131_072]
    let paths = try zip(names, sizes).map { try source.file($0, random($1)) }
    let inbox = target.at("new/deeper")
    let (alice, port) = try await listener(["--accept-files", inbox])
    let bob = try connector(port, "bob", ["--send"] + paths)
    bob.closeInput()
    #expect(try await bob.exitStatus(seconds: 60) == 0)
    // Its output is read on a queue of its own: awaited, not taken as it stands at the exit.
    let sent = try await bob.lines.wait("bob's four file-done lines", seconds: 30) { lines, _ in
      lines.filter { $0.first == "file-done" }.count >= 4
    }.filter { $0.first == "file-done" }
    #expect(Set(sent.map { $0[2] }) == Set(names))
    let received = try await alice.lines.wait("four files saved", seconds: 30) { lines, _ in
      lines.filter { $0.first == "file-done" }.count >= 4
    }.filter { $0.first == "file-done" }
    for (name, path) in zip(names, paths) {
      let line = try #require(received.first { $0[2] == name }, "\(name) arrived")
      #expect(line.last == inbox + "/" + name)
      #expect(same(path, inbox + "/" + name), "\(name) is byte-identical")
    }
    // Only the files: no .part and no resume marker left behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: inbox).sorted() == names.sorted())
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  /// The issue's largest round trip: 1 GiB (sparse, with random blocks through it) from
  /// `--send` to `--accept-files`, byte-identical, and no process holding the file in memory.
  @Test func aSparseGibibyteArrivesByteIdentical() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.sparse("一个 GiB.img", size: 1 << 30)
    let (alice, port) = try await listener(["--accept-files", target.path])
    let bob = try connector(port, "bob", ["--send", path])
    bob.closeInput()
    try await bob.line("file-progress", seconds: 60)
    let senderKB = try bob.residentKilobytes()
    let receiverKB = try alice.residentKilobytes()
    #expect(try await bob.exitStatus(seconds: 300) == 0)
    let done = try await alice.line("file-done", seconds: 60) { $0[2] == "一个 GiB.img" }
    #expect(done[3] == String(1 << 30))
    #expect(same(path, target.at("一个 GiB.img")))
    // A window's worth in flight, not the file: both stay far below a GiB.
    #expect(senderKB < 200 << 10 && receiverKB < 200 << 10, "sender \(senderKB) KB, receiver \(receiverKB) KB")
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  /// `--send` leaves once its files are through, its input still open (a benchmark's or a
  /// script's pipe): it used to wait for the end of input.
  @Test func sendLeavesOnceItsFilesArriveEvenWithInputOpen() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.file("note.txt", random(1000))
    let (alice, port) = try await listener(["--accept-files", target.path])
    let bob = try connector(port, "bob", ["--send", path])
    #expect(try await bob.exitStatus(seconds: 30) == 0)
    #expect(same(path, target.at("note.txt")))
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  /// The same file twice in one --send: the second offer is refused while the first runs
  /// (both would write into one `.part` file); the first arrives whole.
  @Test func theSameFileTwiceAtOnceIsSentOnce() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.file("twice.bin", random(3_000_000))
    let (alice, port) = try await listener(["--accept-files", target.path])
    let bob = try connector(port, "bob", ["--send", path, path])
    bob.closeInput()
    let rejected = try await bob.line("file-rejected") { $0[2] == "twice.bin" }
    #expect(rejected[3].contains("already on its way"), "\(rejected)")
    try await bob.line("file-done") { $0[2] == "twice.bin" }
    #expect(try await bob.exitStatus(seconds: 60) == 1)
    try await alice.line("file-done") { $0[2] == "twice.bin" }
    #expect(same(path, target.at("twice.bin")))
    #expect(target.contents() == ["twice.bin"])
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aMissingFileExitsOneAndSaysWhy() async throws {
    let target = try Folder()
    let (alice, port) = try await listener(["--accept-files", target.path])
    let bob = try connector(port, "bob", ["--send", target.at("no-such-file.txt")])
    bob.closeInput()
    let failed = try await bob.line("file-failed")
    #expect(failed.contains { $0.contains("no-such-file.txt") })
    #expect(try await bob.exitStatus() == 1)
    let reason = try await bob.stderr.first("the reason") { $0.contains("not sent") }
    #expect(reason.contains("no-such-file.txt"), "\(reason)")
    #expect(reason.lowercased().contains("no such file") || reason.contains("doesn't exist"), "\(reason)")
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aFileOverTheReceiversMaximumIsRejectedAndSendExitsOne() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.file("big.bin", random(2048))
    let (alice, port) = try await listener(["--accept-files", target.path, "--max-file-size", "1K"])
    let bob = try connector(port, "bob", ["--send", path])
    bob.closeInput()
    let rejected = try await bob.line("file-rejected")
    #expect(rejected[2] == "big.bin")
    #expect(rejected[3].contains("--max-file-size"), "\(rejected)")
    #expect(try await bob.exitStatus() == 1)
    let reason = try await bob.stderr.first("the reason") { $0.contains("not sent") }
    #expect(reason.contains("big.bin") && reason.contains("--max-file-size"), "\(reason)")
    try await alice.line("file-rejected") { $0[2] == "big.bin" }
    #expect(target.contents().isEmpty)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  /// Plain mode has no /accept: without --accept-files an offer can never be answered, so
  /// it is rejected at once, and the sender is told why instead of waiting for ever.
  @Test func aPlainReceiverWithoutAcceptFilesRejectsAndSendExitsOne() async throws {
    let source = try Folder()
    let path = try source.file("note.txt", Data("hello\n".utf8))
    let (alice, port) = try await listener()
    let bob = try connector(port, "bob", ["--send", path])
    bob.closeInput()
    let rejected = try await bob.line("file-rejected")
    #expect(rejected[3].contains("--accept-files"), "\(rejected)")
    #expect(try await bob.exitStatus() == 1)
    let reason = try await bob.stderr.first("the reason") { $0.contains("not sent") }
    #expect(reason.contains("note.txt") && reason.contains("--accept-files"), "\(reason)")
    try await alice.line("file-rejected") { $0[2] == "note.txt" }
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func theReceiverGoingAwayMidTransferMakesSendExitOne() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.sparse("big.bin", size: 200 << 20)
    let (alice, port) = try await listener(["--accept-files", target.path])
    let bob = try connector(port, "bob", ["--send", path, "--no-reconnect"])
    bob.closeInput()
    try await alice.line("file-progress", seconds: 30)
    alice.signal(SIGKILL)
    #expect(try await bob.exitStatus(seconds: 30) == 1)
    let failed = try await bob.line("file-failed") { $0[2] == "big.bin" }
    #expect(!failed[3].isEmpty)
    let reason = try await bob.stderr.first("the reason") { $0.contains("not sent") }
    #expect(reason.contains("big.bin"), "\(reason)")
  }

  // MARK: - Through a relay

  @Test func sendThroughARelayToANamedMember() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.file("照片.jpg", random(1_000_000))
    let (relay, port) = try await relay()
    let ben = try connector(port, "ben", ["--accept-files", target.path])
    try await ben.line("welcome")
    let ann = try connector(port, "ann", ["--send", path, "--to", "ben"])
    ann.closeInput()
    #expect(try await ann.exitStatus(seconds: 60) == 0)
    let done = try await ben.line("file-done") { $0[2] == "照片.jpg" }
    let sentLine = try await ann.line("file-done")
    #expect(done[4] == sentLine[4], "both sides report the same SHA-256")
    #expect(same(path, target.at("照片.jpg")))
    // ann's side names who it was for, ben's who it came from.
    #expect(try await ann.line("file-offered")[4] == "ben")
    #expect(try await ben.line("file-offer")[4] == "ann")
    ben.closeInput()
    #expect(try await ben.exitStatus() == 0)
    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
  }

  // MARK: - Chat keeps flowing

  @Test func messagesKeepFlowingDuringABigTransfer() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.sparse("big.bin", size: 200 << 20)
    let (alice, port) = try await listener(["--accept-files", target.path])
    let bob = try connector(port, "bob", ["--send", path])
    try await alice.line("file-progress", seconds: 30)
    alice.type("still here?")
    bob.type("yes, while sending")
    try await bob.line("recv") { $0[1] == "alice" && $0.last == "still here?" }
    try await alice.line("recv") { $0[1] == "bob" && $0.last == "yes, while sending" }
    // Both arrived while the file was still on its way.
    #expect(!(await alice.lines.entries).contains { $0.first == "file-done" })
    #expect(!(await bob.lines.entries).contains { $0.first == "file-done" })
    try await alice.line("file-done", seconds: 120)
    #expect(same(path, target.at("big.bin")))
    bob.closeInput()
    #expect(try await bob.exitStatus(seconds: 30) == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  /// A member stopped (SIGSTOP) while it receives a big file through the relay: the others'
  /// messages go on at once, and the relay holds no more than the credit of the file. (1 GiB,
  /// so that it is still on its way when the stop comes, however loaded the machine; the
  /// sender then leaves, which ends the transfer.)
  @Test func aStoppedReceiverInARoomSlowsNoOneAndTheRelayStaysSmall() async throws {
    let source = try Folder()
    let target = try Folder()
    let size = 1 << 30
    let path = try source.sparse("big.bin", size: size)
    let (relay, port) = try await relay()
    let carl = try connector(port, "carl", ["--accept-files", target.path])
    try await carl.line("welcome")
    let ben = try connector(port, "ben", [])
    try await ben.line("welcome")
    let before = try relay.residentKilobytes()
    let ann = try connector(port, "ann", ["--send", path, "--to", "carl"])
    try await carl.line("file-progress", seconds: 30)
    carl.signal(SIGSTOP)
    var peak = 0
    for round in 1...10 {
      let sent = ContinuousClock.now
      ben.type("round \(round)")
      try await ann.line("recv", seconds: 10) { $0[1] == "ben" && $0.last == "round \(round)" }
      ann.type("back \(round)")
      try await ben.line("recv", seconds: 10) { $0[1] == "ann" && $0.last == "back \(round)" }
      #expect(ContinuousClock.now - sent < .seconds(3), "round \(round) took \(ContinuousClock.now - sent)")
      peak = max(peak, try relay.residentKilobytes())
      try await Task.sleep(for: .milliseconds(100))
    }
    // The relay holds the window, not the file.
    #expect(peak - before < 48 << 10, "the relay grew from \(before) KB to \(peak) KB")
    // carl was stopped mid-transfer: his .part file is still short of the file.
    let part = try FileManager.default.attributesOfItem(atPath: target.at("big.bin.part"))[.size] as? Int ?? size
    #expect(part < size, "the transfer was over before carl was stopped")
    carl.signal(SIGCONT)
    try await carl.line("file-progress", seconds: 30) { Int($0[3]) ?? 0 > part }
    // ann leaves (SIGTERM: a goodbye); carl's transfer ends, his .part file kept.
    ann.signal(SIGTERM)
    #expect(try await ann.exitStatus(seconds: 30) == 143)
    let ended = try await carl.line("file-cancelled", seconds: 30) { $0[2] == "big.bin" }
    #expect(ended[3].contains("ann"), "\(ended)")
    #expect(FileManager.default.fileExists(atPath: target.at("big.bin.part")))
    for process in [ben, carl] { process.closeInput() }
    for process in [ben, carl] { #expect(try await process.exitStatus() == 0) }
    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
  }

  // MARK: - The reference client

  @Test func theReferenceClientSendsToChatAndReceivesFromChat() async throws {
    let source = try Folder()
    let target = try Folder()
    let toChat = try source.file("给 chat.bin", random(300_000))
    let toPython = try source.file("for python.bin", random(200_000))

    // Python sends to a listener.
    let (alice, port) = try await listener(["--accept-files", target.at("from-python")])
    let sender = try Python("reference-client.py", ["127.0.0.1", String(port), "py", "--send-file", toChat])
    #expect(try await sender.exitStatus() == 0)
    try await sender.lines.first("the client's sent line") { $0.hasPrefix("file sent 给 chat.bin 300000 sha256 ") }
    try await alice.line("file-done") { $0[2] == "给 chat.bin" }
    #expect(same(toChat, target.at("from-python/给 chat.bin")))
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)

    // chat sends to Python, a member of a relay's room.
    let (relay, relayPort) = try await relay()
    let inbox = target.at("to-python")
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: false)
    let receiver = try Python(
      "reference-client.py", ["127.0.0.1", String(relayPort), "py", "--accept-files", inbox, "--expect-files", "1"])
    try await relay.stderr.first("py joined") { $0.contains("py joined") }
    let ann = try connector(relayPort, "ann", ["--send", toPython, "--to", "py"])
    ann.closeInput()
    #expect(try await ann.exitStatus(seconds: 60) == 0)
    #expect(try await receiver.exitStatus() == 0)
    try await receiver.lines.first("the client's done line") { $0.hasPrefix("file done for python.bin 200000 sha256 ") }
    #expect(same(toPython, inbox + "/for python.bin"))
    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
  }

  // MARK: - Resume

  /// The sender is killed (SIGKILL) half-way and run again with the same file: the receiver
  /// carries on from its `.part` file.
  @Test func aRestartedSenderResumesFromTheReceiversPartFile() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.sparse("big.bin", size: 200 << 20)
    let (alice, port) = try await listener(["--accept-files", target.path])
    let first = try connector(port, "bob", ["--send", path])
    try await alice.line("file-progress", seconds: 30) { Int($0[3]) ?? 0 >= 8 << 20 }
    first.signal(SIGKILL)
    #expect(try await first.exitStatus() == 128 + SIGKILL)
    try await alice.line("file-interrupted") { $0[2] == "big.bin" }

    let second = try connector(port, "bob", ["--send", path])
    second.closeInput()
    let started = try await alice.line("file-started") { $0[2] == "big.bin" && $0[4] != "0" }
    let offset = try #require(Int(started[4]))
    #expect(offset > 0 && offset < 200 << 20)
    // The sender says so too.
    try await second.line("file-started") { $0[4] == started[4] }
    // The transfer that waited for the killed sender ends: the new one took its place.
    try await alice.line("file-cancelled") { $0[2] == "big.bin" && $0[3].hasPrefix("offered again as ") }
    try await alice.line("file-done", seconds: 120) { $0[2] == "big.bin" }
    #expect(try await second.exitStatus(seconds: 60) == 0)
    #expect(same(path, target.at("big.bin")))
    #expect(!target.contents().contains { $0.hasSuffix(".part") || $0.hasSuffix(".resume") })
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  /// A sender that leaves for good mid-transfer (SIGTERM: it says goodbye): the receiver's
  /// transfer ends, keeping its `.part` file, rather than waiting for it for ever, so the
  /// receiver's own end of input is not held up.
  @Test func aSenderLeavingMidTransferEndsTheReceiversTransfer() async throws {
    let source = try Folder()
    let target = try Folder()
    let path = try source.sparse("big.bin", size: 200 << 20)
    let (alice, port) = try await listener(["--accept-files", target.path])
    let bob = try connector(port, "bob", ["--send", path])
    try await alice.line("file-progress", seconds: 30)
    bob.signal(SIGTERM)
    #expect(try await bob.exitStatus() == 143)
    let failed = try await alice.line("file-failed") { $0[2] == "big.bin" }
    #expect(failed[3].contains("bob left"), "\(failed)")
    #expect(failed[4] == target.at("big.bin.part"))
    #expect(target.contents().contains("big.bin.part"))
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  // MARK: - Hostile peers

  @Test func aHostileSenderNeitherEscapesTheFolderNorReachesTheTerminal() async throws {
    let root = try Folder()
    try root.file("sentinel", Data("untouched".utf8))
    let inbox = root.at("in")
    let (alice, port) = try await listener(["--accept-files", inbox, "--max-frame", "8388608"])
    let hostile = try Python("hostile-files.py", ["127.0.0.1", String(port)])
    let status = try await hostile.exitStatus(seconds: 120)
    // Its output is read on a queue of its own: awaited up to its last scenario's line.
    let said = try await hostile.lines.wait("the hostile sender's flood line") { lines, _ in
      lines.contains { $0.hasPrefix("flood ") }
    }
    #expect(status == 0, "\(said.filter { $0.hasPrefix("bad") })")
    #expect(said.contains("flood 8 92") || said.contains { $0.hasPrefix("flood ") })

    // The session survived every transfer error: each scenario's text arrived after it.
    let labels = [
      "traversal", "backslashes", "absolute", "nul", "clear-screen", "osc-title", "osc-hyperlink", "bidi", "c1-csi",
      "long", "longest", "chinese-combining", "only-dots", "dot", "dotdot", "hidden", "slash-combining",
    ]
    let texts =
      labels.map { "after name \($0)" } + [
        "after past-size", "after beyond-credit", "after unknown-id", "after wrong-hash", "after same-key",
        "after peer-escape",
        "after flood", "after flood cancel",
      ]
    let lines = try await alice.lines.wait("every scenario's text", seconds: 30) { lines, _ in
      Set(texts).isSubset(of: Set(lines.filter { $0.first == "recv" }.compactMap(\.last)))
    }
    // The last scenario (a name over 255 bytes) is a malformed frame: that session ends.
    try await alice.line("left") { $0[1] == "mallory" && $0[2].contains("255") }

    // No control character reached the output, whatever the names and reasons held.
    for line in await alice.lines.entries {
      #expect(!line.contains { Self.hasControl($0) }, "\(line)")
    }
    // Nothing outside the folder; inside it only plain files.
    #expect(root.contents() == ["in", "sentinel"])
    let saved = try FileManager.default.contentsOfDirectory(atPath: inbox)
    for name in saved {
      let kind = try FileManager.default.attributesOfItem(atPath: inbox + "/" + name)[.type] as? FileAttributeType
      #expect(kind == .typeRegular, "\(name)")
      #expect(!Self.hasControl(name) && !name.contains("/"), "\(name)")
      #expect(name.utf8.count <= 255)
    }
    for name in ["passwd", "x", "path", "a_b.txt", "_[2Jcleared.txt", "invoice_txt.exe", "_bashrc", "\u{301}etc"] {
      #expect(saved.contains(name), "\(name) saved")
    }
    #expect(saved.contains("a" + String(repeating: "a", count: 245) + ".txt"), "the 255-byte name cut to 250")
    // Refused names: nothing saved for them.
    for label in ["only-dots", "dot", "dotdot"] {
      #expect(lines.contains { $0.first == "file-rejected" && $0.last?.contains("refused file name") == true })
      #expect(said.contains { $0.hasPrefix("name \(label) rejected") })
    }
    // The hash mismatch: reported, and the .part file stays.
    let mismatch = try #require(lines.first { $0.first == "file-failed" && $0[2] == "wrong-hash.txt" })
    #expect(mismatch[3].hasPrefix("hash mismatch: ") && mismatch[3].contains("SHA-256"), "\(mismatch)")
    #expect(saved.contains("wrong-hash.txt.part"))
    #expect(!saved.contains("wrong-hash.txt"))
    // Two offers of one file at once: the second is refused, so the first's .part holds only
    // the first's bytes, and what is verified is what is saved.
    #expect(said.contains { $0.hasPrefix("rejected same-key ") })
    #expect(
      FileManager.default.contents(atPath: inbox + "/same-key.bin")
        == Data(repeating: UInt8(ascii: "X"), count: 200_000))
    for (name, reason) in [("past-size.bin", "more bytes"), ("beyond-credit.bin", "credit")] {
      let failed = try #require(lines.first { $0.first == "file-failed" && $0[2] == name }, "\(name)")
      #expect(failed[3].contains(reason), "\(failed)")
    }
    // 100 offers at once: a few taken, the rest rejected, the session fine (its texts came).
    let floodRejected = lines.filter { $0.first == "file-rejected" && $0[2].hasPrefix("flood-") }
    #expect(floodRejected.count >= 50)

    // chat is alive and well: someone else can talk to it.
    let bob = try connector(port, "bob", [])
    try await bob.line("welcome")
    alice.type("still standing")
    try await bob.line("recv") { $0.last == "still standing" }
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }
}
