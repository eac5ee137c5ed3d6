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

  /// The front end's view of a session report from the peer at `address`.
  static func event(for report: SessionReport, address: String) -> SessionEvent? {
    switch report {
    case .authenticating(let peer):
      .authenticating(peer: peer.name)
    case .established(let peer, let status):
      .established(peer: peer, auth: status, address: address)
    case .messageReceived(let message, let from, let payloadBytes, let wireBytes):
      .messageReceived(from: from, message: message, payloadBytes: payloadBytes, wireBytes: wireBytes)
    case .messageSent(let message, let payloadBytes, let wireBytes):
      .messageSent(message: message, payloadBytes: payloadBytes, wireBytes: wireBytes)
    case .messageNotSent(let text, let reason):
      .messageNotSent(text: text, reason: reason)
    case .messageResent(let message, let payloadBytes, let wireBytes):
      .messageResent(message: message, payloadBytes: payloadBytes, wireBytes: wireBytes)
    case .messagePending(let text, let reason):
      .messagePending(text: text, reason: reason)
    case .delivered(let sequences):
      .delivered(sequences: sequences)
    case .notDelivered(let message, let reason):
      .notDelivered(message: message, reason: reason)
    case .sessionStarted(let id, let start):
      .session(id: id.description, start: start)
    case .peerSilent(let nanoseconds):
      .peerSilent(nanoseconds: nanoseconds)
    case .peerResponsive:
      .peerResponsive
    case .roundTrip(let nanoseconds):
      .roundTrip(nanoseconds: nanoseconds)
    case .ended(let end):
      .disconnected(address: address, end: end)
    case .roomEvent(let event):
      .room(event)
    case .whoRequested, .sessionRequested, .peerAcknowledged:
      nil  // a relay's business, not a front end's
    }
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
  /// `127.0.0.1:9090`, `[::1]:9090`.
  var displayString: String {
    guard let ip = ipAddress, let port else { return description }
    return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
  }
}
