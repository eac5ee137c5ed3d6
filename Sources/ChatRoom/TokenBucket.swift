/// A token bucket: holds up to `capacity` tokens and gains `rate` per second. Pure: the
/// caller passes the time (monotonic nanoseconds).
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

  /// Takes `amount` tokens if there are that many; returns whether it could.
  public mutating func take(_ amount: Double, now: UInt64) -> Bool {
    if let last, now > last {
      tokens = min(capacity, tokens + Double(now - last) / 1e9 * rate)
    }
    last = now
    guard tokens >= amount else { return false }
    tokens -= amount
    return true
  }
}
