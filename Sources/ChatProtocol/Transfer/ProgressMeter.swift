/// A transfer's speed, smoothed, and when its progress is next worth reporting: a few times
/// a second at most, so a fast transfer doesn't flood the screen or the plain output.
public struct ProgressMeter: Sendable {
  /// Smoothed bytes per second (an exponentially weighted average over about a second).
  public private(set) var bytesPerSecond: Double = 0
  private var lastSample: (time: UInt64, bytes: UInt64)?
  private var lastReport: UInt64?
  /// Least time between two reports, in nanoseconds.
  public let reportInterval: UInt64

  public init(reportInterval: UInt64 = 250_000_000) {
    self.reportInterval = reportInterval
  }

  /// `bytes` have gone through by `now` (monotonic nanoseconds). Returns whether a progress
  /// report is due.
  public mutating func record(bytes: UInt64, now: UInt64) -> Bool {
    guard let sample = lastSample else {
      lastSample = (now, bytes)
      lastReport = now
      return false
    }
    let elapsed = now &- sample.time
    if elapsed >= 50_000_000 {
      let rate = Double(bytes &- sample.bytes) / (Double(elapsed) / 1e9)
      // Weight by time: a sample covering a second counts for about 63 %.
      let weight = 1 - exp(-Double(elapsed) / 1e9)
      bytesPerSecond = bytesPerSecond == 0 ? rate : bytesPerSecond + weight * (rate - bytesPerSecond)
      lastSample = (now, bytes)
    }
    guard let last = lastReport, now &- last >= reportInterval else { return false }
    lastReport = now
    return true
  }

  /// Seconds left at the smoothed speed, or nil while there is no speed yet.
  public func secondsLeft(remaining: UInt64) -> Double? {
    bytesPerSecond > 0 ? Double(remaining) / bytesPerSecond : nil
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
