/// One sender's sequence numbers as they arrive: which to accept, and what UDP did (losses,
/// duplicates, reordering). Pure, like a replay window in IPsec or DTLS.
///
/// It remembers the highest number seen and which of the ``width`` numbers below it were
/// seen, so a datagram is accepted at most once: a replay of a recorded datagram is a
/// duplicate (or stale), never a second message.
public struct DatagramWindow: Hashable, Sendable {
  /// How far behind the newest a datagram may arrive and still be accepted.
  public static let width: UInt64 = 64

  /// What to do with one datagram.
  public enum Verdict: Hashable, Sendable {
    /// New, in order (`gap` numbers were skipped just before it).
    case accepted(gap: UInt64)
    /// New, but after a later one: accepted, and one fewer lost.
    case reordered
    /// Seen before: drop it.
    case duplicate
    /// Too old to tell: drop it.
    case stale
  }

  /// The highest sequence number accepted; 0 before the first.
  public private(set) var highest: UInt64 = 0
  /// Bit i set: `highest - 1 - i` was seen.
  private var seen: UInt64 = 0
  public private(set) var counts = DatagramCounts()

  public init() {}

  /// Takes sequence number `sequence` (numbers start at 1, as senders number them).
  public mutating func receive(_ sequence: UInt64) -> Verdict {
    if sequence > highest {
      // Numbers between the old highest and this one are gaps (before the first datagram
      // that is every number from 1: the peer's earlier datagrams never came).
      let gap = sequence - highest - 1
      let shift = sequence - highest
      seen = shift >= 64 ? 0 : (seen << shift)
      if highest > 0, shift <= 64 { seen |= 1 << (shift - 1) }
      highest = sequence
      counts.received += 1
      counts.lost += Int(clamping: gap)
      return .accepted(gap: gap)
    }
    if sequence == highest {
      counts.duplicated += 1
      return .duplicate
    }
    let back = highest - sequence
    if back > Self.width || sequence == 0 {
      counts.stale += 1
      return .stale
    }
    let bit: UInt64 = 1 << (back - 1)
    if seen & bit != 0 {
      counts.duplicated += 1
      return .duplicate
    }
    seen |= bit
    counts.received += 1
    counts.lost -= 1
    counts.reordered += 1
    return .reordered
  }

  /// Counts one datagram from this sender that did not parse or authenticate.
  public mutating func reject() {
    counts.rejected += 1
  }
}
