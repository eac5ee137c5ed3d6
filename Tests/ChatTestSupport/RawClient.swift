public import ChatProtocol
public import NIOCore
import NIOPosix

/// A bare TCP client that sends whatever bytes a test wants and records what comes back.
public final class RawClient: Sendable {
  public let channel: any Channel
  public let received: AwaitableLog<[UInt8]>

  /// Passes what arrives, in order, to one stream: the log is filled by a single task, so
  /// chunks are never reordered (a task per read would race).
  private final class Recorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let chunks: AsyncStream<[UInt8]>.Continuation
    init(chunks: AsyncStream<[UInt8]>.Continuation) { self.chunks = chunks }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      chunks.yield(Array(unwrapInboundIn(data).readableBytesView))
    }
    func channelInactive(context: ChannelHandlerContext) {
      chunks.finish()
    }
  }

  /// - Parameter source: a loopback address to connect from (`127.0.0.2`: another
  ///   "machine" for the relay's per-address limits), or nil for the system's choice.
  public init(port: Int, reading: Bool = true, from source: String? = nil) async throws {
    let log = AwaitableLog<[UInt8]>()
    received = log
    let (chunks, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    Task {
      for await chunk in chunks { await log.append(chunk) }
      await log.finish()
    }
    var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .channelOption(.autoRead, value: reading)
    if !reading {
      // A small receive buffer so that a client that never reads backs up quickly.
      bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: 4096)
    }
    if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
    channel =
      try await bootstrap
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(Recorder(chunks: continuation))
        }
      }
      .connect(host: "127.0.0.1", port: port).get()
  }

  /// Sends a hello (no secret) as `name`, listing `capabilities` (none: a legacy client
  /// that gets room messages as TEXT lines; `room`: one that takes ROOM_TEXT frames).
  public func sendHello(name: String, capabilities: [String] = [], maximumPayloadLength: UInt32 = 1 << 20) async throws
  {
    let hello = Frame.hello(
      Hello(
        offersAuth: false, maximumPayloadLength: maximumPayloadLength, nonce: randomBytes(32), name: name,
        capabilities: capabilities))
    try await send(Array(hello.encoded().readableBytesView))
  }

  public func send(_ bytes: [UInt8]) async throws {
    try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
  }

  public func send(_ frame: Frame) async throws {
    try await send(Array(frame.encoded().readableBytesView))
  }

  /// The whole frames in `chunks` of received bytes (a partial frame at the end, or
  /// anything after bytes that don't decode, is left out).
  public static func frames(in chunks: [[UInt8]]) -> [Frame] {
    var buffer = ByteBuffer(bytes: chunks.flatMap { $0 })
    var decoder = FrameDecoder()
    var frames: [Frame] = []
    while let frame = try? decoder.decode(&buffer) { frames.append(frame) }
    return frames
  }

  /// Every frame received until the connection closed.
  public func framesUntilClosed(seconds: Double = 15) async throws -> [Frame] {
    try await received.waitForFinish(seconds: seconds)
    var buffer = ByteBuffer(bytes: await received.entries.flatMap { $0 })
    var decoder = FrameDecoder()
    var frames: [Frame] = []
    while let frame = try decoder.decode(&buffer) { frames.append(frame) }
    return frames
  }
}

public func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
