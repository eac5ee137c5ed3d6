/// How a session ended. Reported exactly once per session.
public enum SessionEnd: Hashable, Sendable, CustomStringConvertible {
  /// This side said goodbye.
  case localClose(Goodbye)
  /// The peer said goodbye.
  case peerClosed(Goodbye)
  /// The handshake's authentication failed; the reason says which side lacked what.
  case authFailed(String)
  /// A protocol error, found here (and reported to the peer) or reported by the peer.
  case failed(ErrorCode, String)
  /// The transport went away without a goodbye: reset, EOF, or a local I/O error.
  case connectionLost(String)
  /// Nothing came from the peer, not even a pong, for the dead-peer time: the connection
  /// was closed as dead.
  case peerSilent(String)

  /// Whether this end is an orderly goodbye from either side.
  public var isOrderly: Bool {
    switch self {
    case .localClose, .peerClosed: true
    default: false
    }
  }

  /// The least wait before connecting again, in nanoseconds, when the peer asked for one:
  /// a relay that throttles authentication says "try again in 1.5 s" (or "250 ms"), read
  /// here and bounded to an hour; a minute when it names no time. Trying sooner only meets
  /// the block again.
  public var retryAfter: UInt64? {
    guard case .failed(.authThrottled, let reason) = self else { return nil }
    let nanoseconds = Self.duration(after: "try again in ", in: reason) ?? 60_000_000_000
    return min(max(nanoseconds, 1_000_000), 3_600_000_000_000)
  }

  /// The duration written after `marker` in `text` ("30 s", "1.5 s", "250 ms"), if any.
  private static func duration(after marker: String, in text: String) -> UInt64? {
    guard let range = text.ranges(of: marker).last else { return nil }
    let rest = text[range.upperBound...]
    let number = rest.prefix { ($0.isASCII && $0.isNumber) || $0 == "." }.prefix(12)
    guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
    let unit = rest.dropFirst(number.count).drop { $0 == " " }
    let scale: Double
    if unit.hasPrefix("ms") {
      scale = 1e6
    } else if unit.hasPrefix("s") {
      scale = 1e9
    } else {
      return nil
    }
    return UInt64(min(value * scale, 3.6e12))
  }

  /// Whether connecting again may help: the connection broke or the peer went quiet or
  /// away for a restart. Not after a goodbye, an auth failure or a protocol error, which a
  /// new connection would only repeat. An auth throttle is worth retrying: the relay says
  /// when the address may try again, and the backoff waits about that long.
  public var isWorthReconnecting: Bool {
    switch self {
    case .connectionLost, .peerSilent: true
    case .peerClosed(let bye): bye.code == .shuttingDown
    case .failed(let code, _):
      code == .handshakeTimeout || code == .tooSlow || code == .peerSilent || code == .authThrottled
        || code == .busy
    case .localClose, .authFailed: false
    }
  }

  public var description: String {
    switch self {
    case .localClose(let bye): bye.reason.isEmpty ? "closed (\(bye.code))" : "closed: \(bye.reason)"
    case .peerClosed(let bye): bye.reason.isEmpty ? "peer left (\(bye.code))" : "peer left: \(bye.reason)"
    case .authFailed(let reason): "auth failed: \(reason)"
    case .failed(_, let reason): reason
    case .connectionLost(let reason): reason
    case .peerSilent(let reason): reason
    }
  }
}
