import ChatProtocol
import NIOCore
import NIOPosix

/// The channel handlers of a chat connection, bottom to top: frame decoder, session handler
/// (which encodes what it sends, header and payload in one buffer).
enum SessionPipeline {
  /// - Parameter inRoom: the connection is a member of a room, which confirms its messages
  ///   once it has passed them on.
  @discardableResult
  static func configure(
    _ channel: any Channel,
    role: Role,
    options: SessionOptions,
    session: ConversationHandOver? = nil,
    inRoom: Bool = false,
    report: @escaping @Sendable (SessionReport) -> Void
  ) throws -> SessionHandler {
    let handler = SessionHandler(role: role, options: options, session: session, inRoom: inRoom, report: report)
    let operations = channel.pipeline.syncOperations
    try operations.addHandler(ByteToMessageHandler(FrameDecoderHandler(limit: handler.frameLimit)))
    try operations.addHandler(handler)
    return handler
  }

  /// A server bootstrap with the socket options every accepted chat connection uses.
  static func serverBootstrap(group: any EventLoopGroup) -> ServerBootstrap {
    ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(.writeBufferWaterMark, value: writeBufferWaterMark)
  }

  /// Socket options every chat connection uses: no Nagle delay, bounded write buffering.
  static let writeBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 64 << 10, high: 256 << 10)
}

extension SocketAddress {
  /// `127.0.0.1:9090`, `[::1]:9090`, `unix:/run/chat.sock` (as ``ChatAddress`` writes them).
  var displayString: String {
    if case .unixDomainSocket = self { return ChatAddress.unixPrefix + (pathname ?? "") }
    guard let ip = ipAddress, let port else { return description }
    return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
  }
}
