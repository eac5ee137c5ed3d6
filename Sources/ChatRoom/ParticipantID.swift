/// Identifies a participant for the life of the room. The host (the person at the
/// listening terminal) is always ``host``.
public struct ParticipantID: Hashable, Sendable, Comparable, CustomStringConvertible {
  public let value: Int
  public init(_ value: Int) { self.value = value }
  public static let host = ParticipantID(0)
  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
  public var description: String { "#\(value)" }
}
