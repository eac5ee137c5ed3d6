import ChatProtocol

/// Renaming a participant: the `/nick` of a line client (chat clients are named by their
/// hello and keep that name).
extension RoomState {
  /// Participant `id` asks to be called `requested`. The name must be valid as a hello's
  /// (``Hello/problem(withName:)``) and clash with no one else present or reserved, by
  /// the room's rules for look-alikes; unlike a join, a clash is refused rather than
  /// suffixed, so the client gets the name it asked for or is told why not. Everyone sees
  /// the change.
  public mutating func rename(_ id: ParticipantID, to requested: String, now: UInt64 = 0) -> [RoomAction] {
    guard var participant = participants[id] else { return [] }
    let old = participant.name
    func refuse(_ why: String) -> [RoomAction] {
      [
        .announce(
          to: id,
          RoomEvent(kind: .notice, participantCount: participants.count, name: "room", detail: RoomEvent.capped(why)))
      ]
    }
    if let problem = Hello.problem(withName: requested) { return refuse("can't take that name: \(problem)") }
    if requested == old { return refuse("you are already \(old)") }
    // Its own name doesn't count as a clash: `/nick BOB` for bob is a change of case.
    if let holder = names.holder(clashingWith: requested), holder != old {
      let why = NameKey(holder).folded == NameKey(requested).folded ? "is taken" : "looks like \(holder)"
      return refuse("can't take the name \(requested): it \(why)")
    }
    names.release(old)
    let (name, _) = names.claim(requested, now: now)
    participant.name = name
    participants[id] = participant
    let event = RoomEvent(
      kind: .notice, participantCount: participants.count, name: "room",
      detail: RoomEvent.capped("\(old) is now \(name)"))
    return [.log("\(old) is now \(name)"), .announceAll(event, except: [])]
  }
}
