/// The payload of a ``Frame/bye(_:)`` frame: a code and human-readable UTF-8 reason.
///
/// ```
/// offset  size  field
///      0     2  code (UInt16), see ByeCode
///      2     n  reason, UTF-8, may be empty
/// ```
public struct Goodbye: Hashable, Sendable {
  public var code: ByeCode
  public var reason: String

  public init(code: ByeCode, reason: String) {
    self.code = code
    self.reason = reason
  }
}
