import ChatTestSupport
import Foundation
import Testing

/// Two real `chat` processes over loopback, in plain mode, as a script would drive them.
@Suite("End to end: two chat processes")
struct EndToEndTests {
  func listener(_ extra: [String] = [], environment: [String: String] = [:]) async throws -> (ChatProcess, Int) {
    let process = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"] + extra, environment: environment)
    return (process, try await process.listeningPort())
  }

  func connector(_ port: Int, _ extra: [String] = [], environment: [String: String] = [:]) throws -> ChatProcess {
    try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"] + extra, environment: environment)
  }

  @Test func conversationBothWaysWithChineseAndByteCounts() async throws {
    let (alice, port) = try await listener(environment: ["CHAT_SECRET": "sesame"])
    let bob = try connector(port, environment: ["CHAT_SECRET": "sesame"])
    let established = try await bob.line("established")
    #expect(Array(established.prefix(4)) == ["established", "alice", "authenticated", "127.0.0.1:\(port)"])
    // The channel: its cipher, and the listener's key, new to this side's pins.
    #expect(established.count == 6)
    #expect(["encrypted ChaChaPoly", "encrypted AESGCM"].contains(established[4]))
    // New, or known when an earlier test's listener (same identity: one per test run) had
    // this port.
    #expect(
      established[5].hasPrefix("key ")
        && (established[5].hasSuffix(" new key, not yet verified")
          || established[5].hasSuffix(" known key, not verified"))
    )
    #expect(try await bob.line("welcome") == ["welcome", "bob", "you are bob; 2 in the room", "2"])
    try await alice.line("joined") { $0[1] == "bob" && $0.last == "2" }

    bob.type("你好，alice！")
    // bob sends a TEXT frame: 8-byte sequence + 17 bytes of UTF-8 (3 per Chinese character
    // and full-width punctuation), 5 more on the wire for the header.
    #expect(try await bob.line("sent") == ["sent", "bob", "1", "17", "30", "你好，alice！"])
    // The room passes it on with the sender's name (1 + 3 bytes more), to everyone: bob
    // too, so every participant has the same order.
    #expect(try await alice.line("recv") == ["recv", "bob", "1", "17", "34", "你好，alice！"])
    #expect(try await bob.line("recv") == ["recv", "bob", "1", "17", "34", "你好，alice！"])
    alice.type("hi bob, 再见")
    #expect(try await bob.line("recv") { $0[1] == "alice" } == ["recv", "alice", "2", "14", "33", "hi bob, 再见"])

    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    #expect(try await alice.line("left") == ["left", "bob", "end of input", "1"])
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func twoHundredLinesWrittenAtOnceArriveAsTwoHundredMessagesInOrder() async throws {
    let (alice, port) = try await listener()
    let bob = try connector(port)
    let texts = (1...200).map { "line \($0) 第\($0)行" }
    bob.write(Data(texts.map { $0 + "\n" }.joined().utf8))
    let lines = try await alice.lines.wait("200 messages") { lines, _ in
      lines.filter { $0.first == "recv" }.count >= 200
    }
    let received = lines.filter { $0.first == "recv" }
    #expect(received.map { $0[5] } == texts)
    #expect(received.map { $0[2] } == (1...200).map(String.init))
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func wrongSecretIsRefusedWhileTheListenerKeepsServing() async throws {
    let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("chat-e2e-\(UUID().uuidString)")
    try Data("right secret\n".utf8).write(to: secretFile)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile.path)
    defer { try? FileManager.default.removeItem(at: secretFile) }

    let (alice, port) = try await listener(["--secret-file", secretFile.path])
    let mallory = try connector(port, environment: ["CHAT_SECRET": "wrong secret"])
    let failed = try await mallory.line("auth-failed")
    #expect(failed.last!.contains("secrets differ"))
    #expect(try await mallory.exitStatus() == 1)
    try await alice.line("refused") { $0.last!.contains("auth failed") && $0.last!.contains("secrets differ") }

    // The same secret from the environment, with the file's newline trimmed, gets in.
    let bob = try connector(port, environment: ["CHAT_SECRET": "right secret"])
    try await bob.line("established") { $0[2] == "authenticated" }
    bob.type("made it")
    try await alice.line("recv") { $0[1] == "bob" && $0.last == "made it" }
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func connectionRefusedIsAClearLineAndExitStatusOne() async throws {
    let closed = try ClosedPort()
    let port = closed.port
    let bob = try connector(port, ["--no-reconnect"])
    let error = try await bob.line("error")
    #expect(error == ["error", "connection refused: nothing is listening on 127.0.0.1:\(port)"])
    #expect(try await bob.exitStatus() == 1)
    withExtendedLifetime(closed) {}
  }

  @Test func aPeerKilledWithSIGKILLIsReportedAndTheListenerCarriesOn() async throws {
    let (alice, port) = try await listener()
    let bob = try connector(port)
    try await bob.line("established")
    try await alice.line("joined")
    bob.signal(SIGKILL)
    // bob could be back in a moment (a lost connection is resumable): alice is told his
    // connection dropped, and the room keeps his place for a while before he leaves.
    let gone = try await alice.line("notice") { $0.last?.contains("bob's connection dropped") == true }
    let reason = gone.last ?? ""
    #expect(reason.contains("connection reset by peer") || reason.contains("without saying goodbye"), "\(gone)")
    #expect(reason.contains("waiting 60 s for it to resume"))
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aKilledListenerEndsTheConnectorWithStatusOneWithoutReconnect() async throws {
    let (alice, port) = try await listener()
    let bob = try connector(port, ["--no-reconnect"])
    try await bob.line("established")
    alice.signal(SIGKILL)
    let gone = try await bob.line("disconnected")
    #expect(gone.last == "connection reset by peer" || gone.last!.contains("without saying goodbye"), "\(gone)")
    #expect(try await bob.exitStatus() == 1)
  }

  @Test func sigtermSaysGoodbyeBeforeExiting() async throws {
    let (alice, port) = try await listener()
    let bob = try connector(port)
    try await bob.line("established")
    try await alice.line("joined")
    bob.signal(SIGTERM)
    try await alice.line("left") { $0[1] == "bob" && $0[2] == "interrupted" }
    #expect(try await bob.exitStatus() == 143)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func usageErrorsExitWithStatus64AndAReason() async throws {
    let both = try ChatProcess(["--listen", "1", "--connect", "a:1"])
    #expect(try await both.exitStatus() == 64)
    let reason = try await both.stderr.first("usage error") { $0.contains("not several") }
    #expect(reason.contains("one of --listen, --connect or --serve"))
    let badName = try ChatProcess(["--connect", "a:1", "--name", ""])
    #expect(try await badName.exitStatus() == 64)
  }
}

@Suite("docs/PROTOCOL.md is enough to write a client")
struct ReferenceClientTests {
  @Test func aPythonClientWrittenFromTheDocumentTalksToChat() async throws {
    let alice = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"], environment: ["CHAT_SECRET": "doc"])
    let port = try await alice.listeningPort()
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    let client = Process()
    client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    client.arguments = [
      "python3", root.appendingPathComponent("scripts/reference-client.py").path,
      "127.0.0.1", String(port), "py", "--secret", "doc", "--send", "来自 Python", "--expect", "2",
    ]
    let output = Pipe()
    client.standardOutput = output
    try client.run()
    try await alice.line("joined") { $0[1] == "py" }
    // 8 + 1 + 2 + 13 bytes: the room's form, with the sender's name.
    try await alice.line("recv") { $0 == ["recv", "py", "1", "13", "29", "来自 Python"] }
    alice.type("hello, python")
    let exited = AwaitableLog<Int32>()
    client.terminationHandler = { process in Task { await exited.append(process.terminationStatus) } }
    if !client.isRunning { await exited.append(client.terminationStatus) }
    #expect(try await exited.first("the python client to exit") { _ in true } == 0)
    let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    // A client without the room capability gets the room as TEXT lines "name: text",
    // its own message first (the room's order), then alice's.
    #expect(printed == "established authenticated\nrecv 1 py: 来自 Python\nrecv 2 alice: hello, python\n")
    try await alice.line("left") { $0[1] == "py" && $0[2] == "reference client done" }
    // py sends no receipts, so alice's line can't be confirmed: she is told, and exits 1.
    let unconfirmed = try await alice.line("not-delivered") { $0.last == "hello, python" }
    #expect(unconfirmed[2] == "no one in the room sends receipts (their programs are older)")
    alice.closeInput()
    #expect(try await alice.exitStatus() == 1)
  }
}

@Suite("End to end: a headless relay")
struct RelayEndToEndTests {
  @Test func serveRelaysBetweenClientsAndStopsCleanlyOnSIGTERM() async throws {
    let relay = try ChatProcess(["--serve", "127.0.0.1:0", "--name", "relay"])
    let listening = try await relay.stderr.first("the relay's listening line") {
      $0.contains("listening on 127.0.0.1:")
    }
    let port = Int(listening.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber })!
    let ann = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "ann", "--no-reconnect"])
    let ben = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "ben", "--no-reconnect"])
    try await ann.line("welcome")
    try await ben.line("welcome")
    ann.type("hello ben")
    try await ben.line("recv") { $0[1] == "ann" && $0.last == "hello ben" }
    try await relay.stderr.first("a join logged") { $0.contains("ben joined from 127.0.0.1:") }

    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
    for client in [ann, ben] {
      try await client.line("disconnected") { $0.last == "peer left: the relay is shutting down" }
      #expect(try await client.exitStatus() == 0)
    }
    try await relay.stderr.first("the stop logged") { $0.contains("stopped") }
  }
}
