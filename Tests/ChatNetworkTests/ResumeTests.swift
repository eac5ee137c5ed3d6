import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("Receipts, dead peers, reconnect and resume over loopback")
struct ResumeTests {
  private let quickRetry = ReconnectPolicy(initialDelay: 20_000_000, maximumDelay: 200_000_000)

  @Test func messagesAreMarkedDeliveredOnBothSides() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice"))
    let (connector, log) = connect(to: listener, SessionOptions(name: "bob"))
    try await log.first("welcome") { $0.roomEvent?.kind == .welcome }
    connector.send("one")
    connector.send("two")
    try await log.wait("both confirmed") { events, _ in events.deliveredSequences == [1, 2] }
    listener.send("three")
    try await hostLog.wait("bob confirmed the host's message") { events, _ in !events.deliveredSequences.isEmpty }
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func theHostAloneIsToldItsMessageReachedNobody() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice"))
    listener.send("anyone?")
    let event = try await hostLog.first("not delivered") { if case .notDelivered = $0 { true } else { false } }
    #expect(
      event == .notDelivered(message: TextMessage(sequence: 1, text: "anyone?"), reason: "no one else is in the room"))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A peer that finishes the handshake and then never answers again (like a process
  /// stopped with SIGSTOP, or a machine gone from the network) is declared dead.
  @Test func aPeerThatStopsAnsweringIsDeclaredDead() async throws {
    let silent = try await SilentListener()
    let connector = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: silent.port),
      options: SessionOptions(name: "bob", pingInterval: .milliseconds(100), deadAfter: .milliseconds(800)),
      reconnect: .never,
      group: MultiThreadedEventLoopGroup.singleton)
    let log = collect(connector)
    try await log.first("established") { $0.isEstablished }
    try await log.first("late") { if case .peerSilent = $0 { true } else { false } }
    let end = try await log.first("declared dead") { $0.end != nil }.end
    #expect(end == .peerSilent("no answer from mute for 800 ms: the connection is dead"))
    try await log.waitForFinish()
    await silent.close()
  }

  @Test func aConnectorRetriesUntilTheListenerIsUp() async throws {
    let closed = try ClosedPort()
    let port = closed.port
    let connector = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: port), options: SessionOptions(name: "bob"), reconnect: quickRetry,
      group: MultiThreadedEventLoopGroup.singleton)
    let log = collect(connector)
    try await log.first("a retry") { if case .reconnecting = $0 { true } else { false } }
    connector.send("typed while down")
    try await log.first("kept as pending") { if case .messagePending = $0 { true } else { false } }
    withExtendedLifetime(closed) {}
    closed.release()
    let listener = try await ChatListener.start(
      on: HostAndPort(host: "127.0.0.1", port: port), options: SessionOptions(name: "alice"), hostName: "alice",
      group: MultiThreadedEventLoopGroup.singleton)
    let hostLog = collect(listener)
    try await hostLog.first("the pending message") { $0.receivedText == "typed while down" }
    try await log.wait("confirmed") { events, _ in events.deliveredSequences == [1] }
    let attempts = await log.entries.compactMap { event -> Int? in
      if case .reconnecting(let attempt, _, _) = event { attempt } else { nil }
    }
    #expect(attempts == Array(1...attempts.count), "attempts are counted: \(attempts)")
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// Both sides send hundreds of messages through a proxy that cuts the connection at
  /// random moments, mid-frame included; each side must get every message of the other
  /// exactly once and in order, and every message ends up confirmed.
  @Test(arguments: [UInt64](1...8))
  func randomCutsLoseNothingAndDuplicateNothing(seed: UInt64) async throws {
    // The test sends faster than people type: lift the room's rate limit.
    var limits = RoomLimits()
    limits.messagesPerSecond = 100_000
    limits.messageBurst = 100_000
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice"), limits: limits)
    let proxy = try await FaultProxy(targetPort: listener.port, cuts: 6, maximumBytesBeforeCut: 3_000, seed: seed)
    let connector = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: proxy.port), options: SessionOptions(name: "bob"),
      reconnect: quickRetry, group: MultiThreadedEventLoopGroup.singleton)
    let log = collect(connector)
    // Messages count from bob's arrival: the room's earlier messages were never his.
    try await log.first("welcome") { $0.roomEvent?.kind == .welcome }
    let count = 300
    for index in 1...count {
      connector.send("b\(index) 你好")
      listener.send("a\(index) 世界")
    }
    let fromBob: [String]
    do {
      fromBob = try await hostLog.wait("all of bob's messages", seconds: 30) { events, _ in
        events.filter { $0.receivedFrom == "bob" }.count >= count
      }.filter { $0.receivedFrom == "bob" }.compactMap(\.receivedText)
    } catch {
      let story = await log.entries.filter { event in
        switch event {
        case .messageReceived, .messageSent, .delivered, .messagePending, .messageResent: false
        default: true
        }
      }
      let host = await hostLog.entries.compactMap { $0.receivedFrom == "bob" ? $0.receivedText : nil }
      Issue.record("host got \(host.count) from bob, last \(host.suffix(3)); bob's side: \(story.suffix(12))")
      throw error
    }
    #expect(fromBob == (1...count).map { "b\($0) 你好" })
    let fromAlice = try await log.wait("all of alice's messages", seconds: 30) { events, _ in
      events.filter { $0.receivedFrom == "alice" }.count >= count
    }.filter { $0.receivedFrom == "alice" }.compactMap(\.receivedText)
    #expect(fromAlice == (1...count).map { "a\($0) 世界" })
    let events = try await log.wait("every message confirmed", seconds: 30) { events, _ in
      Set(events.deliveredSequences).count >= count
    }
    #expect(!events.contains { if case .notDelivered = $0 { true } else { false } })
    #expect(proxy.cutsMade >= 1, "the proxy cut nothing")
    #expect(events.contains { if case .session(_, .resumed) = $0 { true } else { false } })
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }
}

extension [SessionEvent] {
  var deliveredSequences: [UInt64] {
    flatMap { event -> [UInt64] in if case .delivered(let sequences) = event { sequences } else { [] } }
  }
}

/// A listener that says hello like a real one (no secret, no `resume`) and then reads and
/// ignores everything: a peer that is there but never answers.
final class SilentListener: Sendable {
  let port: Int
  private let channel: any Channel

  /// Runs the listener's side of the handshake (its first record confirms the keys), then
  /// never answers again.
  private final class Mute: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    var machine = SessionMachine(
      configuration: .init(role: .listener, name: "mute", secret: nil, capabilities: [Capability.room]),
      nonce: (0..<Hello.nonceLength).map { _ in UInt8.random(in: 0...255) })
    var decoder = FrameDecoder()
    var buffer = ByteBuffer()
    var sealer: RecordSealer?

    func channelActive(context: ChannelHandlerContext) {
      perform(machine.start(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      guard !machine.isEstablished else { return }
      var incoming = unwrapInboundIn(data)
      buffer.writeBuffer(&incoming)
      while !machine.isEstablished, let frame = try? decoder.decode(&buffer) {
        perform(machine.receive(frame, now: 0), context: context)
      }
    }

    private func perform(_ actions: [SessionAction], context: ChannelHandlerContext) {
      for action in actions {
        switch action {
        case .send(let frame):
          let bytes = frame.encoded()
          context.writeAndFlush(wrapOutboundOut(sealer == nil ? bytes : sealer!.sealed(bytes)), promise: nil)
        case .beginSealing(let new): sealer = new
        case .report, .close: break
        }
      }
    }
  }

  init() async throws {
    channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Mute()) }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    port = channel.localAddress!.port!
  }

  func close() async { try? await channel.close() }
}
