import ChatProtocol
import ChatRoom
import NIOCore

/// Sessions: opening and resuming them, and sending a resumed member what it missed.
extension RoomShell {
  /// How much of the history a catching-up member is sent at a time.
  static let catchUpPiece = 64 << 10

  /// A client asked for a new session or to resume one: answer it. A resumed session keeps
  /// its place and name in the room and, once in, is sent what it missed.
  func openSession(_ request: SessionRequest, from name: String, for id: ParticipantID) {
    guard var connection = connections[id] else { return }
    var sessionID = SessionID.random(using: &generator)
    var lastReceived: UInt64 = 0
    var resumed = false
    for session in sessions.expire(now: now) { reportHost(hostReceipts.forget(session)) }
    if let record = sessions.resumable(request.sessionID, name: name) {
      sessionID = request.sessionID
      resumed = true
      lastReceived = record.lastReceived
      if let previous = record.participant, previous != id, var old = connections[previous] {
        // The client noticed the drop before we did: its old connection is dead. The
        // session moves over quietly; the old connection's end means nothing to the room.
        lastReceived = old.handler.lastRelayedSequence
        old.replaced = true
        old.joined = false
        connections[previous] = old
        removeMember(previous)
        old.handler.abort(
          ErrorReport(code: .sessionTakenOver, message: "this session was resumed on a newer connection"))
      }
      // What the room said before the session began is not its to replay, whatever the
      // client says it has.
      connection.resuming = Resumption(
        previous: record.roomParticipant, roomName: record.roomName ?? name,
        lastReceived: max(request.lastReceived, record.roomSequenceAtStart))
    }
    sessions.attach(
      sessionID, to: id, name: name, lastReceived: lastReceived, roomSequenceAtStart: state.lastSequence)
    connection.sessionID = sessionID
    connections[id] = connection
    logger?.info(
      "\(connection.address): \(resumed ? "resumed" : "new") session \(sessionID)", metadata: Self.peer(connection.ip))
    connection.handler.acceptSession(
      SessionAcceptance(sessionID: sessionID, resumed: resumed, lastReceived: lastReceived))
  }

  /// Sends a resumed member the history after what it has, a piece at a time and only as
  /// fast as it takes it (through its bounded queue, like live messages), then adds it to
  /// the live broadcast. Called again whenever the member has taken what was sent.
  func pumpCatchUp(_ id: ParticipantID) {
    guard var cursor = catchingUp[id], let handler = connections[id]?.handler as? SessionHandler else { return }
    defer { if catchingUp[id] != nil { catchingUp[id] = cursor } }
    while handler.isKeepingUp {
      let (kept, forgotten) = history.messages(
        after: cursor, last: state.lastSequence, maximumBytes: Self.catchUpPiece)
      if forgotten > 0 {
        // The host's messages among those were never this member's: its later receipts
        // must not count for them.
        if let sessionID = connections[id]?.sessionID {
          reportHost(hostReceipts.missed(by: sessionID, through: cursor + forgotten))
        }
        let were = forgotten == 1 ? "message was" : "messages were"
        handler.announce(
          RoomEvent(
            kind: .notice, participantCount: state.participantCount, name: "room",
            detail: "\(forgotten) \(were) sent while you were away and are no longer kept"))
      }
      guard let last = kept.last else {
        catchingUp[id] = nil
        batch.add(id, handler)
        markUnflushed(handler)
        return
      }
      var bytes = ByteBufferAllocator().buffer(capacity: Self.catchUpPiece + (64 << 10))
      var tooLarge = 0
      for message in kept {
        let frame = Frame.roomText(message)
        if frame.payloadLength > handler.peerMaximumPayloadLength {
          tooLarge += 1
        } else {
          frame.encode(into: &bytes)
        }
      }
      cursor = last.sequence
      if tooLarge > 0 {
        handler.announce(
          RoomEvent(
            kind: .notice, participantCount: state.participantCount, name: "room",
            detail: "\(tooLarge) message(s) sent while you were away are larger than you accept and were skipped"))
      }
      if bytes.readableBytes > 0 { handler.writeBroadcast(bytes) }
      handler.flushPending()
    }
  }
}
