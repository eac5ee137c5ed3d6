/// A file frame that is well formed but doesn't fit its transfer: a chunk out of order,
/// past the size or beyond the credit, an offset past the end. It ends that transfer (the
/// side that sees it sends FILE_CANCEL with ``message``), never the session.
public struct TransferFault: Error, Hashable, Sendable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }
}
