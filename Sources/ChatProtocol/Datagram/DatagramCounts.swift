/// What UDP did to one peer's datagrams, as this side saw it: the numbers the screen and
/// the plain `udp-stats` line show.
public struct DatagramCounts: Hashable, Sendable, CustomStringConvertible {
  /// Datagrams accepted: each sequence number once.
  public var received = 0
  /// Sequence numbers skipped and not (yet) seen: a gap counts here until the datagram
  /// turns up late, when it moves to ``reordered``.
  public var lost = 0
  /// Datagrams whose sequence number was already seen (the network's duplicates, or
  /// replays): dropped.
  public var duplicated = 0
  /// Datagrams that arrived after a later one: accepted, and no longer lost.
  public var reordered = 0
  /// Datagrams too far behind the newest to tell from a replay (more than
  /// ``DatagramWindow/width`` numbers back): dropped, and their numbers stay lost.
  public var stale = 0
  /// Datagrams that did not parse or authenticate.
  public var rejected = 0

  public init() {}

  public var description: String {
    "\(received) received, \(lost) lost, \(duplicated) duplicated, \(reordered) reordered, \(stale) stale, \(rejected) rejected"
  }
}
