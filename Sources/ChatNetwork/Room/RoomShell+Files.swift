import ChatEvents
import ChatProtocol
import ChatRoom

/// Files in a room. An offer names the member it is for: the relay passes it to that
/// member (with the sender's name in place of the member's) and remembers the pair, then
/// passes every later frame of the transfer between the two as it comes, never storing
/// the file: the receiver's credit bounds what is in flight, so a slow receiver holds back
/// its sender and no one else. An offer for the host (no member named, or the host's
/// name) goes to the host's own ``TransferEngine``.
extension RoomShell {
  /// A transfer between two members, passing through the relay.
  struct FileRoute {
    var sender: ParticipantID
    var receiver: ParticipantID
    /// When a frame of it last passed (monotonic nanoseconds).
    var lastActivity: UInt64
  }

  /// Cancels the transfers on which nothing passed for ``RoomLimits/fileRouteIdleLimit``
  /// (checked when an offer needs a place): their places count against their members' limits.
  func expireIdleRoutes() {
    let now = self.now
    let limit = UInt64(state.limits.fileRouteIdleLimit * 1e9)
    for (id, route) in fileRoutes where now &- route.lastActivity > limit {
      fileRoutes[id] = nil
      for member in [route.sender, route.receiver] {
        (connections[member]?.handler as? SessionHandler)?.sendFile(
          .cancel(
            id, reason: "nothing moved for \(Quantities.duration(nanoseconds: limit)); offer it again to carry on"))
      }
    }
  }

  /// Transfers one member may have passing through the relay at once.
  static let routesPerSender = 8
  /// Transfers one member may be receiving through the relay at once: each may have a
  /// credit window (4 MiB by default) in the member's queue for file data, which holds 16 MiB.
  static let routesPerReceiver = 3

  func routeFile(_ frame: FileFrame, from id: ParticipantID) {
    guard let link = connections[id]?.handler as? SessionHandler else { return }
    if case .offer(let offer) = frame {
      let target = offer.peer
      let hostsName = state.participants[.host]?.name
      if target.isEmpty || target == hostsName {
        guard let transfers else {
          return link.sendFile(.reject(offer.id, reason: "this is a relay: name the member the file is for"))
        }
        return transfers.receive(.offer(offer.from(state.participants[id]?.name ?? "?")), from: link)
      }
      guard let (receiverID, receiver) = member(named: target), receiverID != id else {
        return link.sendFile(.reject(offer.id, reason: "no member named \(target) is here to take it"))
      }
      guard receiver.fileChunkLimit != nil else {
        return link.sendFile(.reject(offer.id, reason: "\(target)'s chat doesn't take files"))
      }
      if let route = fileRoutes[offer.id], route.sender != id {
        return link.sendFile(.reject(offer.id, reason: "that transfer id is taken"))
      }
      if fileRoutes[offer.id] == nil {
        expireIdleRoutes()
        // What passes through is bounded: a receiver's credit window per transfer, for few
        // enough transfers that they fit its queue; a sender's open offers, for a receiver
        // that never answers.
        let routes = fileRoutes.values
        if routes.filter({ $0.sender == id }).count >= Self.routesPerSender {
          return link.sendFile(
            .reject(
              offer.id, reason: "you have \(Self.routesPerSender) files on their way already; wait for one to end"))
        }
        if routes.filter({ $0.receiver == receiverID }).count >= Self.routesPerReceiver {
          return link.sendFile(
            .reject(
              offer.id,
              reason:
                "\(target) is already receiving \(Self.routesPerReceiver) files through the relay; try again when one ends"
            ))
        }
      }
      fileRoutes[offer.id] = FileRoute(sender: id, receiver: receiverID, lastActivity: now)
      receiver.sendFile(.offer(offer.from(state.participants[id]?.name ?? "?")))
      markUnflushed(receiver)
      return
    }
    if let route = fileRoutes[frame.id], route.sender == id || route.receiver == id {
      let other = route.sender == id ? route.receiver : route.sender
      guard let handler = connections[other]?.handler as? SessionHandler else {
        fileRoutes[frame.id] = nil
        return link.sendFile(.cancel(frame.id, reason: "the other side has left"))
      }
      fileRoutes[frame.id]?.lastActivity = now
      handler.sendFile(frame)
      switch frame {
      case .result, .reject, .cancel: fileRoutes[frame.id] = nil
      case .offer, .accept, .chunk, .credit, .done: break
      }
      return
    }
    if let transfers {
      transfers.receive(frame, from: link)
    } else {
      link.sendFile(.cancel(frame.id, reason: "no such transfer here"))
    }
  }

  /// The joined member called `name`, with its session handler.
  func member(named name: String) -> (ParticipantID, SessionHandler)? {
    for (id, participant) in state.participants where participant.name == name && !participant.isAway {
      if let handler = connections[id]?.handler as? SessionHandler, connections[id]?.joined == true {
        return (id, handler)
      }
    }
    return nil
  }

  /// A member's connection is gone: the transfers passing through it end (the sender can
  /// offer again; the receiver's `.part` file lets it carry on), and the host's wait.
  /// A receiver that may come back is told so when it does (``tellResumedMember(_:replacing:)``):
  /// its side of the transfer only knows that its connection dropped.
  func dropFiles(of id: ParticipantID) {
    let name = state.participants[id]?.name ?? "the other side"
    for (transferID, route) in fileRoutes where route.sender == id || route.receiver == id {
      fileRoutes[transferID] = nil
      let other = route.sender == id ? route.receiver : route.sender
      if route.receiver == id { cancelledForAway[id, default: []].append(transferID) }
      if let handler = connections[other]?.handler as? SessionHandler {
        let reason =
          route.receiver == id
          ? "\(name)'s connection is gone; send it again to carry on from what \(name) has"
          : "\(name)'s connection is gone; \(name) can send it again to carry on"
        handler.sendFile(.cancel(transferID, reason: reason))
      }
    }
    if let transfers, let handler = connections[id]?.handler as? SessionHandler {
      transfers.linkLost(handler, reason: "\(name)'s connection is gone")
    }
  }

  /// A member came back (its session resumed as `id`, it was `previous`): the transfers
  /// it was receiving through the relay ended when it dropped; it hears so now.
  func tellResumedMember(_ id: ParticipantID, replacing previous: ParticipantID) {
    guard let cancelled = cancelledForAway.removeValue(forKey: previous),
      let handler = connections[id]?.handler as? SessionHandler
    else { return }
    for transferID in cancelled {
      handler.sendFile(
        .cancel(
          transferID, reason: "your connection dropped and the sender was told; it can send the file again to carry on")
      )
    }
  }

  /// A member away for good: nothing to tell it any more.
  func forgetAway(_ id: ParticipantID) {
    cancelledForAway[id] = nil
  }

  // MARK: - The host's commands

  func hostOffersFile(path: String, to name: String?) {
    run {
      guard let transfers, let hostName = state.participants[.host]?.name else { return }
      let recipients = state.participants.filter { $0.key != .host && !$0.value.isAway }
      let target: String
      if let name {
        target = name
      } else if recipients.count == 1, let only = recipients.first {
        target = only.value.name
      } else {
        continuation.yield(
          .warning(
            recipients.isEmpty
              ? "no one is here to send a file to" : "several people are here: /send NAME PATH says who it is for"))
        return
      }
      guard member(named: target) != nil else {
        continuation.yield(.warning("no member named \(SafeText.escaped(target)) is here"))
        return
      }
      transfers.offer(path: path, to: target, announcing: hostName, hosted: true) { [self] in
        member(named: target)?.1
      }
    }
  }
}

extension FileOffer {
  /// The offer as the relay passes it on: with the sender's name where the member's was.
  fileprivate func from(_ sender: String) -> FileOffer {
    FileOffer(id: id, size: size, resumeKey: resumeKey, peer: sender, name: name)
  }
}
