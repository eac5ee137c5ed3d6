import ChatProtocol
import ChatRoom
import ChatSession
import ChatTestSupport
import NIOCore
import NIOPosix

/// Collects an endpoint's events into a log that tests await on.
func collect(_ endpoint: any ChatEndpoint) -> AwaitableLog<SessionEvent> {
  let log = AwaitableLog<SessionEvent>()
  Task {
    for await event in endpoint.events { await log.append(event) }
    await log.finish()
  }
  return log
}

func startListener(
  _ options: SessionOptions,
  limits: RoomLimits = RoomLimits(),
  host: Bool = true
) async throws -> (ChatListener, AwaitableLog<SessionEvent>) {
  let listener = try await ChatListener.start(
    on: HostAndPort(host: "127.0.0.1", port: 0),
    options: options,
    limits: limits,
    hostName: host ? options.name : nil,
    group: MultiThreadedEventLoopGroup.singleton
  )
  return (listener, collect(listener))
}

func connect(to listener: ChatListener, _ options: SessionOptions) -> (ChatConnector, AwaitableLog<SessionEvent>) {
  let connector = ChatConnector.connect(
    to: HostAndPort(host: "127.0.0.1", port: listener.port),
    options: options,
    group: MultiThreadedEventLoopGroup.singleton
  )
  return (connector, collect(connector))
}

func secret(_ text: String) -> SharedSecret? { SharedSecret(bytes: text.utf8) }

extension SessionEvent {
  var isEstablished: Bool { if case .established = self { true } else { false } }
  var end: SessionEnd? { if case .disconnected(_, let end) = self { end } else { nil } }
  var receivedText: String? { if case .messageReceived(_, let message, _, _) = self { message.text } else { nil } }
  var isListening: Bool { if case .listening = self { true } else { false } }
  var receivedFrom: String? { if case .messageReceived(let from, _, _, _) = self { from } else { nil } }
  var roomEvent: RoomEvent? { if case .room(let event) = self { event } else { nil } }
  func isRoom(_ kind: RoomEvent.Kind, _ name: String) -> Bool {
    roomEvent.map { $0.kind == kind && $0.name == name } ?? false
  }
  var refusal: String? { if case .refused(_, let reason) = self { reason } else { nil } }
}

/// A bare TCP client that sends whatever bytes a test wants and records what comes back.
final class RawClient: Sendable {
  let channel: any Channel
  let received: AwaitableLog<[UInt8]>

  private final class Recorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let log: AwaitableLog<[UInt8]>
    init(log: AwaitableLog<[UInt8]>) { self.log = log }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      let bytes = Array(unwrapInboundIn(data).readableBytesView)
      let log = log
      Task { await log.append(bytes) }
    }
    func channelInactive(context: ChannelHandlerContext) {
      let log = log
      Task { await log.finish() }
    }
  }

  init(port: Int, reading: Bool = true) async throws {
    let log = AwaitableLog<[UInt8]>()
    received = log
    var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .channelOption(.autoRead, value: reading)
    if !reading {
      // A small receive buffer so that a client that never reads backs up quickly.
      bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: 4096)
    }
    channel =
      try await bootstrap
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Recorder(log: log)) }
      }
      .connect(host: "127.0.0.1", port: port).get()
  }

  /// Sends a hello (no secret) as `name`, listing `capabilities` (none: a legacy client
  /// that gets room messages as TEXT lines; `room`: one that takes ROOM_TEXT frames).
  func sendHello(name: String, capabilities: [String] = [], maximumPayloadLength: UInt32 = 1 << 20) async throws {
    let hello = Frame.hello(
      Hello(
        offersAuth: false, maximumPayloadLength: maximumPayloadLength, nonce: randomBytes(32), name: name,
        capabilities: capabilities))
    try await send(Array(hello.encoded().readableBytesView))
  }

  func send(_ bytes: [UInt8]) async throws {
    try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
  }

  /// Every frame received until the connection closed.
  func framesUntilClosed(seconds: Double = 15) async throws -> [Frame] {
    try await received.waitForFinish(seconds: seconds)
    var buffer = ByteBuffer(bytes: await received.entries.flatMap { $0 })
    var decoder = FrameDecoder()
    var frames: [Frame] = []
    while let frame = try decoder.decode(&buffer) { frames.append(frame) }
    return frames
  }
}

func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
