public import ChatProtocol

extension SessionEvent {
  /// The front end's view of a session report from the peer at `address`, or nil for the
  /// reports that are a relay's business (a request to open a session, a WHO, a receipt
  /// from a member).
  public init?(_ report: SessionReport, address: String) {
    let event: SessionEvent? =
      switch report {
      case .authenticating(let peer):
        .authenticating(peer: peer.name)
      case .established(let peer, let status):
        .established(peer: peer, auth: status, address: address)
      case .messageReceived(let message, let from, let textBytes, let wireBytes):
        .messageReceived(from: from, message: message, textBytes: textBytes, wireBytes: wireBytes)
      case .messageSent(let message, let textBytes, let wireBytes):
        .messageSent(message: message, textBytes: textBytes, wireBytes: wireBytes)
      case .messageNotSent(let text, let reason):
        .messageNotSent(text: text, reason: reason)
      case .messageResent(let message, let textBytes, let wireBytes):
        .messageResent(message: message, textBytes: textBytes, wireBytes: wireBytes)
      case .messagePending(let text, let reason):
        .messagePending(text: text, reason: reason)
      case .delivered(let sequences):
        .delivered(sequences: sequences)
      case .notDelivered(let message, let reason):
        .notDelivered(message: message, reason: reason)
      case .sessionStarted(let id, let start):
        .session(id: id.description, start: start)
      case .peerSilent(let nanoseconds):
        .peerSilent(nanoseconds: nanoseconds)
      case .peerResponsive:
        .peerResponsive
      case .roundTrip(let nanoseconds):
        .roundTrip(nanoseconds: nanoseconds)
      case .ended(let end):
        .disconnected(address: address, end: end)
      case .roomEvent(let event):
        .room(event)
      case .whoRequested, .sessionRequested, .peerAcknowledged:
        nil  // a relay's business, not a front end's
      case .fileFrame:
        nil  // the file transfer layer's (issue 14), which turns it into file events
      }
    guard let event else { return nil }
    self = event
  }
}
