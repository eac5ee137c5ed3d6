import ChatTestSupport
import Foundation
import Testing

/// Two real `chat` processes through drops, stops, crashes and restarts: every message
/// typed arrives exactly once, or is reported as not delivered.
@Suite("End to end: receipts, dead peers, reconnect and resume")
struct FaultEndToEndTests {
  /// Heartbeat settings that make a silent peer dead within about a second and a half.
  let quickHeartbeat = ["--ping-interval", "0.2", "--dead-after", "1.5", "--handshake-timeout", "2"]

  func listener(_ extra: [String] = []) async throws -> (ChatProcess, Int) {
    let process = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"] + extra)
    return (process, try await process.listeningPort())
  }

  func connector(_ port: Int, _ extra: [String] = []) throws -> ChatProcess {
    try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"] + extra)
  }

  @Test func eachSideSeesItsMessagesDelivered() async throws {
    let (alice, port) = try await listener()
    let bob = try connector(port)
    try await bob.line("welcome")
    bob.type("one")
    bob.type("two")
    try await bob.line("delivered") { $0 == ["delivered", "2"] }
    #expect(try await bob.line("delivered") == ["delivered", "1"])
    alice.type("three")
    // The host's message is delivered once every member has it: bob's receipt.
    #expect(try await alice.line("delivered") == ["delivered", "3"])
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aStoppedListenerIsDeclaredDeadAndTheSessionResumesAfterSIGCONT() async throws {
    let (alice, port) = try await listener()
    let bob = try connector(port, quickHeartbeat)
    try await bob.line("welcome")
    alice.signal(SIGSTOP)
    try await bob.line("silent")
    let dead = try await bob.line("disconnected")
    #expect(dead.last == "no answer from alice for 1.5 s: the connection is dead", "\(dead)")
    try await bob.line("reconnecting")
    bob.type("typed while alice was stopped")
    // Between connections the line is reported pending; during a reconnection's handshake
    // (the stopped listener's kernel still accepts) it waits in the session without a line.
    // Either way it must arrive exactly once after SIGCONT, which is what counts here.
    alice.signal(SIGCONT)
    try await bob.line("session", seconds: 30) { $0[1] == "resumed" }
    try await alice.line("recv") { $0[1] == "bob" && $0.last == "typed while alice was stopped" }
    try await bob.line("delivered", seconds: 30) { $0 == ["delivered", "1"] }
    let received = await alice.lines.entries.filter { $0.first == "recv" && $0[1] == "bob" }
    #expect(received.count == 1, "exactly once: \(received)")
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aStoppedConnectorIsDroppedAndComesBackAfterSIGCONT() async throws {
    let (alice, port) = try await listener(quickHeartbeat)
    let bob = try connector(port)
    try await alice.line("joined") { $0[1] == "bob" }
    bob.signal(SIGSTOP)
    let dropped = try await alice.line("notice") { $0.last?.contains("bob's connection dropped") == true }
    #expect(dropped.last?.contains("no answer from bob for 1.5 s: the connection is dead") == true, "\(dropped)")
    alice.type("said while bob was stopped")
    bob.signal(SIGCONT)
    try await bob.line("session", seconds: 30) { $0[1] == "resumed" }
    // What the room said meanwhile comes with the resumed session, once.
    try await bob.line("recv") { $0[1] == "alice" && $0.last == "said while bob was stopped" }
    bob.type("back")
    try await alice.line("recv") { $0[1] == "bob" && $0.last == "back" }
    // bob kept his place: the resume is no leave and no second join.
    let aliceLines = await alice.lines.entries
    #expect(aliceLines.filter { $0.first == "joined" && $0[1] == "bob" }.count == 1)
    #expect(!aliceLines.contains { $0.first == "left" && $0[1] == "bob" })
    let heard = await bob.lines.entries.filter { $0.first == "recv" && $0.last == "said while bob was stopped" }
    #expect(heard.count == 1)
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    let status = try await alice.exitStatus()
    // bob kept his place and got the line: alice's line counts as delivered.
    #expect(!aliceLines.contains { $0.first == "not-delivered" })
    #expect(status == 0)
  }

  @Test func aRestartedListenerIsANewSessionAndNothingTypedIsLost() async throws {
    let (alice, port) = try await listener()
    let bob = try connector(port)
    try await bob.line("welcome")
    bob.type("before the crash")
    try await bob.line("delivered") { $0 == ["delivered", "1"] }
    alice.signal(SIGKILL)
    #expect(try await alice.exitStatus() == 128 + SIGKILL)
    try await bob.line("reconnecting")
    bob.type("while it was down")
    try await bob.line("pending") { $0.last == "while it was down" }
    let restarted = try ChatProcess(["--listen", "127.0.0.1:\(port)", "--name", "alice"])
    // Not a silent resume: bob is told this is a new session.
    let session = try await bob.line("session", seconds: 30) { $0[1] != "new" || $0.count > 3 }
    #expect(session[1] == "replaced", "\(session)")
    try await restarted.line("recv") { $0[1] == "bob" && $0.last == "while it was down" }
    try await bob.line("delivered") { $0 == ["delivered", "1"] }
    #expect(!(await bob.lines.entries.contains { $0.first == "not-delivered" }))
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    restarted.closeInput()
    #expect(try await restarted.exitStatus() == 0)
  }

  @Test func quittingWhileDisconnectedNamesWhatWasNotSent() async throws {
    let closed = try ClosedPort()
    // End of input waits for delivery, at most --linger seconds.
    let bob = try connector(closed.port, ["--linger", "1"])
    try await bob.line("reconnecting")
    // Typed between attempts it is `pending`; typed during one, it simply waits for it
    // (no connection was ever made): either way it is named when bob leaves.
    bob.type("nobody there")
    bob.closeInput()
    let notSent = try await bob.line("not-sent")
    #expect(notSent.last == "nobody there")
    #expect(
      notSent[1] == "you left before the connection came back" || notSent[1].hasPrefix("not connected: "), "\(notSent)")
    #expect(try await bob.exitStatus() == 1)
    let errors = try await bob.stderr.wait("the undelivered line") { _, finished in finished }
    #expect(errors.contains { $0.hasPrefix("chat: not delivered: nobody there (") })
    withExtendedLifetime(closed) {}
  }

  /// A proxy between the two processes cuts the connection at random moments, mid-frame
  /// included, while both type 200 lines: each gets the other's lines exactly once, in
  /// order, and bob has a receipt for each of his.
  @Test(arguments: [UInt64(11), 12])
  func randomCutsBetweenTwoProcessesLoseAndDuplicateNothing(seed: UInt64) async throws {
    let (alice, port) = try await listener(["--rate", "10000"])
    let proxy = try await FaultProxy(targetPort: port, cuts: 5, maximumBytesBeforeCut: 2_500, seed: seed)
    let bob = try connector(proxy.port)
    try await bob.line("welcome")
    let count = 200
    for index in 1...count {
      bob.type("b\(index) 你好")
      alice.type("a\(index) 世界")
    }
    let fromBob = try await alice.lines.wait("bob's lines", seconds: 60) { lines, _ in
      lines.filter { $0.first == "recv" && $0[1] == "bob" }.count >= count
    }.filter { $0.first == "recv" && $0[1] == "bob" }.map { $0.last! }
    #expect(fromBob == (1...count).map { "b\($0) 你好" })
    let fromAlice = try await bob.lines.wait("alice's lines", seconds: 60) { lines, _ in
      lines.filter { $0.first == "recv" && $0[1] == "alice" }.count >= count
    }.filter { $0.first == "recv" && $0[1] == "alice" }.map { $0.last! }
    #expect(fromAlice == (1...count).map { "a\($0) 世界" })
    let receipts = try await bob.lines.wait("bob's receipts", seconds: 60) { lines, _ in
      Set(lines.filter { $0.first == "delivered" }.map { $0[1] }).count >= count
    }
    #expect(!receipts.contains { $0.first == "not-delivered" })
    // Each of alice's lines is settled: confirmed, or said not to be.
    let settled = try await alice.lines.wait("alice's lines settled", seconds: 60) { lines, _ in
      Set(lines.filter { $0.first == "delivered" || $0.first == "not-delivered" }.map { $0[1] }).count >= count
    }
    let unconfirmed = settled.filter { $0.first == "not-delivered" }
    #expect(proxy.cutsMade >= 1)
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    let status = try await alice.exitStatus()
    #expect(status == (unconfirmed.isEmpty ? 0 : 1), "the exit status agrees with what alice was told")
    // Lines alice typed while bob's connection was down wait for his receipts too.
    #expect(unconfirmed.isEmpty, "\(unconfirmed.prefix(3))")
    await proxy.close()
  }
}
