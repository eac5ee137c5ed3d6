public import ChatProtocol
import DequeModule

/// The room's recent messages, kept so that a client resuming its session gets what it
/// missed while it was away. Bounded by count and by bytes; the oldest go first.
public struct RoomHistory: Sendable {
  public let maximumCount: Int
  public let maximumBytes: Int
  private var messages: Deque<RoomText> = []
  private var bytes = 0

  public init(maximumCount: Int = 10_000, maximumBytes: Int = 8 << 20) {
    self.maximumCount = max(0, maximumCount)
    self.maximumBytes = max(0, maximumBytes)
  }

  public mutating func append(_ message: RoomText) {
    guard maximumCount > 0 else { return }
    messages.append(message)
    bytes += Frame.roomText(message).wireLength
    while messages.count > maximumCount || (bytes > maximumBytes && messages.count > 1) {
      bytes -= Frame.roomText(messages.removeFirst()).wireLength
    }
  }

  /// The messages numbered after `sequence`, and how many of those are no longer kept,
  /// given that the room's last message is `last`.
  public func messages(after sequence: UInt64, last: UInt64) -> (kept: [RoomText], forgotten: UInt64) {
    guard sequence < last else { return ([], 0) }
    let kept = Array(messages.filter { $0.sequence > sequence })
    let first = kept.first?.sequence ?? last + 1
    return (kept, first - sequence - 1)
  }
}
