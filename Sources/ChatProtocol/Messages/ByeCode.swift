/// Numeric reasons carried by ``Frame/bye(_:)`` frames (a UInt16 on the wire).
public struct ByeCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public var rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  /// The user ended the conversation (/quit, end of input).
  public static let userQuit = ByeCode(rawValue: 0)
  /// The program is shutting down (signal, listener stopping).
  public static let shuttingDown = ByeCode(rawValue: 1)

  public var description: String {
    switch self {
    case .userQuit: "quit"
    case .shuttingDown: "shutting down"
    default: "bye \(rawValue)"
    }
  }
}
