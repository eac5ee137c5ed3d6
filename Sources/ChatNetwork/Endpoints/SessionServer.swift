package import ChatProtocol
package import NIOCore
import NIOPosix

/// One-to-one sessions with no room: each accepted connection runs the same pipeline as a
/// room member (decoder, encoder, session handler) and passes its reports to `report`.
/// The benchmark measures the session layer with it; it also suits embedding chat's
/// protocol in another program.
package enum SessionServer {
  /// Binds `host:port` and starts accepting; close the returned channel to stop.
  package static func bind(
    host: String,
    port: Int,
    options: SessionOptions,
    group: any EventLoopGroup,
    report: @escaping @Sendable (SessionReport) -> Void
  ) async throws -> any Channel {
    // No room keeps sessions here to resume, so the `resume` capability is not offered.
    var withoutResume = options
    withoutResume.offersResume = false
    let options = withoutResume
    return try await SessionPipeline.serverBootstrap(group: group)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try SessionPipeline.configure(channel, role: .listener, options: options, report: report)
        }
      }
      .bind(host: host, port: port).get()
  }
}
