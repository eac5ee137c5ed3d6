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

  /// Whether this end is an orderly goodbye from either side.
  public var isOrderly: Bool {
    switch self {
    case .localClose, .peerClosed: true
    default: false
    }
  }

  public var description: String {
    switch self {
    case .localClose(let bye): bye.reason.isEmpty ? "closed (\(bye.code))" : "closed: \(bye.reason)"
    case .peerClosed(let bye): bye.reason.isEmpty ? "peer left (\(bye.code))" : "peer left: \(bye.reason)"
    case .authFailed(let reason): "auth failed: \(reason)"
    case .failed(_, let reason): reason
    case .connectionLost(let reason): reason
    }
  }
}
