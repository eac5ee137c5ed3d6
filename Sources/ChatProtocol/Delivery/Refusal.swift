/// A REFUSED frame: the receiver will not deliver one of the sender's messages.
///
/// ```
/// offset  size  field
///      0     8  sequence number of the refused TEXT message (UInt64)
///      8     n  reason, UTF-8, may be empty
/// ```
public struct Refusal: Hashable, Sendable {
  public var sequence: UInt64
  public var reason: String

  public init(sequence: UInt64, reason: String) {
    self.sequence = sequence
    self.reason = reason
  }
}
