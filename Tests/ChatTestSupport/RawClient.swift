public import ChatProtocol
import Crypto
public import NIOCore
import NIOPosix

/// A bare TCP client that sends whatever frames a test wants and records what comes back.
///
/// ``sendHello(name:capabilities:maximumPayloadLength:secret:)`` runs the real handshake
/// (``ChannelHandshake``: CPace and Noise) and stops there: the test sends the session step
/// and everything after it itself, sealed with the handshake's keys (``send(_:)-frame``), or
/// raw bytes past the record layer (``sendRaw(_:)``). ``received`` holds the frames as the
/// client sees them: the handshake's as they came, then what each record held.
public final class RawClient: Sendable {
  public let channel: any Channel
  public let received: AwaitableLog<[UInt8]>
  private let handshaken: EventLoopPromise<Void>
  private let reading: Bool

  /// What the test writes: frames (sealed once the keys are in hand) or raw bytes.
  enum Outgoing {
    case frames(ByteBuffer)
    case raw(ByteBuffer)
  }

  /// Runs the handshake on the channel's event loop, seals and opens afterwards, and passes
  /// what arrives, in order, to one stream (a single task fills the log, so chunks are never
  /// reordered).
  final class Recorder: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Outgoing
    typealias OutboundOut = ByteBuffer

    let chunks: AsyncStream<[UInt8]>.Continuation
    let handshaken: EventLoopPromise<Void>
    var buffer = ByteBuffer()
    var decoder = FrameDecoder(maximumPayloadLength: 1 << 24)
    var localHello: Hello?
    var secret: ChatProtocol.SharedSecret?
    var handshake: ChannelHandshake?
    var sealer: RecordSealer?
    var opener: RecordOpener?
    /// The peer's hello when it came before the test sent its own.
    var earlyPeerHello: Hello?
    var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    init(chunks: AsyncStream<[UInt8]>.Continuation, handshaken: EventLoopPromise<Void>) {
      self.chunks = chunks
      self.handshaken = handshaken
    }

    /// Set when the bytes stopped being frames: from then on they are recorded as they come.
    var undecodable = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      var incoming = unwrapInboundIn(data)
      guard !undecodable else {
        chunks.yield(Array(incoming.readableBytesView))
        return
      }
      buffer.writeBuffer(&incoming)
      while true {
        do {
          guard let frame = try decoder.decode(&buffer) else { return }
          take(frame, context: context)
        } catch {
          undecodable = true
          chunks.yield(Array(buffer.readableBytesView))
          buffer.clear()
          return
        }
      }
    }

    private func take(_ frame: Frame, context: ChannelHandlerContext) {
      if case .sealed(let record) = frame, opener != nil {
        if let plaintext = try? opener!.open(record) {
          chunks.yield(Array(plaintext.readableBytesView))
        } else {
          chunks.yield(Array(frame.encoded().readableBytesView))
        }
        return
      }
      chunks.yield(Array(frame.encoded().readableBytesView))
      guard localHello != nil else {
        if case .hello(let peerHello) = frame { earlyPeerHello = peerHello }
        return
      }
      do {
        switch frame {
        case .hello(let peerHello) where handshake == nil:
          try startHandshake(peerHello, context: context)
        case .cpace(let share):
          try handshake?.receiveShare(share)
        case .noise(let message):
          guard var current = handshake else { return }
          let step = try current.receiveNoise(message)
          handshake = current
          if case .complete(let frames, let keys) = step {
            write(frames, context: context)
            sealer = RecordSealer(keys.sending, peerMaximumPayloadLength: 1 << 24)
            opener = RecordOpener(keys.receiving)
            handshaken.succeed()
          }
        case .error, .bye:
          handshaken.succeed()
        default:
          break
        }
      } catch {
        handshaken.succeed()
      }
    }

    /// Starts the handshake once both hellos are known (the test's may come second).
    func startHandshake(_ peerHello: Hello, context: ChannelHandlerContext) throws {
      guard let localHello else { return }
      var started = ChannelHandshake(
        role: .connector, secret: secret, localHello: localHello, peerHello: peerHello,
        identity: Curve25519.KeyAgreement.PrivateKey(), randomness: .fresh())
      write(try started.opening(), context: context)
      handshake = started
    }

    private func write(_ frames: [Frame], context: ChannelHandlerContext) {
      var bytes = ByteBuffer()
      for frame in frames { frame.encode(into: &bytes) }
      context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
      switch unwrapOutboundIn(data) {
      case .frames(let bytes):
        context.write(wrapOutboundOut(sealer == nil ? bytes : sealer!.sealed(bytes)), promise: promise)
      case .raw(let bytes):
        context.write(wrapOutboundOut(bytes), promise: promise)
      }
    }

    func channelInactive(context: ChannelHandlerContext) {
      handshaken.succeed()
      chunks.finish()
    }
  }

  /// - Parameter source: a loopback address to connect from (`127.0.0.2`: another
  ///   "machine" for the relay's per-address limits), or nil for the system's choice.
  /// - Parameter reading: false: after the handshake, stop reading (a member whose
  ///   receive buffer fills).
  public init(port: Int, reading: Bool = true, from source: String? = nil) async throws {
    let log = AwaitableLog<[UInt8]>()
    received = log
    self.reading = reading
    let (chunks, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    Task {
      for await chunk in chunks { await log.append(chunk) }
      await log.finish()
    }
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let promise = loop.makePromise(of: Void.self)
    handshaken = promise
    var bootstrap = ClientBootstrap(group: loop)
    if !reading {
      // A small receive buffer so that a client that never reads backs up quickly.
      bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: 4096)
    }
    if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
    channel =
      try await bootstrap
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(Recorder(chunks: continuation, handshaken: promise))
        }
      }
      .connect(host: "127.0.0.1", port: port).get()
  }

  /// Sends a hello as `name`, listing `capabilities` (none: a legacy client that gets room
  /// messages as TEXT lines; `room`: one that takes ROOM_TEXT frames), and runs the
  /// handshake to its keys (or to the peer's refusal). The session step is the test's.
  public func sendHello(
    name: String, capabilities: [String] = [], maximumPayloadLength: UInt32 = 1 << 20,
    secret: ChatProtocol.SharedSecret? = nil
  ) async throws {
    let hello = Hello(
      offersAuth: secret != nil, maximumPayloadLength: maximumPayloadLength, nonce: randomBytes(32), name: name,
      capabilities: capabilities)
    let recorder = try await channel.pipeline.handler(type: Recorder.self).get()
    try await channel.eventLoop.submit {
      // On the event loop, before anything the peer answers can be read.
      recorder.localHello = hello
      recorder.secret = secret
      recorder.context?.writeAndFlush(NIOAny(Frame.hello(hello).encoded()), promise: nil)
      if let early = recorder.earlyPeerHello, let context = recorder.context {
        do { try recorder.startHandshake(early, context: context) } catch { recorder.handshaken.succeed() }
      }
    }.get()
    try await withTimeout(seconds: 15) { try await self.handshaken.futureResult.get() }
    if !reading { try await channel.setOption(ChannelOptions.autoRead, value: false).get() }
  }

  /// Sends frame bytes: sealed once the handshake is done.
  public func send(_ bytes: [UInt8]) async throws {
    try await channel.writeAndFlush(Outgoing.frames(ByteBuffer(bytes: bytes)))
  }

  /// Sends bytes as they are, past the record layer (an attacker on the wire).
  public func sendRaw(_ bytes: [UInt8]) async throws {
    try await channel.writeAndFlush(Outgoing.raw(ByteBuffer(bytes: bytes)))
  }

  public func send(_ frame: Frame) async throws {
    try await send(Array(frame.encoded().readableBytesView))
  }

  /// The whole frames in `chunks` of received bytes (a partial frame at the end, or
  /// anything after bytes that don't decode, is left out).
  public static func frames(in chunks: [[UInt8]]) -> [Frame] {
    var buffer = ByteBuffer(bytes: chunks.flatMap { $0 })
    var decoder = FrameDecoder(maximumPayloadLength: 1 << 24)
    var frames: [Frame] = []
    while let frame = try? decoder.decode(&buffer) { frames.append(frame) }
    return frames
  }

  /// Every frame received until the connection closed.
  public func framesUntilClosed(seconds: Double = 15) async throws -> [Frame] {
    try await received.waitForFinish(seconds: seconds)
    return Self.frames(in: await received.entries)
  }
}

/// Runs `body`, failing after `seconds`.
func withTimeout(seconds: Double, _ body: @escaping @Sendable () async throws -> Void) async throws {
  try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await body() }
    group.addTask {
      try await Task.sleep(for: .seconds(seconds))
      throw TimedOut(seconds: seconds)
    }
    try await group.next()
    group.cancelAll()
  }
}

struct TimedOut: Error, CustomStringConvertible {
  var seconds: Double
  var description: String { "timed out after \(seconds) s" }
}

public func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
