/// A chat message: its sequence number in the session and its UTF-8 text.
///
/// ```
/// offset  size  field
///      0     8  sequence number (UInt64), 1 for the first message in each direction
///      8     n  text, UTF-8, at least one byte
/// ```
public struct TextMessage: Hashable, Sendable {
  public var sequence: UInt64
  public var text: String

  public init(sequence: UInt64, text: String) {
    self.sequence = sequence
    self.text = text
  }
}
