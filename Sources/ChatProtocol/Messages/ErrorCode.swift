/// Numeric reasons carried by ``Frame/error(_:)`` frames (a UInt16 on the wire).
///
/// Unknown codes from a newer peer are kept as they are and shown with the peer's text.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public var rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  /// A frame arrived that is not allowed in the current state (for example text before auth).
  public static let unexpectedFrame = ErrorCode(rawValue: 1)
  /// A header announced a payload above the receiver's maximum.
  public static let frameTooLarge = ErrorCode(rawValue: 2)
  /// The frame type byte is not one this version knows.
  public static let unknownFrameType = ErrorCode(rawValue: 3)
  /// A text field is not valid UTF-8.
  public static let invalidUTF8 = ErrorCode(rawValue: 4)
  /// A payload is too short, too long, or a field length inside it is out of range.
  public static let malformedFrame = ErrorCode(rawValue: 5)
  /// The peer's hello announced a protocol version this side does not speak.
  public static let unsupportedVersion = ErrorCode(rawValue: 6)
  /// The peer's auth proof did not verify: the shared secrets differ.
  public static let authFailed = ErrorCode(rawValue: 7)
  /// This side requires a shared secret and the peer offered none.
  public static let authRequired = ErrorCode(rawValue: 8)
  /// The peer offered authentication but this side has no shared secret.
  public static let authNotConfigured = ErrorCode(rawValue: 9)
  /// Hello and auth did not finish within the time limit.
  public static let handshakeTimeout = ErrorCode(rawValue: 10)
  /// The listener already has a conversation and takes no second peer.
  public static let busy = ErrorCode(rawValue: 11)
  /// The peer stopped reading and its outgoing queue hit the limit.
  public static let tooSlow = ErrorCode(rawValue: 12)
  /// A text frame's sequence number skipped ahead.
  public static let sequenceGap = ErrorCode(rawValue: 13)
  /// The bytes do not look like this protocol at all (HTTP, TLS, ...).
  public static let notChatProtocol = ErrorCode(rawValue: 14)
  /// The client sent messages faster than the room allows, for too long.
  public static let rateLimited = ErrorCode(rawValue: 15)
  /// Too many failed authentications came from this address recently.
  public static let authThrottled = ErrorCode(rawValue: 16)
  /// Nothing arrived from the peer for the dead-peer time, pings included.
  public static let peerSilent = ErrorCode(rawValue: 17)
  /// A newer connection resumed this session; this one is closed.
  public static let sessionTakenOver = ErrorCode(rawValue: 18)
  /// The hello's name breaks the rules for names (invisible, blank, format, bidi, control,
  /// unassigned or private-use characters, separators, spaces other than U+0020, a space at
  /// an end or two in a row, combining marks with no base): choose another.
  public static let invalidName = ErrorCode(rawValue: 19)
  /// A record of the encrypted channel did not authenticate, or the handshake's keys don't
  /// agree: someone on the path changed, replayed, dropped or reordered bytes.
  public static let tampered = ErrorCode(rawValue: 20)
  /// The peer's identity key differs from the one pinned for it: refused before any message.
  public static let keyChanged = ErrorCode(rawValue: 21)

  /// Whether the code reports an authentication outcome rather than a transport fault.
  public var isAuthentication: Bool {
    self == .authFailed || self == .authRequired || self == .authNotConfigured
  }

  public var description: String {
    switch self {
    case .unexpectedFrame: "unexpected frame"
    case .frameTooLarge: "frame too large"
    case .unknownFrameType: "unknown frame type"
    case .invalidUTF8: "invalid UTF-8"
    case .malformedFrame: "malformed frame"
    case .unsupportedVersion: "unsupported protocol version"
    case .authFailed: "auth failed"
    case .authRequired: "auth required"
    case .authNotConfigured: "auth not configured"
    case .handshakeTimeout: "handshake timeout"
    case .busy: "busy"
    case .tooSlow: "too slow"
    case .sequenceGap: "sequence gap"
    case .notChatProtocol: "not the chat protocol"
    case .rateLimited: "rate limited"
    case .tampered: "tampered"
    case .keyChanged: "key changed"
    case .authThrottled: "auth throttled"
    case .peerSilent: "peer silent"
    case .sessionTakenOver: "session taken over"
    case .invalidName: "invalid name"
    default: "error \(rawValue)"
    }
  }
}
