/// The payload of an ``Frame/error(_:)`` frame: a code and a human-readable UTF-8 message.
///
/// ```
/// offset  size  field
///      0     2  code (UInt16), see ErrorCode
///      2     n  message, UTF-8, may be empty
/// ```
public struct ErrorReport: Hashable, Sendable {
  public var code: ErrorCode
  public var message: String

  public init(code: ErrorCode, message: String) {
    self.code = code
    self.message = message
  }

  public init(_ error: FrameError) {
    self.init(code: error.code, message: error.message)
  }
}
