import ChatNetwork
import ChatProtocol
import Crypto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A chat client for the benchmarks: it runs the real handshake itself (``ChannelHandshake``:
/// CPace with a secret, then Noise), then writes pre-encoded frames, sealing each buffer
/// written into as few records as fit (``RecordSealer/sealed(_:)``), and counts the TEXT and
/// ROOM_TEXT frames in the records it opens by their headers alone, on the event loop, with
/// no per-message hop to another thread and no per-message allocation.
///
/// With ``Security/plaintext`` there is no hello and no handshake: it writes and counts
/// bare frames, for the benchmarks' plaintext references (a framed echo, a framed sink).
final class BenchClient: @unchecked Sendable {
  let channel: any Channel
  let handler: Handler

  /// How the client talks to its server.
  enum Security: Sendable {
    /// Version 2: hello, handshake, sealed records. `aesGCM` lists the capability `aesgcm`
    /// in the hello, so AESGCM is used when the server lists it too; without it, ChaChaPoly.
    case sealed(secret: ChatProtocol.SharedSecret?, aesGCM: Bool)
    /// Bare frames, no hello: for the plaintext references only (chat never speaks this).
    case plaintext

    /// The product's choice on this machine: AESGCM when the CPU has AES instructions.
    static func `default`(secret: ChatProtocol.SharedSecret? = nil) -> Security {
      .sealed(secret: secret, aesGCM: CPUFeatures.hasAESInstructions)
    }
  }

  final class Handler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    /// Pre-encoded frames, one or more back to back: sealed here once the keys are in hand.
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let established: EventLoopPromise<Void>
    /// Called on the event loop for each TEXT or ROOM_TEXT frame after the handshake, with
    /// the time its read arrived.
    var onMessage: ((NIODeadline) -> Void)?
    var messages = 0
    /// Fulfilled once ``messages`` reaches ``target``.
    var target = Int.max
    var reachedTarget: EventLoopPromise<Void>?
    var context: ChannelHandlerContext?
    /// The cipher the handshake agreed on (nil: plaintext).
    private(set) var cipher: ChannelCipher?

    private let localHello: Hello?
    private let secret: ChatProtocol.SharedSecret?
    private var handshake: ChannelHandshake?
    private var sealer: RecordSealer?
    private var opener: RecordOpener?
    /// Whether the server's first record has opened (key confirmation): established.
    private var confirmed = false
    private var buffer = ByteBuffer()
    private var decoder = FrameDecoder(maximumPayloadLength: 64 << 20)

    init(name: String, security: Security, established: EventLoopPromise<Void>) {
      self.established = established
      switch security {
      case .sealed(let secret, let aesGCM):
        self.secret = secret
        // Without `resume`: the benchmark writes its own pre-numbered frames, so nothing
        // could match receipts to them. (The `delivery` group measures receipts.)
        localHello = Hello(
          offersAuth: secret != nil, maximumPayloadLength: 64 << 20,
          nonce: (0..<Hello.nonceLength).map { _ in UInt8.random(in: 0...255) }, name: name,
          capabilities: [Capability.room] + (aesGCM ? [Capability.aesGCM] : []))
      case .plaintext:
        self.secret = nil
        localHello = nil
        confirmed = true
      }
    }

    func handlerAdded(context: ChannelHandlerContext) {
      self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
      if let localHello {
        context.writeAndFlush(wrapOutboundOut(Frame.hello(localHello).encoded()), promise: nil)
      } else {
        established.succeed()
      }
      context.fireChannelActive()
    }

    /// Writes pre-encoded frames from the benchmark: sealed (one `sealed` call for the
    /// whole buffer) once the handshake is done.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
      let frames = unwrapOutboundIn(data)
      context.write(wrapOutboundOut(sealer == nil ? frames : sealer!.sealed(frames)), promise: promise)
    }

    /// Sends pre-encoded frames from the event loop (as ``write(context:data:promise:)``).
    func send(_ frames: ByteBuffer, flush: Bool = true) {
      guard let context else { return }
      let bytes = sealer == nil ? frames : sealer!.sealed(frames)
      if flush {
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
      } else {
        context.write(wrapOutboundOut(bytes), promise: nil)
      }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      var incoming = unwrapInboundIn(data)
      if buffer.readableBytes == 0 {
        buffer = incoming
      } else {
        buffer.writeBuffer(&incoming)
      }
      let now = NIODeadline.now()
      while let header = Self.header(of: buffer), buffer.readableBytes >= FrameHeader.size + header.length {
        let length = header.length
        if header.type == FrameType.sealed.rawValue, opener != nil {
          buffer.moveReaderIndex(forwardBy: FrameHeader.size)
          let record = buffer.readSlice(length: length)!
          guard var plaintext = try? opener!.open(record) else {
            fail(context, "a record did not open")
            return
          }
          if !confirmed {
            confirmed = true
            established.succeed()
          }
          count(&plaintext, now: now, context: context)
        } else if localHello == nil {
          count(&buffer, now: now, context: context)
        } else {
          guard let frame = try? decoder.decode(&buffer) else {
            fail(context, "undecodable bytes during the handshake")
            return
          }
          handshake(frame, context: context)
        }
      }
      if buffer.readableBytes == 0 {
        buffer = ByteBuffer()
      } else {
        buffer.discardReadBytes()
      }
    }

    private static func header(of buffer: ByteBuffer) -> (length: Int, type: UInt8)? {
      guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
        let type = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self)
      else { return nil }
      return (Int(length), type)
    }

    /// Walks whole frames by their headers: counts messages, answers pings.
    private func count(_ frames: inout ByteBuffer, now: NIODeadline, context: ChannelHandlerContext) {
      while let header = Self.header(of: frames), frames.readableBytes >= FrameHeader.size + header.length {
        let length = header.length
        switch header.type {
        case FrameType.text.rawValue, FrameType.roomText.rawValue:
          messages += 1
          onMessage?(now)
          if messages >= target, let reachedTarget {
            self.reachedTarget = nil
            reachedTarget.succeed()
          }
        case FrameType.ping.rawValue where length == 8:
          let value = frames.getInteger(at: frames.readerIndex + FrameHeader.size, as: UInt64.self)!
          send(Frame.pong(value).encoded())
        case FrameType.error.rawValue, FrameType.bye.rawValue:
          var copy = frames
          let frame = try? decoder.decode(&copy)
          fail(context, "the server ended the session: \(frame.map { "\($0)" } ?? "?")")
        default:
          break
        }
        frames.moveReaderIndex(forwardBy: FrameHeader.size + length)
      }
    }

    /// One frame of the handshake, in the clear.
    private func handshake(_ frame: Frame, context: ChannelHandlerContext) {
      do {
        switch frame {
        case .hello(let peerHello) where handshake == nil:
          var started = ChannelHandshake(
            role: .connector, secret: secret, localHello: localHello!, peerHello: peerHello,
            identity: Curve25519.KeyAgreement.PrivateKey(), randomness: .fresh())
          write(try started.opening(), context: context)
          handshake = started
          peerMaximumPayloadLength = Int(peerHello.maximumPayloadLength)
        case .cpace(let share):
          try handshake?.receiveShare(share)
        case .noise(let message):
          guard var current = handshake else { return fail(context, "NOISE before HELLO") }
          let step = try current.receiveNoise(message)
          handshake = current
          if case .complete(let frames, let keys) = step {
            write(frames, context: context)
            cipher = keys.cipher
            sealer = RecordSealer(keys.sending, peerMaximumPayloadLength: peerMaximumPayloadLength)
            opener = RecordOpener(keys.receiving)
            handshake = nil
          }
        case .error(let report):
          fail(context, "refused: \(report.message)")
        default:
          fail(context, "unexpected \(frame.type) during the handshake")
        }
      } catch {
        fail(context, "handshake failed: \(error)")
      }
    }

    private var peerMaximumPayloadLength = 1 << 20

    private func write(_ frames: [Frame], context: ChannelHandlerContext) {
      var bytes = ByteBuffer()
      for frame in frames { frame.encode(into: &bytes) }
      context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    private func fail(_ context: ChannelHandlerContext, _ why: String) {
      established.fail(BenchError(why))
      if let reachedTarget {
        self.reachedTarget = nil
        reachedTarget.fail(BenchError(why))
      }
      context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
      established.fail(ChannelError.eof)
      if let reachedTarget {
        self.reachedTarget = nil
        reachedTarget.fail(BenchError("closed after \(messages) of \(target)"))
      }
      context.fireChannelInactive()
    }
  }

  private init(channel: any Channel, handler: Handler) {
    self.channel = channel
    self.handler = handler
  }

  /// Connects and completes the handshake (and key confirmation: the server's first record
  /// has opened). `reading: false`: stop reading afterwards (a member that never reads).
  static func connect(
    port: Int, name: String, security: Security = .default(), group: any EventLoopGroup, reading: Bool = true
  ) async throws -> BenchClient {
    let loop = group.next()
    let established = loop.makePromise(of: Void.self)
    let handler = Handler(name: name, security: security, established: established)
    var bootstrap = ClientBootstrap(group: loop)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
      }
    if !reading {
      bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: 4096)
    }
    let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
    do {
      try await established.futureResult.get()
    } catch {
      try? await channel.close()
      throw error
    }
    if !reading {
      try await channel.setOption(.autoRead, value: false).get()
    }
    return BenchClient(channel: channel, handler: handler)
  }

  /// Runs `body` on the client's event loop with its handler.
  func onLoop<T: Sendable>(_ body: @escaping @Sendable (Handler) -> T) async throws -> T {
    let handler = handler
    return try await channel.eventLoop.submit { body(handler) }.get()
  }

  /// A future that succeeds once `target` messages have arrived in all.
  func expect(_ target: Int) async throws -> EventLoopFuture<Void> {
    let handler = handler
    let loop = channel.eventLoop
    return try await loop.submit {
      handler.target = target
      let promise = loop.makePromise(of: Void.self)
      if handler.messages >= target { promise.succeed() } else { handler.reachedTarget = promise }
      return promise.futureResult
    }.get()
  }

  /// The cipher the handshake agreed on (nil: plaintext).
  func cipher() async throws -> ChannelCipher? {
    try await onLoop { $0.cipher }
  }

  func close() async {
    try? await channel.close()
  }
}

/// A plain TCP client that counts what arrives, for the references (raw TCP, ncat lines,
/// the tutorials' 4-byte little-endian frames).
final class CountingClient: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer

  enum Unit {
    case bytes
    case lines
    /// `struct.pack('i')`: native (little-endian) signed 4-byte length, then the payload.
    case tutorialFrames
  }

  let unit: Unit
  var count = 0
  var target = Int.max
  var done: EventLoopPromise<Void>?
  private var pending = ByteBuffer()

  init(unit: Unit) {
    self.unit = unit
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var incoming = unwrapInboundIn(data)
    switch unit {
    case .bytes:
      count += incoming.readableBytes
    case .lines:
      count += incoming.readableBytesView.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    case .tutorialFrames:
      pending.writeBuffer(&incoming)
      while let length = pending.getInteger(at: pending.readerIndex, endianness: .little, as: Int32.self),
        pending.readableBytes >= 4 + Int(length)
      {
        pending.moveReaderIndex(forwardBy: 4 + Int(length))
        count += 1
      }
      pending.discardReadBytes()
    }
    if count >= target, let done {
      self.done = nil
      done.succeed()
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    if let done {
      self.done = nil
      done.fail(BenchError("closed after \(count) of \(target)"))
    }
  }

  /// Connects a counting client to `port`.
  static func connect(
    port: Int, unit: Unit, group: any EventLoopGroup, reading: Bool = true
  ) async throws -> (any Channel, CountingClient) {
    let handler = CountingClient(unit: unit)
    var bootstrap = ClientBootstrap(group: group)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelOption(.autoRead, value: reading)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
      }
    if !reading { bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: 4096) }
    let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
    return (channel, handler)
  }

  /// A future that succeeds once `target` units have arrived.
  func expect(_ target: Int, on channel: any Channel) async throws -> EventLoopFuture<Void> {
    try await channel.eventLoop.submit {
      self.target = target
      let promise = channel.eventLoop.makePromise(of: Void.self)
      if self.count >= target { promise.succeed() } else { self.done = promise }
      return promise.futureResult
    }.get()
  }
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Writes `buffers` to `channel` as fast as it takes them, respecting writability so the
/// sender's memory stays bounded; returns when all are handed to the socket. A bench
/// client's handler seals each buffer (one or more whole frames) on the way out.
func writeAll(_ buffers: [ByteBuffer], to channel: any Channel, batch: Int = 64) async throws {
  var index = 0
  while index < buffers.count {
    let end = min(buffers.count, index + batch)
    let slice = Array(buffers[index..<end])
    let promise = channel.eventLoop.makePromise(of: Void.self)
    channel.eventLoop.execute {
      for buffer in slice.dropLast() { channel.write(buffer, promise: nil) }
      channel.writeAndFlush(slice.last!, promise: promise)
    }
    try await promise.futureResult.get()
    index = end
  }
}

/// `frames` encoded back to back, `perBuffer` to a buffer: what a bench client seals at
/// once (a burst of small messages goes in one record, as the relay's broadcasts do).
func encodedBatches(_ frames: [Frame], perBuffer: Int) -> [ByteBuffer] {
  stride(from: 0, to: frames.count, by: perBuffer).map { start in
    var buffer = ByteBuffer()
    for frame in frames[start..<min(frames.count, start + perBuffer)] { frame.encode(into: &buffer) }
    return buffer
  }
}
