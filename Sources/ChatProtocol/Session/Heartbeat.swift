/// When to probe the peer, when it is late, and when it is dead: the timing of one
/// established session, as a value. Time comes in as monotonic nanoseconds.
///
/// A ping goes out at once and then every `pingInterval` while none is outstanding. Any
/// frame from the peer counts as hearing from it. Silence beyond ``lateAfter`` is reported
/// (and again once a second, to update "last heard N s ago"); silence of `deadAfter` ends
/// the session. While this side is not reading from the peer (pacing it), its silence is
/// ours, not the peer's, and does not count.
public struct Heartbeat: Hashable, Sendable {
  /// What a ``tick(now:)`` found.
  public enum Finding: Hashable, Sendable {
    /// Silent for the dead-peer time.
    case dead
    /// A ping (carrying `value`) is due, and whether the peer is late (with how long it has
    /// been silent).
    case alive(ping: UInt64?, lateFor: UInt64?)
  }

  /// Why this side may stop reading from the peer. Each is lifted on its own: the room's
  /// pacing ending must not count the peer's silence while the front end is still behind.
  public enum Pause: Hashable, Sendable {
    /// The room paces a sender over its rate.
    case pacing
    /// The front end has not taken what the peer sent.
    case frontEndBehind
  }

  public let pingInterval: UInt64
  public let deadAfter: UInt64
  private var outstandingPing: UInt64?
  private var lastPingSent: UInt64?
  private var lastHeard: UInt64?
  private var lastTick: UInt64?
  private var pauses: Set<Pause> = []
  /// Whether lateness was reported and the peer has not been heard since.
  public private(set) var reportedLate = false

  public init(pingInterval: UInt64, deadAfter: UInt64) {
    self.pingInterval = pingInterval
    self.deadAfter = deadAfter
  }

  /// Silence beyond a ping interval plus this much is reported as the peer being late.
  public var lateAfter: UInt64 { pingInterval + min(2_000_000_000, deadAfter / 4) }

  /// A frame arrived from the peer. Returns whether the peer had been reported late.
  public mutating func heard(now: UInt64) -> Bool {
    lastHeard = now
    defer { reportedLate = false }
    return reportedLate
  }

  /// A pong carrying `value` arrived: the round trip, if it answers the outstanding ping.
  public mutating func pong(_ value: UInt64, now: UInt64) -> UInt64? {
    guard let sent = outstandingPing, sent == value, now >= sent else { return nil }
    outstandingPing = nil
    return now - sent
  }

  /// This side stopped reading from the peer for `cause`, or no longer does; once nothing
  /// holds the reading back, the peer's silence counts from `now`.
  public mutating func setPaused(_ paused: Bool, for cause: Pause, now: UInt64) {
    let wasPaused = !pauses.isEmpty
    if paused { pauses.insert(cause) } else { pauses.remove(cause) }
    if wasPaused, pauses.isEmpty { lastHeard = now }
  }

  /// What is due at `now`: a ping, a lateness report, or the end.
  public mutating func tick(now: UInt64) -> Finding {
    if !pauses.isEmpty { lastHeard = now }
    let heard = lastHeard ?? now
    lastHeard = heard
    lastTick = now
    let silence = now >= heard ? now - heard : 0
    if silence >= deadAfter { return .dead }
    var ping: UInt64?
    if outstandingPing == nil, lastPingSent.map({ now >= $0 + pingInterval }) ?? true {
      outstandingPing = now
      lastPingSent = now
      ping = now
    }
    guard silence >= lateAfter else { return .alive(ping: ping, lateFor: nil) }
    reportedLate = true
    return .alive(ping: ping, lateFor: silence)
  }

  /// When ``tick(now:)`` next has something to do.
  public var nextTick: UInt64 {
    guard let heard = lastHeard else { return 0 }
    var next = heard + deadAfter
    if outstandingPing == nil {
      // The first ping goes out at once: the round trip is known from the start.
      guard let sent = lastPingSent else { return heard }
      next = min(next, sent + pingInterval)
    }
    // While late, once a second, to update "last heard N s ago".
    let late = reportedLate ? (lastTick ?? heard) + 1_000_000_000 : heard + lateAfter
    return min(next, late)
  }
}
