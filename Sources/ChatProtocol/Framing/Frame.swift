public import NIOCore

/// One decoded protocol frame.
public enum Frame: Hashable, Sendable {
  case hello(Hello)
  /// A CPace share (32 bytes): the password-authenticated key exchange, with a secret.
  case cpace([UInt8])
  /// One Noise handshake message.
  case noise([UInt8])
  /// An encrypted record (ciphertext and tag), opened by the session's ``RecordOpener``.
  case sealed(ByteBuffer)
  /// Connector → listener after the handshake: a new session, or one to resume (`resume`).
  case session(SessionRequest)
  /// Listener → connector: the session this connection carries (`resume`).
  case sessionAccept(SessionAcceptance)
  case text(TextMessage)
  /// "I have every message you numbered up to this one" (`resume`).
  case ack(UInt64)
  /// "I will not deliver your message with this number, and why" (`resume`).
  case refused(Refusal)
  case roomText(RoomText)
  case roomEvent(RoomEvent)
  case whoRequest
  /// A probe whose 8 bytes the peer echoes in a pong.
  case ping(UInt64)
  case pong(UInt64)
  case bye(Goodbye)
  case error(ErrorReport)
  /// A file transfer's frame (types `0x40`–`0x47`, capability `files`).
  case file(FileFrame)

  /// The type byte this frame carries in its header.
  public var type: FrameType {
    switch self {
    case .hello: .hello
    case .cpace: .cpace
    case .noise: .noise
    case .sealed: .sealed
    case .session: .session
    case .sessionAccept: .sessionAccept
    case .ack: .ack
    case .refused: .refused
    case .text: .text
    case .roomText: .roomText
    case .roomEvent: .roomEvent
    case .whoRequest: .whoRequest
    case .ping: .ping
    case .pong: .pong
    case .bye: .bye
    case .error: .error
    case .file(let file): file.type
    }
  }

  /// Bytes of payload, without the header.
  public var payloadLength: Int {
    switch self {
    case .hello(let hello):
      40 + 1 + hello.name.utf8.count + 1
        + hello.capabilities.reduce(0) { $0 + 1 + $1.utf8.count }
    case .cpace(let share): share.count
    case .noise(let message): message.count
    case .sealed(let record): record.readableBytes
    case .session: SessionRequest.payloadLength
    case .sessionAccept: SessionAcceptance.payloadLength
    case .ack: 8
    case .refused(let refusal): 8 + refusal.reason.utf8.count
    case .text(let message): 8 + message.text.utf8.count
    case .roomText(let message): 8 + 1 + message.sender.utf8.count + message.text.utf8.count
    case .roomEvent(let event): 1 + 2 + 1 + event.name.utf8.count + event.detail.utf8.count
    case .whoRequest: 0
    case .ping, .pong: 8
    case .bye(let bye): 2 + bye.reason.utf8.count
    case .error(let report): 2 + report.message.utf8.count
    case .file(let file): file.payloadLength
    }
  }

  /// Bytes on the wire, header included.
  public var wireLength: Int { FrameHeader.size + payloadLength }
}
