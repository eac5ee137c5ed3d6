public import ChatProtocol

extension SessionEnd {
  /// Why a participant whose session ended this way left, as the room tells the others.
  public var leaveReason: String {
    switch self {
    case .peerClosed(let bye): bye.reason.isEmpty ? "\(bye.code)" : bye.reason
    case .localClose(let bye): bye.reason.isEmpty ? "removed by the relay" : bye.reason
    case .authFailed(let reason): "auth failed: \(reason)"
    case .failed(_, let reason): reason
    case .connectionLost(let reason): reason
    case .peerSilent(let reason): reason
    }
  }

  /// Whether a member whose session ended this way may come back to resume it: its
  /// connection was lost or it stopped answering, rather than it saying goodbye, failing
  /// to authenticate or breaking the protocol. Such a member keeps its place for a while.
  public var mayResume: Bool {
    switch self {
    case .connectionLost, .peerSilent: true
    case .failed(let code, _): code == .tooSlow || code == .peerSilent
    case .peerClosed, .localClose, .authFailed: false
    }
  }
}
