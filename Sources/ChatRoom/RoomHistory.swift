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

  /// The messages numbered after `sequence`, at most about `maximumBytes` of them on the
  /// wire (always at least one, if there is one), and how many after `sequence` are no
  /// longer kept, given that the room's last message is `last`. A resumed member's catch-up
  /// reads the history a piece at a time like this, as fast as it takes them.
  public func messages(
    after sequence: UInt64, last: UInt64, maximumBytes: Int = .max
  ) -> (kept: [RoomText], forgotten: UInt64) {
    guard sequence < last else { return ([], 0) }
    // Kept messages have consecutive numbers: the first one after `sequence` is found by
    // arithmetic, not by a search.
    guard let oldest = messages.first?.sequence else { return ([], last - sequence) }
    let start = sequence < oldest ? 0 : Int(sequence - oldest + 1)
    var kept: [RoomText] = []
    var bytes = 0
    var index = start
    while index < messages.count, bytes < maximumBytes || kept.isEmpty {
      kept.append(messages[index])
      bytes += Frame.roomText(messages[index]).wireLength
      index += 1
    }
    let first = kept.first?.sequence ?? last + 1
    return (kept, first > sequence ? first - sequence - 1 : 0)
  }
}
