/// Failed authentications per address (``AddressKey``), and how long each address must wait
/// before its next attempt: guessing the secret is slowed, honest users of the address are
/// not locked out.
///
/// The first `allowed − 1` failures cost nothing. The `allowed`-th makes the next attempt
/// wait 1 s, and each failure after it doubles the wait, up to `maximumWait`: with the
/// defaults (5, 60 s) a guesser gets 5 tries at once, 5 more over the next 31 s, then one a
/// minute, while a person who mistyped the secret five times waits one second. An address
/// whose wait has ended and that fails no more for `forgetAfter` seconds is forgotten.
///
/// The table holds at most `capacity` addresses: quiet ones are swept out as time passes,
/// and when a spray of addresses fills it anyway the oldest quarter is dropped, so memory
/// stays bounded whatever the number of source addresses.
public struct AuthThrottle: Sendable {
  struct Record: Sendable {
    var failures: Int
    var lastFailure: UInt64
    /// No attempt from the address is admitted before this time.
    var waitUntil: UInt64
  }

  let allowed: Int
  let firstWait: UInt64
  let maximumWait: UInt64
  let forgetAfter: UInt64
  let capacity: Int
  private var records: [String: Record] = [:]
  private var lastSweep: UInt64 = 0

  /// Times are monotonic nanoseconds; the limits in seconds.
  public init(allowed: Int, firstWait: Double = 1, maximumWait: Double, forgetAfter: Double, capacity: Int) {
    self.allowed = max(1, allowed)
    self.firstWait = UInt64(max(0.001, firstWait) * 1e9)
    self.maximumWait = UInt64(maximumWait * 1e9)
    self.forgetAfter = UInt64(forgetAfter * 1e9)
    self.capacity = max(1, capacity)
  }

  /// Addresses on record.
  public var count: Int { records.count }

  /// A connection from `key` wants to try: returns the nanoseconds it must still wait, or
  /// nil to let it try now. Once an address is past its allowance, each attempt let in
  /// reserves the wait its failure would bring, so that many connections opened the moment
  /// a wait ends get one guess, not one each.
  public mutating func admit(_ key: AddressKey, now: UInt64) -> UInt64? {
    guard var record = records[key.description] else { return nil }
    if now < record.waitUntil { return record.waitUntil - now }
    if record.failures + 1 >= allowed {
      record.waitUntil = now + waitAfter(failures: record.failures + 1)
      records[key.description] = record
    }
    return nil
  }

  /// An attempt from `key` failed. Returns the failures on record for it and the wait
  /// before its next attempt (0 while failures are still free).
  public mutating func failed(_ key: AddressKey, now: UInt64) -> (failures: Int, wait: UInt64) {
    sweep(now: now)
    var record = records[key.description] ?? Record(failures: 0, lastFailure: now, waitUntil: now)
    if records[key.description] == nil, records.count >= capacity { evictOldest() }
    record.failures += 1
    record.lastFailure = now
    let wait = waitAfter(failures: record.failures)
    record.waitUntil = max(record.waitUntil, now + wait)
    records[key.description] = record
    return (record.failures, wait)
  }

  /// 0 for the free failures, then the first wait (1 s) doubling up to the maximum.
  func waitAfter(failures: Int) -> UInt64 {
    guard failures >= allowed else { return 0 }
    let doublings = min(failures - allowed, 30)
    let wait = firstWait << UInt64(doublings)
    return min(wait, maximumWait)
  }

  /// Forgets addresses that have been quiet for `forgetAfter` since their wait ended. Runs
  /// at most once a second, so a burst of failures costs one pass over the table.
  private mutating func sweep(now: UInt64) {
    guard now >= lastSweep + 1_000_000_000 || records.count >= capacity else { return }
    lastSweep = now
    records = records.filter { _, record in
      now < max(record.waitUntil, record.lastFailure) + forgetAfter
    }
  }

  /// The table is full of live records: drop the quarter that failed longest ago.
  private mutating func evictOldest() {
    let oldest = records.sorted { $0.value.lastFailure < $1.value.lastFailure }.prefix(max(1, capacity / 4))
    for (key, _) in oldest { records[key] = nil }
  }
}
