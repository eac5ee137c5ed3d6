import ChatProtocol
import NIOCore

/// The way out: frames gathered per flush, sealed into records as they go, queued while the
/// peer isn't reading, and the last words to a peer dropped for not reading.
extension SessionHandler {
  /// Takes `frames` on their way out (see ``OutboundWriter``). Returns whether anything was
  /// written or waits for the next flush.
  func enqueue(_ frames: ByteBuffer, context: ChannelHandlerContext) -> Bool {
    if abandoning {
      // The last words to a peer being dropped: past the queue, sealed in turn.
      context.write(wrapOutboundOut(outbound.immediate(frames)), promise: nil)
      return true
    }
    guard !closing else { return false }
    return carryOut(outbound.take(frames, writable: context.channel.isWritable), context: context)
  }

  /// Seals what gathered since the last flush and flushes.
  func sealAndFlush(context: ChannelHandlerContext) {
    if !abandoning, !closing { _ = carryOut(outbound.flush(writable: context.channel.isWritable), context: context) }
    context.flush()
  }

  func carryOut(_ step: OutboundWriter.Step, context: ChannelHandlerContext) -> Bool {
    switch step {
    case .write(let bytes):
      context.write(wrapOutboundOut(bytes), promise: nil)
      return true
    case .nothing:
      return !outbound.isEmpty
    case .overflow:
      let limit = outbound.limit
      outbound.abandon()
      abandoning = true
      perform(
        machine.abort(
          FrameError(.tooSlow, "too slow: not reading, and more than \(limit) bytes are waiting for it")
        ),
        context: context
      )
      return false
    }
  }

  func drain(context: ChannelHandlerContext) {
    var wrote = false
    while context.channel.isWritable, let bytes = outbound.nextQueued() {
      context.write(wrapOutboundOut(bytes), promise: nil)
      wrote = true
    }
    if wrote { context.flush() }
    if outbound.isEmpty, context.channel.isWritable, !closing {
      whenDrained?()
      filesDrained?()
    }
  }
}
