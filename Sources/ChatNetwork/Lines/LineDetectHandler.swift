import ChatProtocol
import NIOCore

/// The first handler of a connection to a room that takes line clients (`--lines`): it
/// holds what arrives until it knows what the peer is, by its first bytes or by its silence
/// (``LineClientDetection``), tells the room, and once the room has set up the rest of the
/// pipeline, hands on what it held and steps aside.
///
/// The room's own hello waits for this: a line client must not get a binary HELLO on its
/// terminal. A chat client sends its hello at once, so it is known within a round trip.
final class LineDetectHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  private let wait: TimeAmount
  private let readsHeld: () -> Bool
  private let decided: (LineClientDetection) -> Void
  private var held: ByteBuffer?
  private var verdict: LineClientDetection?
  private var timer: Scheduled<Void>?
  private var context: ChannelHandlerContext?

  /// - Parameters:
  ///   - wait: how long a silent peer has before it is taken for a line client.
  ///   - readsHeld: whether the endpoint is holding back its sockets' reads (``ReadGate``):
  ///     meanwhile a chat client's hello may be waiting unread, so silence proves nothing.
  ///   - decided: called once, on the channel's event loop, with the verdict.
  init(wait: TimeAmount, readsHeld: @escaping () -> Bool = { false }, decided: @escaping (LineClientDetection) -> Void)
  {
    self.wait = wait
    self.readsHeld = readsHeld
    self.decided = decided
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if context.channel.isActive { startTimer(context: context) }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.cancel()
    self.context = nil
  }

  func channelActive(context: ChannelHandlerContext) {
    startTimer(context: context)
    context.fireChannelActive()
  }

  private func startTimer(context: ChannelHandlerContext) {
    guard timer == nil, verdict == nil else { return }
    let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
    timer = context.eventLoop.scheduleTask(in: wait) { handler.value.waitEnded() }
  }

  /// Silent for the whole wait: a line client, unless reads were held back (then wait
  /// again: the peer's hello may be sitting unread).
  private func waitEnded() {
    timer = nil
    guard verdict == nil, let context else { return }
    if readsHeld() {
      startTimer(context: context)
    } else {
      decide(.lines)
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var bytes = unwrapInboundIn(data)
    if held == nil {
      held = bytes
    } else {
      held!.writeBuffer(&bytes)
    }
    if verdict == nil, let held, let verdict = LineClientDetection.classify(held.readableBytesView) {
      decide(verdict)
    }
  }

  private func decide(_ verdict: LineClientDetection) {
    guard self.verdict == nil, context?.channel.isActive == true else { return }
    self.verdict = verdict
    timer?.cancel()
    decided(verdict)
  }

  /// The room has set up what follows: hand on what arrived meanwhile, and leave.
  func release() {
    guard let context else { return }
    if let held {
      self.held = nil
      context.fireChannelRead(wrapInboundOut(held))
      context.fireChannelReadComplete()
    }
    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
  }
}
