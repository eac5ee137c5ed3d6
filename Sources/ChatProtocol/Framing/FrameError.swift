/// Why a byte stream could not be decoded into frames, with the code to send to the peer.
///
/// Once a decoder reports an error the stream is out of step and the connection must close:
/// the session sends an ``Frame/error(_:)`` frame with ``code`` and ``message`` and hangs up.
public struct FrameError: Error, Hashable, Sendable, CustomStringConvertible {
  public var code: ErrorCode
  public var message: String

  public init(_ code: ErrorCode, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
