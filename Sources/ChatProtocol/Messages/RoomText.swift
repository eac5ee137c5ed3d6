/// A message relayed by a room, with the name of the participant who wrote it.
///
/// ```
/// offset  size  field
///      0     8  sequence number (UInt64), counted with TEXT frames on this connection
///      8     1  sender name length N (1...64)
///      9     N  sender name, UTF-8
///    9+N     n  text, UTF-8, at least one byte
/// ```
public struct RoomText: Hashable, Sendable {
  /// What a ROOM_TEXT payload adds to the TEXT it relays: the name's length byte and the
  /// longest name. A relay that takes TEXT payloads this much smaller than its members'
  /// maximum never relays a frame too large for them.
  public static let senderOverhead = 1 + Hello.maximumNameLength

  public var sequence: UInt64
  public var sender: String
  public var text: String

  public init(sequence: UInt64, sender: String, text: String) {
    self.sequence = sequence
    self.sender = sender
    self.text = text
  }
}
