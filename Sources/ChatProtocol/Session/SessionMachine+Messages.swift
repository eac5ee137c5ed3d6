/// Messages and their receipts: sending, receiving in order, acknowledging, and what is
/// reported when a message can't be delivered.
extension SessionMachine {
  /// The user wants `text` sent to the peer.
  public mutating func send(text: String) -> [SessionAction] {
    guard !text.isEmpty else {
      return [.report(.messageNotSent(text, reason: "empty message"))]
    }
    switch state {
    case .idle, .awaitingHello, .handshaking, .confirming, .awaitingSession:
      // Sent once the handshake is done; the front end already shows it as typed.
      guard case .messagePending = conversation.queue(text, reason: "handshake in progress") else {
        return [.report(.messageNotSent(text, reason: "too many messages are waiting for the handshake"))]
      }
      return []
    case .established(let peer):
      return sendNow(text, to: peer)
    case .ended(let receiptsStillCount) where configuration.keepsUndelivered && !receiptsStillCount:
      // The connection is going; a reconnecting connector sends it on the next one.
      return [.report(conversation.queue(text, reason: "the connection dropped; it goes out on the next one"))]
    case .ended:
      return [.report(.messageNotSent(text, reason: "the session has ended"))]
    }
  }

  /// Receipts for the peer's messages that arrived since the last ones. The shell calls
  /// this once per batch of reads, so one ACK covers a burst of messages.
  public mutating func acknowledge() -> [SessionAction] {
    guard acknowledgementDue, usesReceipts else { return [] }
    acknowledgementDue = false
    let sequence =
      if configuration.role == .connector && supportsRoom {
        conversation.lastRoomSequence
      } else if configuration.acknowledgesWhenRelayed {
        lastRelayedSequence
      } else {
        conversation.lastReceivedSequence
      }
    return [.send(.ack(sequence))]
  }

  mutating func receiveAcknowledgement(_ sequence: UInt64) -> [SessionAction] {
    guard configuration.role == .connector else { return [.report(.peerAcknowledged(sequence))] }
    guard sequence <= conversation.lastSentSequence else {
      return protocolViolation(
        FrameError(
          .malformedFrame,
          "ack for message \(sequence), but only \(conversation.lastSentSequence) were sent in this session"))
    }
    let confirmed = conversation.acknowledge(through: sequence)
    return confirmed.isEmpty ? [] : [.report(.delivered(confirmed))]
  }

  mutating func receiveRefusal(_ refusal: Refusal) -> [SessionAction] {
    guard let message = conversation.remove(refusal.sequence) else { return [] }
    let reason = refusal.reason.isEmpty ? "refused by the peer" : "refused: \(refusal.reason)"
    return [.report(.notDelivered(message, reason: reason))]
  }

  mutating func sendNow(_ text: String, to peer: PeerIdentity) -> [SessionAction] {
    let payloadBytes = 8 + text.utf8.count
    guard payloadBytes <= peer.maximumPayloadLength else {
      return [
        .report(
          .messageNotSent(
            text,
            reason: "message is \(payloadBytes) bytes; \(peer.name) accepts at most \(peer.maximumPayloadLength)"
          )
        )
      ]
    }
    conversation.lastSentSequence += 1
    let message = TextMessage(sequence: conversation.lastSentSequence, text: text)
    if usesReceipts { conversation.unacknowledged.append(message) }
    return [
      .send(.text(message)),
      .report(.messageSent(message, textBytes: text.utf8.count, wireBytes: FrameHeader.size + payloadBytes)),
    ]
  }

  mutating func receiveText(_ message: TextMessage, from sender: String) -> [SessionAction] {
    if message.sequence <= conversation.lastReceivedSequence {
      acknowledgementDue = usesReceipts  // A duplicate: shown once already, but confirm it again.
      return []
    }
    guard message.sequence == conversation.lastReceivedSequence + 1 else {
      return protocolViolation(
        FrameError(
          .sequenceGap,
          "text frame: sequence number jumped from \(conversation.lastReceivedSequence) to \(message.sequence)"
        )
      )
    }
    conversation.lastReceivedSequence = message.sequence
    acknowledgementDue = usesReceipts && !configuration.acknowledgesWhenRelayed
    let frame = Frame.text(message)
    return [
      .report(
        .messageReceived(message, from: sender, textBytes: message.text.utf8.count, wireBytes: frame.wireLength)
      )
    ]
  }

  /// At the end of a machine that does not hand its conversation on, what was not sent or
  /// not acknowledged is reported so; a reconnecting connector keeps it instead.
  mutating func abandonUnlessKept(reason: String) -> [SessionAction] {
    guard !configuration.keepsUndelivered else { return [] }
    return conversation.abandon(reason: reason).map { .report($0) }
  }
}
