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
}
