/// When and how often a connector tries again after a connection fails or drops.
///
/// The wait doubles with each failed attempt, from ``initialDelay`` up to ``maximumDelay``,
/// and each wait is drawn at random from its upper half ("equal jitter") so that many
/// clients cut off together do not all come back at the same instant.
public struct ReconnectPolicy: Sendable, Hashable {
  /// Whether to reconnect at all (`--no-reconnect` turns it off).
  public var isEnabled: Bool
  /// The wait before the first retry, in nanoseconds.
  public var initialDelay: UInt64
  /// The longest wait between attempts, in nanoseconds.
  public var maximumDelay: UInt64
  /// Attempts after which the connector gives up; nil for no limit.
  public var maximumAttempts: Int?

  public init(
    isEnabled: Bool = true,
    initialDelay: UInt64 = 500_000_000,
    maximumDelay: UInt64 = 30_000_000_000,
    maximumAttempts: Int? = nil
  ) {
    self.isEnabled = isEnabled
    self.initialDelay = max(1, initialDelay)
    self.maximumDelay = max(self.initialDelay, maximumDelay)
    self.maximumAttempts = maximumAttempts
  }

  /// No reconnection: the first failure or drop is final.
  public static let never = ReconnectPolicy(isEnabled: false)

  /// The wait before retry number `attempt` (1 for the first retry), in nanoseconds.
  public func delay(beforeAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> UInt64 {
    let doublings = UInt64(min(max(attempt - 1, 0), 40))
    let (scaled, overflow) = initialDelay.multipliedReportingOverflow(by: 1 << min(doublings, 40))
    let ceiling = overflow ? maximumDelay : min(scaled, maximumDelay)
    return UInt64.random(in: (ceiling / 2)...ceiling, using: &generator)
  }

  /// Whether attempt number `attempt` may still be made.
  public func allows(attempt: Int) -> Bool {
    guard isEnabled else { return false }
    guard let maximumAttempts else { return true }
    return attempt <= maximumAttempts
  }
}
