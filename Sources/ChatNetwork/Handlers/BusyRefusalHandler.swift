import ChatProtocol
import NIOCore

/// Turns away a connection the listener can't take: sends one error frame, half-closes so
/// the frame is read rather than lost to a reset, and hangs up when the peer does (or
/// after the linger time).
final class BusyRefusalHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private let report: ErrorReport
  private let linger: TimeAmount

  init(report: ErrorReport, linger: TimeAmount) {
    self.report = report
    self.linger = linger
  }

  func handlerAdded(context: ChannelHandlerContext) {
    if context.channel.isActive { refuse(context: context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    refuse(context: context)
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // The peer's hello and anything after it are of no interest: drop them.
  }

  private func refuse(context: ChannelHandlerContext) {
    let channel = context.channel
    context.writeAndFlush(
      wrapOutboundOut(Frame.error(report).encoded(allocator: context.channel.allocator)), promise: nil)
    context.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
    context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
  }
}
