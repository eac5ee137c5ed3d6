/// A token bucket: holds up to `capacity` tokens and gains `rate` per second. Pure: the
/// caller passes the time (monotonic nanoseconds).
///
/// Spending never fails: a message that has already arrived is passed on, and the bucket
/// may go into debt. The owner then waits (``nanosecondsUntilRepaid(now:)``) before taking
/// more: that is how a sender is paced rather than refused.
public struct TokenBucket: Hashable, Sendable {
  public let capacity: Double
  public let rate: Double
  public private(set) var tokens: Double
  private var last: UInt64?

  public init(capacity: Double, rate: Double) {
    self.capacity = capacity
    self.rate = rate
    self.tokens = capacity
  }

  /// Takes `amount` tokens, going into debt if there are not that many.
  public mutating func spend(_ amount: Double, now: UInt64) {
    refill(now: now)
    tokens -= amount
  }

  /// How long until the bucket is out of debt (0 when it is not in debt).
  public mutating func nanosecondsUntilRepaid(now: UInt64) -> UInt64 {
    refill(now: now)
    guard tokens < 0 else { return 0 }
    guard rate > 0 else { return .max }
    return UInt64((-tokens / rate * 1e9).rounded(.up))
  }

  private mutating func refill(now: UInt64) {
    if let last, now > last {
      tokens = min(capacity, tokens + Double(now - last) / 1e9 * rate)
    }
    last = max(last ?? now, now)
  }
}
