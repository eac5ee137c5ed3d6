import ChatEvents
import ChatProtocol
import NIOCore

/// Carries out a ``TutorialMachine``'s actions on one connection: the thin NIO side of
/// `--framing tutorial`. Confined to the channel's event loop; the endpoint calls
/// ``send(_:)`` and ``close(_:)`` there.
final class TutorialHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private var machine: TutorialMachine
  private let handshakeTimeout: Duration
  private let report: @Sendable (SessionEvent) -> Void
  private var context: ChannelHandlerContext?
  /// Bytes received and not yet taken by the machine (a partial frame or challenge).
  private var received: ByteBuffer?
  private var timeout: Scheduled<Void>?
  /// The last write, so that a close waits for what was written before it.
  private var lastWrite: EventLoopFuture<Void>?
  /// Lines and a close given before the connection was active.
  private var closeRequested: Goodbye?
  /// The peer's address, as events name it (the format has no names).
  private(set) var address: String
  /// Bytes handed to the socket and not yet written: a peer that never reads (the
  /// tutorials' struct_server.py is one) must not make memory grow without bound.
  private var unwrittenBytes = 0
  /// Above this many unwritten bytes, lines are refused until the peer reads.
  static let unwrittenLimit = 8 << 20

  /// - Parameter report: takes every event, on the event loop.
  init(
    configuration: TutorialMachine.Configuration, challenge: [UInt8], handshakeTimeout: Duration,
    address: String, report: @escaping @Sendable (SessionEvent) -> Void
  ) {
    machine = TutorialMachine(configuration: configuration, challenge: challenge)
    self.handshakeTimeout = handshakeTimeout
    self.address = address
    self.report = report
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if context.channel.isActive { start(context: context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    start(context: context)
    context.fireChannelActive()
  }

  private var started = false

  private func start(context: ChannelHandlerContext) {
    guard !started else { return }
    started = true
    if let remote = context.channel.remoteAddress?.displayString { address = remote }
    if machine.configuration.secret != nil { report(.authenticating(peer: address)) }
    perform(machine.start())
    if let closeRequested {
      perform(machine.localClose(closeRequested))
      return
    }
    guard !machine.isOpen else { return }
    let seconds = Quantities.duration(handshakeTimeout)
    let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
    timeout = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(Quantities.nanoseconds(handshakeTimeout)))) {
      handler.value.perform(handler.value.machine.handshakeTimedOut(after: seconds))
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var bytes = unwrapInboundIn(data)
    if received == nil {
      received = bytes
    } else {
      received!.writeBuffer(&bytes)
    }
    perform(machine.receive(&received!))
    if received?.readableBytes == 0 {
      received = nil
    } else {
      received?.discardReadBytes()
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    timeout?.cancel()
    perform(machine.inputEnded(leftover: received?.readableBytes ?? 0))
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    perform(machine.connectionFailed(NetworkErrorDescription.describe(error)))
  }

  /// The user's line.
  func send(_ text: String) {
    perform(machine.send(text))
  }

  /// The user leaves: written lines go out first, then the connection closes.
  func close(_ goodbye: Goodbye) {
    guard started else {
      closeRequested = goodbye
      return
    }
    perform(machine.localClose(goodbye))
  }

  /// The format has no room, so nothing to list.
  func noRoom() {
    report(.messageNotSent(text: "/who", reason: "the tutorials' framing has no room: there is no one to list"))
  }

  /// The connection never came up: lines given meanwhile are reported not sent.
  func abandon(_ reason: String) {
    for action in machine.connectionFailed(reason) {
      if case .notSent(let text, _) = action { report(.messageNotSent(text: text, reason: "not connected: \(reason)")) }
    }
  }

  private func perform(_ actions: [TutorialMachine.Action]) {
    for action in actions { perform(action) }
  }

  private func perform(_ action: TutorialMachine.Action) {
    switch action {
    case .write(let bytes):
      write(bytes)
    case .established(let auth):
      timeout?.cancel()
      let peer = PeerIdentity(name: address, maximumPayloadLength: Int(Int32.max))
      report(.established(peer: peer, auth: auth, address: address))
    case .send(let frame, let message, let textBytes):
      guard let context else { return }
      guard unwrittenBytes == 0 || unwrittenBytes + frame.count <= Self.unwrittenLimit else {
        report(
          .messageNotSent(
            text: message.text,
            reason: "the peer is not reading: \(Quantities.bytes(unwrittenBytes)) wait to be written"))
        return
      }
      report(.messageSent(message: message, textBytes: textBytes, wireBytes: frame.count))
      let report = report
      unwrittenBytes += frame.count
      let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
      write(frame)?.whenComplete { result in
        handler.value.unwrittenBytes -= frame.count
        switch result {
        case .success: report(.written(sequences: [message.sequence]))
        case .failure(let error):
          report(.notDelivered(message: message, reason: "not written: \(NetworkErrorDescription.describe(error))"))
        }
      }
    case .notSent(let text, let reason):
      report(.messageNotSent(text: text, reason: reason))
    case .received(let message, let textBytes, let wireBytes):
      report(.messageReceived(from: address, message: message, textBytes: textBytes, wireBytes: wireBytes))
    case .close(let end):
      timeout?.cancel()
      report(.disconnected(address: address, end: end))
      guard let context else { return }
      let channel = context.channel
      if let lastWrite {
        lastWrite.whenComplete { _ in channel.close(promise: nil) }
      } else {
        channel.close(promise: nil)
      }
    }
  }

  @discardableResult
  private func write(_ bytes: [UInt8]) -> EventLoopFuture<Void>? {
    guard let context else { return nil }
    let future = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
    lastWrite = future
    return future
  }
}
