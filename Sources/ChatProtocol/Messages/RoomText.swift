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
  public var sequence: UInt64
  public var sender: String
  public var text: String

  public init(sequence: UInt64, sender: String, text: String) {
    self.sequence = sequence
    self.sender = sender
    self.text = text
  }
}
