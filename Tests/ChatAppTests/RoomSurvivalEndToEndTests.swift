import ChatProtocol
import ChatTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The room survives what real people and scripts do to it, with real processes: a member
/// stopped mid-burst, the largest messages, a flood of connections that never authenticate.
@Suite("End to end: the room survives")
struct RoomSurvivalEndToEndTests {
  /// Room options that let a test send fast: rates play no part in these tests.
  static let fast = ["--rate", "1000000", "--byte-rate", "1000000000"]

  func listener(_ extra: [String] = []) async throws -> (ChatProcess, Int) {
    let process = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"] + Self.fast + extra)
    return (process, try await process.listeningPort())
  }

  func member(_ name: String, _ port: Int, _ extra: [String] = []) throws -> ChatProcess {
    try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", name] + extra)
  }

  /// One member is stopped (SIGSTOP: a laptop lid closed, Ctrl-Z) while another pastes 150
  /// lines of 50 KB: the stopped one is dropped as too slow, the listener and everyone
  /// else carry on, and the stopped one comes back after SIGCONT.
  @Test func aMemberStoppedMidBurstCostsOnlyItself() async throws {
    let (alice, port) = try await listener(["--max-queue", "1048576", "--ping-interval", "1", "--dead-after", "5"])
    let carol = try member("carol", port)
    try await carol.line("welcome")
    let bob = try member("bob", port)
    try await bob.line("welcome")
    try await alice.line("joined") { $0[1] == "bob" }
    carol.signal(SIGSTOP)
    let line = String(repeating: "粘", count: 50_000 / 3)
    let count = 150
    bob.write(Data((1...count).map { "\($0) \(line)\n" }.joined().utf8))
    let received = try await bob.lines.wait("bob's 150 lines back", seconds: 60) { lines, _ in
      lines.filter { $0.first == "recv" && $0[1] == "bob" }.count >= count
    }
    #expect(
      received.filter { $0.first == "recv" && $0[1] == "bob" }.map { $0[5] } == (1...count).map { "\($0) \(line)" })
    try await alice.lines.wait("alice has them all", seconds: 30) { lines, _ in
      lines.filter { $0.first == "recv" && $0[1] == "bob" }.count >= count
    }
    // carol was dropped, as too slow or (when the kernel's buffers took it all) as dead;
    // her place is kept for her to resume.
    let dropped = try await alice.line("notice", seconds: 30) { $0.last?.contains("carol") == true }
    let reason = dropped.last ?? ""
    #expect(reason.contains("too slow") || reason.contains("no answer from carol"), "\(dropped)")
    carol.signal(SIGCONT)
    // carol comes back and resumes; the room still works for everyone.
    try await carol.line("session", seconds: 30) { $0[1] == "resumed" }
    alice.type("after the storm")
    try await carol.line("recv", seconds: 30) { $0.last == "after the storm" }
    try await bob.line("recv") { $0.last == "after the storm" }
    #expect(!(await bob.lines.entries).contains { $0.first == "disconnected" })
    for process in [bob, carol, alice] { process.signal(SIGTERM) }
    #expect(try await alice.exitStatus() == 143, "the listener was alive to the end")
  }

  /// The largest line a member may send reaches everyone; a member with a smaller maximum
  /// is skipped for a message it can't take (and its author told), never dropped.
  @Test func theLargestLinesReachEveryoneWhoCanTakeThem() async throws {
    let (alice, port) = try await listener()
    let small = try member("small", port, ["--max-frame", "65536"])
    try await small.line("welcome")
    let bob = try member("bob", port)
    try await bob.line("welcome")
    // The relay takes TEXT payloads of 1 MiB less 65 bytes (8 of them the number).
    let largest = String(repeating: "x", count: (1 << 20) - 65 - 8)
    bob.type(largest)
    try await alice.line("recv", seconds: 30) { $0[1] == "bob" && $0.last == largest }
    try await bob.line("recv", seconds: 30) { $0[1] == "bob" && $0.last == largest }
    let notice = try await bob.line("notice") { $0.last?.contains("not delivered to small") == true }
    #expect(notice.last?.contains("65536") == true)
    bob.type(largest + "y")
    let refused = try await bob.line("not-sent")
    #expect(refused[1].contains("accepts at most"))
    bob.type("short")
    try await small.line("recv") { $0.last == "short" }
    #expect(!(await small.lines.entries).contains { $0.first == "recv" && $0.last == largest })
    for process in [small, bob] {
      #expect(!(await process.lines.entries).contains { $0.first == "disconnected" }, "nobody was dropped")
    }
    for process in [small, bob, alice] { process.signal(SIGTERM) }
    #expect(try await alice.exitStatus() == 143)
  }

  /// Hundreds of connections that announce a 1 MiB frame before any hello, against a relay
  /// with a secret: each is refused at once, and the relay's memory stays small.
  @Test func connectionsThatNeverAuthenticateCannotFillMemory() async throws {
    let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("chat-flood-\(UUID().uuidString)")
    try Data("sesame\n".utf8).write(to: secretFile)
    defer { try? FileManager.default.removeItem(at: secretFile) }
    let relay = try ChatProcess(
      ["--serve", "127.0.0.1:0", "--secret-file", secretFile.path, "--max-per-address", "1000"])
    let listening = try await relay.stderr.first("the relay's listening line") {
      $0.contains("listening on 127.0.0.1:")
    }
    let port = Int(listening.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber })!
    let before = try relay.peakResidentKilobytes()
    let group = MultiThreadedEventLoopGroup.singleton
    // A HELLO header announcing 1,000,000 bytes, then half of them: a relay that waited for the rest
    // would hold 100 MB for these 200 connections.
    let frame = ByteBuffer(bytes: [0x00, 0x0F, 0x42, 0x40, 0x01] + [UInt8](repeating: 0x41, count: 512 << 10))
    var channels: [any Channel] = []
    for _ in 0..<200 {
      let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
      channel.writeAndFlush(frame, promise: nil)  // the relay may well hang up before it has all of it
      channels.append(channel)
    }
    // Each is answered with an error and closed, not held.
    for channel in channels { try await channel.closeFuture.get() }
    let after = try relay.peakResidentKilobytes()
    #expect(after - before < 50_000, "the relay's peak grew from \(before) KB to \(after) KB")
    let ann = try ChatProcess(
      ["--connect", "127.0.0.1:\(port)", "--name", "ann"], environment: ["CHAT_SECRET": "sesame"])
    try await ann.line("welcome")
    ann.signal(SIGTERM)
    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
  }

  /// A member that resumes asking for the whole history and never reads is sent it only
  /// as fast as it takes it: 40 of them don't make the relay hold 40 copies of it.
  @Test func resumingMembersThatNeverReadCannotFillMemory() async throws {
    let relay = try ChatProcess(["--serve", "127.0.0.1:0", "--max-per-address", "1000"] + Self.fast)
    let listening = try await relay.stderr.first("the relay's listening line") {
      $0.contains("listening on 127.0.0.1:")
    }
    let port = Int(listening.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber })!
    let talker = try member("talker", port)
    try await talker.line("welcome")
    let line = String(repeating: "h", count: 60_000)
    talker.write(Data((1...100).map { "\($0) \(line)\n" }.joined().utf8))
    try await talker.lines.wait("6 MB of history", seconds: 30) { lines, _ in
      lines.filter { $0.first == "recv" }.count >= 100
    }
    let before = try relay.peakResidentKilobytes()
    var stalled: [RawClient] = []
    for index in 0..<40 {
      let name = "r\(index)"
      let first = try await RawClient(port: port)
      try await first.sendHello(name: name, capabilities: [Capability.room, Capability.resume])
      try await first.send(.session(SessionRequest(sessionID: .none, lastReceived: 0)))
      let chunks = try await first.received.wait("\(name)'s session", seconds: 10) { chunks, _ in
        RawClient.frames(in: chunks).contains { if case .sessionAccept = $0 { true } else { false } }
      }
      let frames = RawClient.frames(in: chunks)
      let id = try #require(frames.compactMap { if case .sessionAccept(let a) = $0 { a.sessionID } else { nil } }.first)
      try await first.channel.close()
      let again = try await RawClient(port: port, reading: false)
      try await again.sendHello(name: name, capabilities: [Capability.room, Capability.resume])
      try await again.send(.session(SessionRequest(sessionID: id, lastReceived: 0)))
      stalled.append(again)
    }
    // The room does one thing at a time: once this comes back, it has begun every catch-up.
    talker.type("marker")
    try await talker.line("recv") { $0.last == "marker" }
    let after = try relay.peakResidentKilobytes()
    #expect(after - before < 60_000, "the relay's peak grew from \(before) KB to \(after) KB")
    for client in stalled { try? await client.channel.close() }
    talker.signal(SIGTERM)
    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
  }

  /// 300 lines piped at once with the default limits (20 messages a second, bursts of
  /// 200): all are relayed, in order, each confirmed; none refused, nobody dropped.
  @Test func aScriptedSenderIsPacedNotKicked() async throws {
    let alice = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice"])
    let port = try await alice.listeningPort()
    let bob = try member("bob", port)
    try await bob.line("welcome")
    let texts = (1...300).map { "scripted line \($0)" }
    bob.write(Data(texts.map { $0 + "\n" }.joined().utf8))
    let lines = try await alice.lines.wait("300 lines at alice", seconds: 30) { lines, _ in
      lines.filter { $0.first == "recv" && $0[1] == "bob" }.count >= 300
    }
    #expect(lines.filter { $0.first == "recv" && $0[1] == "bob" }.map { $0[5] } == texts)
    let confirmed = try await bob.lines.wait("300 receipts", seconds: 30) { lines, _ in
      lines.filter { $0.first == "delivered" }.count >= 300
    }
    #expect(Set(confirmed.filter { $0.first == "delivered" }.map { $0[1] }) == Set((1...300).map(String.init)))
    let bobLines = await bob.lines.entries
    #expect(!bobLines.contains { $0.first == "not-delivered" || $0.first == "disconnected" })
    for process in [bob, alice] { process.signal(SIGTERM) }
    #expect(try await alice.exitStatus() == 143)
  }

  /// Eighty members in a room of 200 that flood WHO and never read the answers: the relay
  /// neither spends its time on answers nobody reads nor grows by them.
  @Test func aWhoFloodNeitherStallsTheRoomNorFillsMemory() async throws {
    let relay = try ChatProcess(["--serve", "127.0.0.1:0", "--max-per-address", "1000"])
    let listening = try await relay.stderr.first("the relay's listening line") {
      $0.contains("listening on 127.0.0.1:")
    }
    let port = Int(listening.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber })!
    var crowd: [RawClient] = []
    for index in 0..<110 {
      let member = try await RawClient(port: port)
      try await member.sendHello(name: "crowd\(index)", capabilities: [Capability.room])
      crowd.append(member)
    }
    let reader = try member("reader", port)
    try await reader.line("welcome")
    let talker = try member("talker", port)
    try await talker.line("welcome")
    var flooders: [RawClient] = []
    for index in 0..<80 {
      let flooder = try await RawClient(port: port, reading: false)
      try await flooder.sendHello(name: "flood\(index)", capabilities: [Capability.room])
      flooders.append(flooder)
    }
    // The flood itself, counted from here (the handshakes above are not what is measured).
    let before = try relay.peakResidentKilobytes()
    let ticksBefore = try relay.cpuTicks()
    let requests = (0..<1000).flatMap { _ in [0, 0, 0, 0, 0x51] as [UInt8] }
    for flooder in flooders {
      try await flooder.send(requests)  // sealed, as a member's frames are
    }
    // The room carries on; once the reader has a line said after the flood, the relay has
    // read every request (it does one thing at a time).
    talker.type("still talking")
    try await reader.line("recv", seconds: 20) { $0.last == "still talking" }
    let after = try relay.peakResidentKilobytes()
    let ticks = try relay.cpuTicks() - ticksBefore
    #expect(after - before < 60_000, "the relay's peak grew from \(before) KB to \(after) KB")
    #expect(ticks < 150, "the relay spent \(ticks) ticks of CPU on 80,000 WHO requests")
    for client in flooders + crowd { try? await client.channel.close() }
    for process in [reader, talker] { process.signal(SIGTERM) }
    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
  }

  /// Before auth a stranger learns nothing of who runs a relay, and members don't learn
  /// each other's addresses unless the relay is started with --show-addresses.
  @Test func strangersLearnNeitherTheOperatorNorEachOthersAddresses() async throws {
    for showAddresses in [false, true] {
      let relay = try ChatProcess(
        ["--serve", "127.0.0.1:0"] + (showAddresses ? ["--show-addresses"] : []),
        environment: ["USER": "operator-login", "LOGNAME": "operator-login"])
      let listening = try await relay.stderr.first("the relay's listening line") {
        $0.contains("listening on 127.0.0.1:")
      }
      let port = Int(listening.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber })!
      let stranger = try await RawClient(port: port)
      let chunks = try await stranger.received.wait("the relay's hello") { chunks, _ in
        RawClient.frames(in: chunks).contains { if case .hello = $0 { true } else { false } }
      }
      let hello = RawClient.frames(in: chunks).compactMap { if case .hello(let hello) = $0 { hello } else { nil } }
        .first
      #expect(hello?.name == "relay")
      try await stranger.channel.close()
      let ann = try member("ann", port)
      try await ann.line("welcome")
      let ben = try member("ben", port)
      try await ben.line("welcome")
      let joined = try await ann.line("joined") { $0[1] == "ben" }
      #expect(joined[2].contains("127.0.0.1") == showAddresses, "\(joined)")
      for process in [ann, ben] { process.signal(SIGTERM) }
      relay.signal(SIGTERM)
      #expect(try await relay.exitStatus() == 0)
    }
  }
}
