import ChatProtocol
import ChatRoom
import NIOCore

/// Pacing: a member over its rate is not read from until its allowance refills, and what
/// had already arrived waits; WHO is answered at the asker's pace.
extension RoomShell {
  /// A member's message goes into the room's order; the member's receipt says so.
  func relay(_ message: TextMessage, payloadBytes: Int, from id: ParticipantID) {
    perform(
      state.message(from: id, number: message.sequence, text: message.text, payloadBytes: payloadBytes, now: now))
    connections[id]?.handler.relayed(through: message.sequence)
  }

  /// Stops reading from a member over its rate until its allowance has refilled.
  func pause(_ id: ParticipantID, for nanoseconds: UInt64) {
    guard var connection = connections[id], !connection.paused else { return }
    connection.paused = true
    connections[id] = connection
    connection.handler.setReading(false)
    resumeReading(id, after: nanoseconds)
  }

  func resumeReading(_ id: ParticipantID, after nanoseconds: UInt64) {
    let room = NIOLoopBound(self, eventLoop: loop)
    loop.scheduleTask(in: .nanoseconds(Int64(min(nanoseconds, UInt64(Int64.max))))) {
      let room = room.value
      room.run { room.releaseHeld(id) }
    }
  }

  /// A paused member's allowance has (partly) refilled: relay what it is holding as far
  /// as the allowance goes, and read from it again once nothing is held and it is out of debt.
  func releaseHeld(_ id: ParticipantID) {
    while var connection = connections[id], connection.paused {
      let wait = state.pauseRemaining(for: id, now: now)
      if wait > 0 {
        resumeReading(id, after: wait)
        return
      }
      guard let (message, payloadBytes) = connection.held.popFirst() else {
        connection.paused = false
        connections[id] = connection
        connection.handler.setReading(true)
        return
      }
      connections[id] = connection
      relay(message, payloadBytes: payloadBytes, from: id)
      connection.handler.acknowledgeRelayed()
      markUnflushed(connection.handler)
    }
  }

  /// Answers member `id`'s WHO once it has taken what was already waiting for it and its
  /// WHO allowance has room: the answer is made for it alone, so a member that floods WHO
  /// or doesn't read the answers gets them at the rate it takes them, at most one a second.
  func answerWho(_ id: ParticipantID) {
    guard pendingWho.contains(id), let handler = connections[id]?.handler, !whoTimers.contains(id) else { return }
    guard handler.isKeepingUp else { return }  // asked again when it has drained
    let wait = state.whoWait(for: id, now: now)
    guard wait == 0 else {
      whoTimers.insert(id)
      let room = NIOLoopBound(self, eventLoop: loop)
      loop.scheduleTask(in: .nanoseconds(Int64(min(wait, UInt64(Int64.max))))) {
        let room = room.value
        room.run {
          room.whoTimers.remove(id)
          room.answerWho(id)
        }
      }
      return
    }
    pendingWho.remove(id)
    perform(state.who(for: id, now: now))
  }
}
