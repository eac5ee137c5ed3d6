import ChatTestSupport
import Foundation
import Testing

/// `printf … | chat --connect …`: end of input means "deliver what I gave you, then say
/// goodbye", and the exit status says whether every line got there.
@Suite("End to end: piped input is delivered before the goodbye")
struct PipedInputEndToEndTests {
  func listener(_ extra: [String] = [], environment: [String: String] = [:]) async throws -> (ChatProcess, Int) {
    let process = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"] + extra, environment: environment)
    return (process, try await process.listeningPort())
  }

  /// A client whose whole input is `texts`, ended at once (as `echo … |` does, before the
  /// connection is even up).
  func pipedClient(
    _ port: Int, _ texts: [String], _ extra: [String] = [], environment: [String: String] = [:]
  ) throws -> ChatProcess {
    let bob = try ChatProcess(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob"] + extra, environment: environment)
    bob.write(Data(texts.map { $0 + "\n" }.joined().utf8))
    bob.closeInput()
    return bob
  }

  func received(by process: ChatProcess, count: Int) async throws -> [String] {
    let lines = try await process.lines.wait("\(count) messages") { lines, _ in
      lines.filter { $0.first == "recv" && $0[1] == "bob" }.count >= count
    }
    return lines.filter { $0.first == "recv" && $0[1] == "bob" }.map { $0.last! }
  }

  @Test func oneLineEndedBeforeTheConnectionIsDeliveredAndExitsZero() async throws {
    let (alice, port) = try await listener()
    let bob = try pipedClient(port, ["hello there"])
    #expect(try await bob.exitStatus() == 0)
    try await bob.lines.waitForFinish()
    #expect(try await received(by: alice, count: 1) == ["hello there"])
    #expect(try await bob.line("delivered") == ["delivered", "1"])
    // It never claimed the line was waiting for a connection to come *back*.
    #expect(await bob.lines.entries.allSatisfy { $0.first != "pending" })
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  /// A script that pipes more than the room's burst is paced (20 a second past 200 here):
  /// delivering them takes longer than --linger, but they keep moving, so nothing is
  /// given up on. --linger counts from the last line confirmed, not from the end of input.
  @Test func aPacedScriptOutlastsItsLingerWhileItsLinesKeepMoving() async throws {
    let (alice, port) = try await listener(["--rate", "20"])
    let texts = (1...260).map { "paced \($0)" }
    let bob = try pipedClient(port, texts, ["--linger", "2"])
    let status = try await bob.exitStatus(seconds: 60)
    let complaints = await bob.stderr.entries.prefix(3)
    #expect(status == 0, "\(complaints)")
    #expect(try await received(by: alice, count: 260) == texts)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test(arguments: [false, true])
  func fortyLinesAreAllDelivered(withSecret: Bool) async throws {
    let environment = withSecret ? ["CHAT_SECRET": "sesame"] : [:]
    let (alice, port) = try await listener(environment: environment)
    let texts = (1...40).map { "line \($0) 第\($0)行" }
    let bob = try pipedClient(port, texts, environment: environment)
    #expect(try await bob.exitStatus() == 0)
    try await bob.lines.waitForFinish()
    #expect(try await received(by: alice, count: 40) == texts)
    let delivered = await bob.lines.entries.filter { $0.first == "delivered" }.count
    #expect(delivered == 40)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aRelayThatAppearsLateStillGetsEveryLine() async throws {
    let closed = try ClosedPort()
    let texts = ["early 1", "early 2", "early 3"]
    let bob = try pipedClient(closed.port, texts)
    try await bob.line("reconnecting")
    closed.release()
    let alice = try ChatProcess(["--listen", "127.0.0.1:\(closed.port)", "--name", "alice"])
    #expect(try await bob.exitStatus(seconds: 30) == 0)
    #expect(try await received(by: alice, count: 3) == texts)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func linesNeverDeliveredAreNamedOnStderrAndTheStatusIsOne() async throws {
    let closed = try ClosedPort()
    let bob = try pipedClient(closed.port, ["lost\tline", "second"], ["--linger", "1"])
    #expect(try await bob.exitStatus() == 1)
    let errors = try await bob.stderr.wait("the undelivered lines") { lines, finished in finished }
    #expect(errors.contains { $0.hasPrefix("chat: not delivered: lost\\tline (") })
    #expect(errors.contains { $0.hasPrefix("chat: not delivered: second (") })
    #expect(errors.contains("chat: 2 lines were not delivered"))
  }

  @Test func aHostAloneSaysItsLinesReachedNoOne() async throws {
    let alice = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"])
    try await alice.line("listening")
    alice.type("anyone?")
    alice.closeInput()
    #expect(try await alice.exitStatus() == 1)
    let errors = try await alice.stderr.wait("the undelivered line") { _, finished in finished }
    #expect(errors.contains("chat: not delivered: anyone? (no one else is in the room)"))
  }

  @Test func aHostWithAMemberWaitsForItsReceipts() async throws {
    let (alice, port) = try await listener()
    let bob = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"])
    try await alice.line("joined")
    alice.write(Data((1...20).map { "from alice \($0)\n" }.joined().utf8))
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
    let got = try await bob.lines.wait("20 messages") { lines, _ in
      lines.filter { $0.first == "recv" && $0[1] == "alice" }.count >= 20
    }
    #expect(got.filter { $0.first == "recv" && $0[1] == "alice" }.count == 20)
  }
}
