/// A room's parts of a session: on the relay's side, passing messages on and confirming
/// what the room relayed; on a member's side, asking who is there.
extension SessionMachine {
  /// Relay side, with ``Configuration/acknowledgesWhenRelayed``: the room has passed on
  /// the peer's messages up to `sequence`; the next ``acknowledge()`` confirms them.
  public mutating func relayed(through sequence: UInt64) {
    guard sequence > lastRelayedSequence, sequence <= conversation.lastReceivedSequence else { return }
    lastRelayedSequence = sequence
    acknowledgementDue = usesReceipts
  }

  /// Listener side: the message numbered `sequence` from the peer will not be delivered.
  public mutating func refuse(sequence: UInt64, reason: String) -> [SessionAction] {
    guard usesReceipts, isEstablished else { return [] }
    return [.send(.refused(Refusal(sequence: sequence, reason: reason)))]
  }

  /// Whether both hellos listed the `room` capability.
  public var supportsRoom: Bool {
    guard case .established(let peer) = state else { return false }
    return peer.capabilities.contains(Capability.room) && configuration.capabilities.contains(Capability.room)
  }

  /// The relay passes on `text` written by `sender` to a peer without the `room`
  /// capability, as a TEXT frame reading "sender: text". (Peers with it get ROOM_TEXT
  /// frames the room encodes once for all of them.)
  public mutating func relay(_ text: String, from sender: String) -> [SessionAction] {
    guard case .established(let peer) = state else { return [] }
    let sequence = conversation.lastSentSequence + 1
    let frame = Frame.text(TextMessage(sequence: sequence, text: "\(sender): \(text)"))
    guard frame.payloadLength <= peer.maximumPayloadLength else {
      return [
        .report(
          .messageNotSent(text, reason: "\(frame.payloadLength) bytes is more than \(peer.name) accepts"))
      ]
    }
    conversation.lastSentSequence = sequence
    return [.send(frame)]
  }

  /// The relay tells the peer about the room. A peer without the `room` capability gets
  /// joins, leaves and notices as TEXT lines starting with "* ", and nothing else.
  public mutating func announce(_ event: RoomEvent) -> [SessionAction] {
    guard isEstablished else { return [] }
    if supportsRoom { return [.send(.roomEvent(event))] }
    let line: String
    switch event.kind {
    case .joined: line = event.detail.isEmpty ? "* \(event.name) joined" : "* \(event.name) joined (\(event.detail))"
    case .left: line = "* \(event.name) left: \(event.detail)"
    case .notice: line = "* \(event.detail)"
    case .welcome, .who: return []
    }
    conversation.lastSentSequence += 1
    return [.send(.text(TextMessage(sequence: conversation.lastSentSequence, text: line)))]
  }

  /// Asks the relay for its participant list (/who).
  public mutating func requestWho() -> [SessionAction] {
    supportsRoom ? [.send(.whoRequest)] : []
  }
}
