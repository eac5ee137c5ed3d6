import NIOCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Stops accepting for a moment when `accept` fails for want of resources, as nginx does.
///
/// On EMFILE or ENFILE the pending connection stays in the kernel's queue, so the listening
/// socket stays readable, and accepting again at once spins at full CPU without progress
/// (issue 10: 48,873 failures in 2 s). NIO's `AcceptBackoffHandler` does not prevent it
/// here: `ServerBootstrap.bind(host:port:)` doesn't install it (only the async `bind` that
/// returns an `NIOAsyncChannel` does), and even installed it can't act, because after a
/// failed accept the server channel keeps its read pending (swift-nio resets `readPending`
/// only after a successful accept), so it never asks the pipeline to read again; the
/// handler's `read` is never called and the socket stays registered for reading.
///
/// Turning `autoRead` off does reach the selector (it drops read interest at once), and
/// turning it back on after the pause registers it again.
final class AcceptBackoff: ChannelInboundHandler {
  typealias InboundIn = any Channel

  private var resume: Scheduled<Void>?
  private let onPause: (String) -> Void

  /// `onPause` is told each time accepting pauses, with the reason.
  init(onPause: @escaping (String) -> Void = { _ in }) {
    self.onPause = onPause
  }

  /// How long to stop accepting after `error`, or nil to go on (a connection reset before
  /// it was accepted, say).
  static func delay(after error: IOError) -> TimeAmount? {
    switch error.errnoCode {
    case EMFILE, ENFILE, ENOBUFS, ENOMEM: .milliseconds(250)
    default: nil
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard let ioError = error as? IOError, let delay = Self.delay(after: ioError) else {
      context.fireErrorCaught(error)
      return
    }
    guard resume == nil, let options = context.channel.syncOptions else { return }
    try? options.setOption(.autoRead, value: false)
    let reason = String(cString: strerror(ioError.errnoCode)).lowercased()
    onPause("accepting paused for \(delay.nanoseconds / 1_000_000) ms: \(reason)")
    let channel = context.channel
    resume = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
      resume = nil
      try? channel.syncOptions?.setOption(.autoRead, value: true)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    resume?.cancel()
    resume = nil
    context.fireChannelInactive()
  }
}
