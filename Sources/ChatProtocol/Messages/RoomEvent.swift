/// Something that happened in a room, as the relay tells each participant.
///
/// ```
/// offset  size  field
///      0     1  kind (see Kind)
///      1     2  participants in the room after the event (UInt16)
///      3     1  name length N (1...64)
///      4     N  name, UTF-8: who joined, left, or is listed; your own name for `welcome`
///    4+N     n  detail, UTF-8, may be empty
/// ```
public struct RoomEvent: Hashable, Sendable {
  public enum Kind: UInt8, Hashable, Sendable {
    /// `name` joined; detail: whether it authenticated, after its address for the host
    /// (and for everyone with `--show-addresses`).
    case joined = 1
    /// `name` left; detail: the reason.
    case left = 2
    /// Sent once after the handshake: `name` is your name in this room (a suffix is added
    /// when the name you asked for is taken); detail describes the room.
    case welcome = 3
    /// One participant in answer to WHO; detail: address, auth, since, counters.
    case who = 4
    /// A notice for you from the relay (for example that you are being rate-limited).
    case notice = 5
  }

  /// The longest detail a relay sends, in UTF-8 bytes: reasons and descriptions that come
  /// from a peer (a goodbye's reason becomes the "left" detail) are cut to this.
  public static let maximumDetailLength = 300

  /// `text` cut to at most ``maximumDetailLength`` UTF-8 bytes, at a character boundary,
  /// with "…" where it was cut.
  public static func capped(_ text: String) -> String {
    guard text.utf8.count > maximumDetailLength else { return text }
    return text.prefix(utf8Bytes: maximumDetailLength - "…".utf8.count) + "…"
  }

  public var kind: Kind
  public var participantCount: Int
  public var name: String
  public var detail: String

  public init(kind: Kind, participantCount: Int, name: String, detail: String) {
    self.kind = kind
    self.participantCount = participantCount
    self.name = name
    self.detail = detail
  }
}
