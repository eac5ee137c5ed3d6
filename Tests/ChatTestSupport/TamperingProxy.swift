public import ChatProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP proxy on loopback between a connector and a listener that reads each direction's
/// byte stream frame by frame (the 5-byte headers of PROTOCOL.md §1) and, once the
/// handshake is done, alters it the way an attacker on the path could: one bit flipped in
/// a SEALED record's header, ciphertext or tag, a record replayed, two swapped, one
/// dropped, or the stream cut in the middle of a record. It can also rewrite the
/// connector's hello (a downgrade attempt), and it records every byte that passes in both
/// directions, as an eavesdropper would.
///
/// It forwards whole frames only (a partial frame waits in the proxy for its rest), which
/// changes nothing for a receiver that reassembles frames however they are split.
public final class TamperingProxy: Sendable {
  /// Which way bytes travel.
  public enum Direction: String, Sendable, Hashable, CustomStringConvertible {
    /// From the connector to the listener.
    case toListener
    /// From the listener to the connector.
    case toConnector
    public var description: String { rawValue }
  }

  /// What to do to one SEALED record.
  public enum Fault: Sendable, Hashable, CustomStringConvertible {
    /// Clears a set bit of the last length byte: the header announces a shorter record.
    case shortenLength
    /// Sets bit 0 of the third length byte (+256): the record swallows the next bytes.
    case lengthenLength
    /// Sets the top bit of the first length byte: a record over 2 GiB, more than any maximum.
    case hugeLength
    /// XORs the type byte (0x07) with this mask.
    case flipType(UInt8)
    /// Flips one bit in the middle of the ciphertext.
    case flipCiphertext
    /// Flips one bit of the 16-byte tag.
    case flipTag
    /// Forwards the record, then the record before it in that direction again.
    case replay
    /// Holds the record back and forwards it after the next one.
    case swap
    /// Never forwards the record.
    case drop
    /// Forwards the header and half of the record, then closes both connections.
    case truncate

    public var description: String {
      switch self {
      case .shortenLength: "shortenLength"
      case .lengthenLength: "lengthenLength"
      case .hugeLength: "hugeLength"
      case .flipType(let mask): "flipType(0x\(String(mask, radix: 16)))"
      case .flipCiphertext: "flipCiphertext"
      case .flipTag: "flipTag"
      case .replay: "replay"
      case .swap: "swap"
      case .drop: "drop"
      case .truncate: "truncate"
      }
    }
  }

  /// One fault, in one direction, applied to the first SEALED record that arrives in that
  /// direction after ``arm()``.
  public struct Plan: Sendable, Hashable, CustomStringConvertible {
    public var fault: Fault
    public var direction: Direction

    public init(_ fault: Fault, _ direction: Direction) {
      self.fault = fault
      self.direction = direction
    }

    public var description: String { "\(fault) \(direction)" }
  }

  public let port: Int
  private let serverChannel: any Channel
  private let state: NIOLockedValueBox<State>

  struct State {
    var captured: [Direction: [UInt8]] = [.toListener: [], .toConnector: []]
    var frameTypes: [Direction: [UInt8]] = [.toListener: [], .toConnector: []]
    var faultsApplied: [String] = []
    var connections = 0
    var armed = false
  }

  /// From now on the plan's fault is applied, to the next SEALED record in its direction
  /// (the handshake and what the test sent until now pass untouched).
  public func arm() { state.withLockedValue { $0.armed = true } }

  /// Every byte the proxy received in `direction`, over all connections, before any change.
  public func captured(_ direction: Direction) -> [UInt8] { state.withLockedValue { $0.captured[direction]! } }
  /// The type byte of every whole frame the proxy received in `direction`, in order.
  public func frameTypes(_ direction: Direction) -> [UInt8] { state.withLockedValue { $0.frameTypes[direction]! } }
  /// What the proxy did, one line per fault applied.
  public var faultsApplied: [String] { state.withLockedValue { $0.faultsApplied } }
  /// How many connections it accepted.
  public var connections: Int { state.withLockedValue { $0.connections } }
  /// Lines saying what the proxy did, as it does it: "SEALED toListener #3" for each
  /// record it sees, "fault: …" for the fault (to await them).
  public let events: AwaitableLog<String>
  private let continuation: AsyncStream<String>.Continuation

  /// - Parameters:
  ///   - plan: the fault to apply, or nil to pass SEALED records through untouched.
  ///   - rewriteConnectorHello: changes the connector's hello before it goes on (the
  ///     frame is encoded again with its new length).
  public init(
    targetPort: Int, plan: Plan? = nil, rewriteConnectorHello: (@Sendable (Hello) -> Hello)? = nil
  ) async throws {
    let state = NIOLockedValueBox(State())
    self.state = state
    let (lines, continuation) = AsyncStream.makeStream(of: String.self)
    self.continuation = continuation
    let events = AwaitableLog<String>()
    self.events = events
    Task {
      for await line in lines { await events.append(line) }
    }
    let group = MultiThreadedEventLoopGroup.singleton
    serverChannel = try await ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.autoRead, value: false)
      .childChannelOption(.allowRemoteHalfClosure, value: true)
      .childChannelInitializer { inbound in
        state.withLockedValue { $0.connections += 1 }
        let link = Link(
          proxyState: state, continuation: continuation,
          toListener: TamperingStream(
            direction: .toListener, plan: plan?.direction == .toListener ? plan : nil,
            rewriteHello: rewriteConnectorHello),
          toConnector: TamperingStream(
            direction: .toConnector, plan: plan?.direction == .toConnector ? plan : nil, rewriteHello: nil))
        return ClientBootstrap(group: inbound.eventLoop)
          .channelOption(.socketOption(.tcp_nodelay), value: 1)
          .channelOption(.allowRemoteHalfClosure, value: true)
          .channelInitializer { outbound in
            outbound.eventLoop.makeCompletedFuture {
              try outbound.pipeline.syncOperations.addHandler(
                Relay(link: link, direction: .toConnector, peer: inbound))
            }
          }
          .connect(host: "127.0.0.1", port: targetPort)
          .flatMap { outbound in
            inbound.eventLoop.makeCompletedFuture {
              try inbound.pipeline.syncOperations.addHandler(Relay(link: link, direction: .toListener, peer: outbound))
              try inbound.syncOptions?.setOption(.autoRead, value: true)
            }
          }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    port = serverChannel.localAddress!.port!
  }

  public func close() async {
    try? await serverChannel.close()
    continuation.finish()
  }

  /// One proxied connection: both directions' streams. Both relays of a link run on the
  /// inbound channel's event loop.
  final class Link: @unchecked Sendable {
    let proxyState: NIOLockedValueBox<State>
    let continuation: AsyncStream<String>.Continuation
    var streams: [Direction: TamperingStream]
    /// Set once the proxy cut the connection: nothing more is forwarded either way.
    var cut = false
    /// The directions whose sender has shut down its sending side (or closed).
    var finished: Set<Direction> = []

    init(
      proxyState: NIOLockedValueBox<State>, continuation: AsyncStream<String>.Continuation,
      toListener: TamperingStream, toConnector: TamperingStream
    ) {
      self.proxyState = proxyState
      self.continuation = continuation
      streams = [.toListener: toListener, .toConnector: toConnector]
    }
  }

  final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let link: Link
    let direction: Direction
    let peer: any Channel
    /// The last write to the peer: the peer is closed only after it.
    var lastWrite: EventLoopFuture<Void>?

    init(link: Link, direction: Direction, peer: any Channel) {
      self.link = link
      self.direction = direction
      self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      let bytes = unwrapInboundIn(data)
      guard !link.cut else { return }
      let direction = direction
      let armed = link.proxyState.withLockedValue { $0.armed }
      let outputs = link.streams[direction]!.take(bytes, armed: armed)
      let types = link.streams[direction]!.takeFrameTypes()
      link.proxyState.withLockedValue {
        $0.captured[direction]! += bytes.readableBytesView
        $0.frameTypes[direction]! += types
      }
      for output in outputs {
        switch output {
        case .forward(let frame):
          lastWrite = peer.writeAndFlush(frame)
        case .applied(let line):
          link.proxyState.withLockedValue { $0.faultsApplied.append(line) }
          link.continuation.yield("fault: " + line)
        case .note(let line):
          link.continuation.yield(line)
        case .cut:
          link.cut = true
          let channel = context.channel
          let peer = peer
          let written = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
          written.whenComplete { _ in
            peer.close(promise: nil)
            channel.close(promise: nil)
          }
          return
        }
      }
    }

    /// The sender shut down its sending side (a BYE or ERROR, then a linger for the other
    /// side's close, PROTOCOL.md §5): so does the proxy towards the receiver, once what it
    /// forwarded is written, and it goes on carrying the other direction. A full close in
    /// its place would reset a peer with unread bytes, and the reset destroys the ERROR.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
      guard case .inputClosed = event as? ChannelEvent else {
        context.fireUserInboundEventTriggered(event)
        return
      }
      link.finished.insert(direction)
      let peer = peer
      let channel = context.channel
      let both = link.finished.count == 2
      let written = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
      written.whenComplete { _ in
        if both {
          peer.close(promise: nil)
          channel.close(promise: nil)
        } else {
          peer.close(mode: .output, promise: nil)
        }
      }
    }

    func channelInactive(context: ChannelHandlerContext) {
      let peer = peer
      let written = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
      written.whenComplete { _ in peer.close(promise: nil) }
      context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
      context.close(promise: nil)
    }
  }
}

/// One direction of a proxied connection: cuts the bytes into frames and decides what to
/// forward (the tampering itself, without I/O).
struct TamperingStream {
  enum Output {
    case forward(ByteBuffer)
    case applied(String)
    /// A line for ``TamperingProxy/events`` only.
    case note(String)
    case cut
  }

  let direction: TamperingProxy.Direction
  let plan: TamperingProxy.Plan?
  let rewriteHello: (@Sendable (Hello) -> Hello)?
  private var buffer = ByteBuffer()
  private var framesSeen = 0
  private var sealedSeen = 0
  /// Whether the fault was applied (once per connection).
  private var applied = false
  /// The SEALED frames seen so far, whole (a replay sends one again).
  private var recorded: [ByteBuffer] = []
  /// A record held back to be sent after the next one (swap).
  private var held: ByteBuffer?
  private var newFrameTypes: [UInt8] = []

  init(direction: TamperingProxy.Direction, plan: TamperingProxy.Plan?, rewriteHello: (@Sendable (Hello) -> Hello)?) {
    self.direction = direction
    self.plan = plan
    self.rewriteHello = rewriteHello
  }

  /// The types of the frames completed since the last call.
  mutating func takeFrameTypes() -> [UInt8] {
    defer { newFrameTypes = [] }
    return newFrameTypes
  }

  mutating func take(_ bytes: ByteBuffer, armed: Bool) -> [Output] {
    var bytes = bytes
    buffer.writeBuffer(&bytes)
    var outputs: [Output] = []
    while let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
      buffer.readableBytes >= FrameHeader.size + Int(length)
    {
      let frame = buffer.readSlice(length: FrameHeader.size + Int(length))!
      outputs += process(frame, armed: armed)
      if case .cut = outputs.last { return outputs }
    }
    buffer.discardReadBytes()
    return outputs
  }

  private mutating func process(_ frame: ByteBuffer, armed: Bool) -> [Output] {
    framesSeen += 1
    let type = frame.getInteger(at: frame.readerIndex + 4, as: UInt8.self)!
    newFrameTypes.append(type)
    if type == FrameType.hello.rawValue, framesSeen == 1, let rewriteHello {
      var copy = frame
      var decoder = FrameDecoder(maximumPayloadLength: 1 << 16)
      guard case .hello(let hello) = try? decoder.decode(&copy) else { return [.forward(frame)] }
      let rewritten = rewriteHello(hello)
      return [.applied("rewrote the hello \(direction)"), .forward(Frame.hello(rewritten).encoded())]
    }
    guard type == FrameType.sealed.rawValue else { return [.forward(frame)] }
    sealedSeen += 1
    recorded.append(frame)
    let note = Output.note("SEALED \(direction) #\(sealedSeen)")
    if let earlier = held {
      held = nil
      return [note, .forward(frame), .forward(earlier)]
    }
    guard let plan, armed, !self.applied, recorded.count >= 2 else { return [note, .forward(frame)] }
    self.applied = true
    let applied = Output.applied("\(plan), SEALED #\(sealedSeen) (a record of \(frame.readableBytes) bytes)")
    let length = frame.readableBytes - FrameHeader.size
    switch plan.fault {
    case .shortenLength:
      let last = frame.getInteger(at: frame.readerIndex + 3, as: UInt8.self)!
      let bit: UInt8 = last == 0 ? 1 : last & (~last &+ 1)  // its lowest set bit
      return [applied, .forward(flipping(frame, at: 3, mask: bit))]
    case .lengthenLength:
      return [applied, .forward(flipping(frame, at: 2, mask: 0x01))]
    case .hugeLength:
      return [applied, .forward(flipping(frame, at: 0, mask: 0x80))]
    case .flipType(let mask):
      return [applied, .forward(flipping(frame, at: 4, mask: mask))]
    case .flipCiphertext:
      return [applied, .forward(flipping(frame, at: FrameHeader.size + (length - 16) / 2, mask: 0x04))]
    case .flipTag:
      return [applied, .forward(flipping(frame, at: frame.readableBytes - 1, mask: 0x80))]
    case .replay:
      return [applied, .forward(frame), .forward(recorded[recorded.count - 2])]
    case .swap:
      held = frame
      return [applied]
    case .drop:
      return [applied]
    case .truncate:
      return [applied, .forward(frame.getSlice(at: frame.readerIndex, length: FrameHeader.size + length / 2)!), .cut]
    }
  }

  private func flipping(_ frame: ByteBuffer, at offset: Int, mask: UInt8) -> ByteBuffer {
    var copy = frame
    let index = copy.readerIndex + offset
    copy.setInteger(copy.getInteger(at: index, as: UInt8.self)! ^ mask, at: index)
    return copy
  }
}
