import ChatProtocol

/// Members whose connection dropped: their place is kept for a while, unseen by the others,
/// so that a resume is invisible; then they leave, and their name stays reserved for the
/// session.
extension RoomState {
  /// Participant `id`'s connection dropped for `reason`, but its session may resume: it
  /// stays in the room for ``RoomLimits/awayGrace`` without a word to the others (a resume
  /// within that time is invisible to them). Call ``awayExpired(_:now:)`` after the grace.
  /// At most ``RoomLimits/maximumAway`` places are kept at once: past it the oldest away
  /// participant leaves at once, so joining and dropping can't grow the room without end.
  public mutating func depart(_ id: ParticipantID, reason: String, now: UInt64 = 0) -> [RoomAction] {
    guard var participant = participants[id], id != .host else { return [] }
    participant.isAway = true
    participant.awayReason = RoomEvent.capped(reason)
    participants[id] = participant
    awayOrder.append(id)
    awayCount += 1
    var actions: [RoomAction] = []
    while awayCount > limits.maximumAway, let oldest = awayOrder.popFirst() {
      actions += awayExpired(oldest, now: now)
    }
    if awayOrder.count > 2 * awayCount + 64 {
      awayOrder.removeAll { participants[$0]?.isAway != true }
    }
    let grace = Quantities.duration(nanoseconds: UInt64(limits.awayGrace * 1e9))
    return actions + [
      .log("\(participant.name) lost its connection (\(participant.awayReason)); keeping its place for \(grace)"),
      .announce(
        to: .host,
        RoomEvent(
          kind: .notice, participantCount: participants.count, name: participant.name,
          detail:
            "\(participant.name)'s connection dropped (\(participant.awayReason)); waiting \(grace) for it to resume")),
    ]
  }

  /// The grace for away participant `id` is over: it leaves, with the reason its connection
  /// dropped, and its name stays reserved for the rest of ``RoomLimits/nameReservation``.
  public mutating func awayExpired(_ id: ParticipantID, now: UInt64) -> [RoomAction] {
    guard let participant = participants[id], participant.isAway else { return [] }
    awayCount -= 1
    names.reserve(participant.name, until: now + UInt64(max(0, limits.nameReservation - limits.awayGrace) * 1e9))
    return leave(id, reason: participant.awayReason)
  }

  /// Connection `id` resumed the session that was in the room as `name` (its room name),
  /// carried until now by participant `previous` (away, or still connected and being
  /// replaced). The participant goes on under the new connection without a notice to the
  /// others; if it had already left, it joins again under its reserved name.
  public mutating func resume(
    _ id: ParticipantID,
    replacing previous: ParticipantID?,
    name: String,
    address: String,
    authenticated: Bool,
    key: String? = nil,
    since: String,
    now: UInt64
  ) -> [RoomAction] {
    names.unreserve(name)
    guard let previous, var participant = participants[previous], participant.name == name else {
      // Its place expired: it joins again, under its name if nobody present has it.
      var actions = join(
        id, requestedName: name, address: address, authenticated: authenticated, key: key, since: since, now: now)
      actions.append(.log("\(participants[id]?.name ?? name) came back after its place expired"))
      return actions
    }
    participants[previous] = nil
    whoBuckets[previous] = nil
    order.removeAll { $0 == previous }
    if participant.isAway { awayCount -= 1 }
    participant.isAway = false
    participant.address = address
    participant.authenticated = authenticated
    participant.key = key
    participants[id] = participant
    order.append(id)
    let count = participants.count
    return [
      .log("\(name) resumed its session from \(address)"),
      welcome(id, as: name, "you are \(name) again (session resumed); \(count) in the room"),
    ]
  }
}
