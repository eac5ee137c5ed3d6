import ChatProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A chat client for the benchmarks: the real `SessionMachine` does the handshake (auth
/// included), then the benchmark writes pre-encoded frames and counts what comes back on
/// the event loop, with no per-message hop to another thread.
final class BenchClient: @unchecked Sendable {
  let channel: any Channel
  let handler: Handler

  final class Handler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var machine: SessionMachine
    var decoder = FrameDecoder(maximumPayloadLength: 64 << 20)
    var buffer = ByteBuffer()
    let established: EventLoopPromise<Void>
    /// Called on the event loop for each message frame after the handshake.
    var onMessage: ((Frame, Int, NIODeadline) -> Void)?
    var messages = 0
    var context: ChannelHandlerContext?
    /// Seals what this client writes once its handshake is done.
    var sealer: RecordSealer?

    init(name: String, secret: SharedSecret?, established: EventLoopPromise<Void>) {
      let nonce = (0..<Hello.nonceLength).map { _ in UInt8.random(in: 0...255) }
      machine = SessionMachine(
        // Without `resume`: the benchmark writes its own pre-numbered frames, so the
        // machine could not match receipts to them. (The `delivery` group measures receipts.)
        configuration: .init(
          role: .connector, name: name, secret: secret, maximumPayloadLength: 64 << 20,
          capabilities: [Capability.room]),
        nonce: nonce)
      self.established = established
    }

    func channelActive(context: ChannelHandlerContext) {
      self.context = context
      perform(machine.start(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      var incoming = unwrapInboundIn(data)
      buffer.writeBuffer(&incoming)
      let now = NIODeadline.now()
      while true {
        let before = buffer.readableBytes
        guard let frame = try? decoder.decode(&buffer) else { break }
        let size = before - buffer.readableBytes
        switch frame {
        case .text, .roomText:
          messages += 1
          onMessage?(frame, size, now)
        case .ping(let value):
          context.writeAndFlush(wrapOutboundOut(Frame.pong(value).encoded()), promise: nil)
        case .roomEvent, .pong:
          break
        default:
          perform(machine.receive(frame, now: now.uptimeNanoseconds), context: context)
        }
      }
      buffer.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
      established.fail(ChannelError.eof)
    }

    private func perform(_ actions: [SessionAction], context: ChannelHandlerContext) {
      for action in actions {
        switch action {
        case .send(let frame):
          var bytes = frame.encoded()
          if sealer != nil { bytes = sealer!.sealed(bytes) }
          context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .beginSealing(let new): sealer = new
        case .report(.established): established.succeed()
        case .report(.ended(let end)): established.fail(BenchError("session ended: \(end)"))
        case .report, .close: break
        }
      }
    }
  }

  private init(channel: any Channel, handler: Handler) {
    self.channel = channel
    self.handler = handler
  }

  /// Connects and completes the handshake.
  static func connect(
    port: Int, name: String, secret: SharedSecret? = nil, group: any EventLoopGroup, reading: Bool = true
  ) async throws -> BenchClient {
    let loop = group.next()
    let established = loop.makePromise(of: Void.self)
    let handler = Handler(name: name, secret: secret, established: established)
    var bootstrap = ClientBootstrap(group: loop)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
      }
    if !reading {
      bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: 4096)
    }
    let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
    try await established.futureResult.get()
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
    /// chat frames (5-byte header, big-endian length); counts ROOM_TEXT and TEXT only.
    case chatMessages
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
    case .chatMessages:
      pending.writeBuffer(&incoming)
      while let length = pending.getInteger(at: pending.readerIndex, as: UInt32.self),
        let type = pending.getInteger(at: pending.readerIndex + 4, as: UInt8.self),
        pending.readableBytes >= FrameHeader.size + Int(length)
      {
        pending.moveReaderIndex(forwardBy: FrameHeader.size + Int(length))
        if type == FrameType.roomText.rawValue || type == FrameType.text.rawValue { count += 1 }
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

  /// Connects a counting client to `port`; `greeting` is written first (a chat hello).
  static func connect(
    port: Int, unit: Unit, group: any EventLoopGroup, reading: Bool = true, greeting: ByteBuffer? = nil
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
    if let greeting { try await channel.writeAndFlush(greeting) }
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
/// sender's memory stays bounded; returns when all are handed to the socket.
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
