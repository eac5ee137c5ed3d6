/// How many log lines the relay writes, per address and in all, so that no peer can grow the
/// log without bound (a process that connects and fails in a loop, with a reason of a
/// megabyte each time, once grew it 7 MB/s).
///
/// Each address (``AddressKey``) has a token bucket of lines (`perAddressBurst`, refilled at
/// `perAddressRate` a second), and all lines share one more (`totalBurst`, `totalRate`). A
/// line is written when both buckets allow it; otherwise it is counted, and the count is
/// reported with the next line written for that address (and, for the shared bucket, with
/// the next line written at all), so the log says what it left out.
///
/// At most `capacity` addresses are remembered; past that the least recently seen quarter is
/// dropped and their counts are reported with the next line written.
public struct LogLimiter: Sendable {
  /// What to do with one line.
  public enum Verdict: Hashable, Sendable {
    /// Write it; first say how many lines were left out since the last one written for this
    /// address (`fromAddress`) and in all (`overall`, over the shared limit or forgotten).
    case write(suppressedFromAddress: Int, suppressedOverall: Int)
    /// Leave it out (it is counted).
    case suppress
  }

  struct Entry: Sendable {
    var bucket: TokenBucket
    var suppressed = 0
    var lastSeen: UInt64
  }

  public let perAddressBurst: Double
  public let perAddressRate: Double
  public let capacity: Int
  private var total: TokenBucket
  private var suppressedOverall = 0
  private var entries: [String: Entry] = [:]

  public init(
    perAddressBurst: Double = 20, perAddressRate: Double = 1, totalBurst: Double = 200, totalRate: Double = 50,
    capacity: Int = 4_096
  ) {
    self.perAddressBurst = perAddressBurst
    self.perAddressRate = perAddressRate
    self.capacity = max(4, capacity)
    total = TokenBucket(capacity: totalBurst, rate: totalRate)
  }

  /// Addresses remembered.
  public var count: Int { entries.count }

  /// A line about `address` (nil: about the room, not one peer) is to be logged at `now`
  /// (monotonic nanoseconds).
  public mutating func admit(address: String?, now: UInt64) -> Verdict {
    guard let address else { return admitOverall(now: now, fromAddress: 0) }
    let key = AddressKey(address).description
    if entries[key] == nil, entries.count >= capacity { forgetOldest() }
    var entry =
      entries[key] ?? Entry(bucket: TokenBucket(capacity: perAddressBurst, rate: perAddressRate), lastSeen: now)
    entry.lastSeen = now
    guard Self.take(from: &entry.bucket, now: now) else {
      entry.suppressed += 1
      entries[key] = entry
      return .suppress
    }
    let verdict = admitOverall(now: now, fromAddress: entry.suppressed)
    if verdict != .suppress { entry.suppressed = 0 }
    entries[key] = entry
    return verdict
  }

  private mutating func admitOverall(now: UInt64, fromAddress: Int) -> Verdict {
    guard Self.take(from: &total, now: now) else {
      suppressedOverall += 1
      return .suppress
    }
    defer { suppressedOverall = 0 }
    return .write(suppressedFromAddress: fromAddress, suppressedOverall: suppressedOverall)
  }

  /// One line's token, if the bucket has one (a log line is left out, never paced).
  private static func take(from bucket: inout TokenBucket, now: UInt64) -> Bool {
    _ = bucket.nanosecondsUntilRepaid(now: now)  // brings the bucket up to `now`
    guard bucket.tokens >= 1 else { return false }
    bucket.spend(1, now: now)
    return true
  }

  private mutating func forgetOldest() {
    let oldest = entries.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(capacity / 4)
    for (key, entry) in oldest {
      suppressedOverall += entry.suppressed
      entries[key] = nil
    }
  }
}
