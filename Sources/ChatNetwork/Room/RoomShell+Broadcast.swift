import ChatProtocol
import ChatRoom
import NIOCore

/// Carrying out the room's actions: messages and notices to everyone, the host's part.
extension RoomShell {
  func perform(_ actions: [RoomAction]) {
    for action in actions {
      switch action {
      case .broadcast(let author, let sender, let text, let sequence):
        broadcast(text, from: author, called: sender, sequence: sequence)
      case .announceAll(let event, let except):
        announceToAll(event, except: except)
      case .announce(let to, let event):
        // Anything addressed to one member goes after the messages already broadcast.
        writePendingBroadcast()
        if to == .host {
          if hostName != nil { continuation.yield(.room(event)) }
        } else if let handler = connections[to]?.handler {
          handler.announce(event)
          markUnflushed(handler)
        }
      case .pause(let id, let nanoseconds):
        pause(id, for: nanoseconds)
      case .log(let line):
        logger?.info("\(line)")
      case .alert(let line):
        logger?.warning("\(line)")
        if hostName != nil { continuation.yield(.log(line)) }
      }
    }
  }

  /// One message to everyone: the host's screen, one shared encoding for the members that
  /// take room frames, a TEXT line for each of the others. A member that accepts frames
  /// smaller than this one is skipped, and the author is told (nobody is dropped for it).
  private func broadcast(_ text: String, from author: ParticipantID, called sender: String, sequence: UInt64) {
    let message = RoomText(sequence: sequence, sender: sender, text: text)
    let frame = Frame.roomText(message)
    if hostName != nil {
      continuation.yield(
        .messageReceived(
          from: sender, message: TextMessage(sequence: sequence, text: text), textBytes: text.utf8.count,
          wireBytes: frame.wireLength))
    }
    history.append(message)
    var skipped: [ParticipantID] = []
    if frame.payloadLength > batch.smallestMaximum {
      writePendingBroadcast()
      let bytes = frame.encoded()
      for member in batch.members {
        guard member.maximumPayloadLength >= frame.payloadLength else {
          skipped.append(member.id)
          continue
        }
        member.handler.writeBroadcast(bytes)
        markUnflushed(member.handler)
      }
    } else if batch.append(frame) {
      scheduleFlush()
    }
    // A member without rooms gets "sender: text" as a TEXT frame: 8 + name + 2 + text.
    let linePayload = 8 + sender.utf8.count + 2 + text.utf8.count
    for member in legacyMembers {
      guard linePayload <= member.handler.peerMaximumPayloadLength else {
        skipped.append(member.id)
        continue
      }
      member.handler.relay(text, from: sender)
      markUnflushed(member.handler)
    }
    if !skipped.isEmpty { tellAuthor(author, textBytes: text.utf8.count, skipped: skipped) }
  }

  private func tellAuthor(_ author: ParticipantID, textBytes: Int, skipped: [ParticipantID]) {
    let names = skipped.compactMap { state.participants[$0]?.name }
    let smallest = skipped.compactMap { connections[$0]?.handler.peerMaximumPayloadLength }.min() ?? 0
    let detail =
      "your message was not delivered to \(names.joined(separator: ", ")): its \(textBytes) bytes of text don't fit "
      + (names.count == 1 ? "their" : "the smallest of their") + " largest frame (\(smallest) bytes)"
    perform([
      .log("a message of \(textBytes) bytes was not delivered to \(names.count) member(s) with a smaller maximum"),
      .announce(
        to: author,
        RoomEvent(
          kind: .notice, participantCount: state.participantCount, name: "room", detail: RoomEvent.capped(detail))),
    ])
  }

  /// A room event for everyone but `except` (a join, a leave): encoded once, like messages.
  private func announceToAll(_ event: RoomEvent, except: [ParticipantID]) {
    if hostName != nil, !except.contains(.host) { continuation.yield(.room(event)) }
    if batch.append(.roomEvent(event)) { scheduleFlush() }
    for member in legacyMembers where !except.contains(member.id) {
      member.handler.announce(event)
      markUnflushed(member.handler)
    }
  }

  /// Hands the batch's encoded frames to every member: the same bytes, not copies.
  func writePendingBroadcast() {
    for write in batch.take() {
      write.handler.writeBroadcast(write.bytes)
      markUnflushed(write.handler)
    }
  }

  // MARK: - The host

  func hostSends(_ text: String) {
    run {
      guard let hostName, !text.isEmpty else { return }
      // The host's message goes out as the ROOM_TEXT frame every member receives.
      let frame = Frame.roomText(RoomText(sequence: 0, sender: hostName, text: text))
      let largest = options.maximumPayloadLength + RoomText.senderOverhead
      guard frame.payloadLength <= largest else {
        continuation.yield(
          .messageNotSent(
            text: text, reason: "message is \(frame.payloadLength) bytes; the room relays at most \(largest)"))
        return
      }
      // Only the members that can take the frame will have it: its wire bytes are those
      // written to them, and a receipt from one skipped for its size must not make the
      // message delivered.
      let present = connections.values.filter(\.joined)
      let members = present.filter {
        $0.handler.peerMaximumPayloadLength >= frame.payloadLength + ($0.handler.supportsRoom ? 0 : 1)
      }
      let actions = state.message(from: .host, number: 0, text: text, payloadBytes: frame.payloadLength, now: now)
      var sent: TextMessage?
      for case .broadcast(_, _, _, let sequence) in actions {
        let message = TextMessage(sequence: sequence, text: text)
        sent = message
        continuation.yield(
          .messageSent(message: message, textBytes: text.utf8.count, wireBytes: frame.wireLength * members.count))
      }
      perform(actions)
      guard let sent else { return }
      // Members away are sent it when they resume: their receipts count too.
      let receipts = Set(members.filter { $0.handler.usesReceipts }.compactMap(\.sessionID))
        .union(awaySessions.values)
      let report = hostReceipts.sent(
        sent, to: receipts, others: members.count + awaySessions.count, tooLargeFor: present.count - members.count)
      if let report { reportHost([report]) }
    }
  }

  func hostAsksWho() {
    run { perform(state.who(for: .host, now: now)) }
  }
}
