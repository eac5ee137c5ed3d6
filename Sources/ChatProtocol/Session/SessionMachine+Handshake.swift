/// The handshake: hellos, CPace and Noise (``ChannelHandshake``), the session step, and what may start once the
/// session is established.
extension SessionMachine {
  /// Listener side: answers the connector's SESSION frame (``SessionReport/sessionRequested(_:)``)
  /// and opens the session. `acceptance.lastReceived` is the last message number the
  /// session received from this client, so anything it sends again is dropped.
  public mutating func acceptSession(_ acceptance: SessionAcceptance) -> [SessionAction] {
    guard case .awaitingSession(let peer, let auth) = state, configuration.role == .listener else { return [] }
    conversation.sessionID = acceptance.sessionID
    conversation.lastReceivedSequence = acceptance.lastReceived
    lastRelayedSequence = acceptance.lastReceived
    state = .established(peer: peer)
    var actions: [SessionAction] = [
      .send(.sessionAccept(acceptance)),
      .report(.established(peer, auth)),
      .report(.sessionStarted(acceptance.sessionID, acceptance.resumed ? .resumed(resent: 0) : .new)),
    ]
    actions += sendQueued(to: peer)
    return actions
  }

  /// The handshake deadline passed; `limit` describes it for the message ("10 s").
  public mutating func handshakeDeadlinePassed(limit: String) -> [SessionAction] {
    switch state {
    case .idle, .awaitingHello, .handshaking, .confirming, .awaitingSession:
      let message = "hello and auth did not finish within \(limit)"
      return finish(
        .failed(.handshakeTimeout, message),
        sending: .error(ErrorReport(code: .handshakeTimeout, message: message))
      )
    case .established, .ended:
      return []
    }
  }

  mutating func receiveHello(_ hello: Hello) -> [SessionAction] {
    if hello.nonce == localHello.nonce {
      // Our own hello came back: TCP "simultaneous open" joined the socket to itself,
      // which happens when connecting to a free local port in the ephemeral range.
      return finish(.connectionLost("connected to itself: nothing is listening on that port"), sending: nil)
    }
    if let problem = Hello.problem(withName: hello.name) {
      return protocolViolation(FrameError(.invalidName, "hello: \(problem)"))
    }
    let peer = PeerIdentity(
      name: hello.name,
      capabilities: hello.capabilities,
      maximumPayloadLength: Int(hello.maximumPayloadLength)
    )
    switch (configuration.secret, hello.offersAuth) {
    case (nil, false), (.some, true):
      var handshake = ChannelHandshake(
        role: configuration.role, secret: configuration.secret, localHello: localHello, peerHello: hello,
        identity: configuration.identity, randomness: randomness)
      let opening: [Frame]
      do {
        opening = try handshake.opening()
      } catch {
        return handshakeFailed(error)
      }
      state = .handshaking(peer: peer, handshake: handshake)
      return opening.map { .send($0) } + (handshake.provesSecret ? [.report(.authenticating(peer))] : [])
    case (.some, false):
      return fail(
        authentication: "\(hello.name) has no shared secret, but this side requires one",
        telling: ErrorReport(
          code: .authRequired,
          message: "auth failed: \(configuration.name) requires a shared secret"
        )
      )
    case (nil, true):
      return fail(
        authentication:
          "\(hello.name) requires a shared secret, but none is set here",
        telling: ErrorReport(
          code: .authNotConfigured,
          message: "auth failed: \(configuration.name) has no shared secret"
        )
      )
    }
  }

  /// One Noise message from the peer: the next handshake message, or the keys.
  mutating func receiveNoise(
    _ message: [UInt8], peer: PeerIdentity, handshake: inout ChannelHandshake
  ) -> [SessionAction] {
    let step: ChannelHandshake.Step
    do {
      step = try handshake.receiveNoise(message)
    } catch {
      return handshakeFailed(error)
    }
    switch step {
    case .proceed(let frames):
      state = .handshaking(peer: peer, handshake: handshake)
      return frames.map { .send($0) }
    case .complete(let frames, let keys):
      let trust: KeyTrust
      switch configuration.peerKeyCheck.check(peer.name, keys.peerKey) {
      case .accept(let verdict):
        trust = verdict
        listenerKeyPinned = verdict == .known || verdict == .verified
      case .refuse(let local, let remote):
        return finish(.failed(.keyChanged, local), sending: .error(ErrorReport(code: .keyChanged, message: remote)))
      }
      var peer = peer
      peer.security = ChannelSecurity(
        cipher: keys.cipher, secretProved: handshake.provesSecret, peerKey: keys.peerKey,
        localKey: Array(configuration.identity.publicKey.rawRepresentation), trust: trust)
      opener = RecordOpener(keys.receiving)
      let sealer = RecordSealer(keys.sending, peerMaximumPayloadLength: peer.maximumPayloadLength)
      return frames.map { .send($0) } + [.beginSealing(sealer)]
        + establish(peer, handshake.provesSecret ? .authenticated : .unauthenticated)
    }
  }

  mutating func handshakeFailed(_ failure: HandshakeFailure) -> [SessionAction] {
    switch failure {
    case .authentication(let local, let remote):
      fail(authentication: local, telling: ErrorReport(code: .authFailed, message: remote))
    case .frame(let error):
      protocolViolation(error)
    }
  }

  /// The handshake is done on this side: the session step (with `resume` and `room`), or
  /// key confirmation: the listener sends its first record at once (a ping), and the
  /// connector waits for it.
  mutating func establish(_ peer: PeerIdentity, _ status: AuthStatus) -> [SessionAction] {
    // Receipts and resumable sessions count the room's numbers, so they need `room` too:
    // a peer listing `resume` without `room` gets neither (PROTOCOL.md §9).
    let both = Set(peer.capabilities).intersection(configuration.capabilities)
    usesReceipts = both.contains(Capability.resume) && both.contains(Capability.room)
    if usesReceipts {
      state = .awaitingSession(peer: peer, auth: status)
      guard configuration.role == .connector else { return [] }
      return [
        .send(
          .session(
            SessionRequest(sessionID: conversation.sessionID, lastReceived: conversation.lastRoomSequence)))
      ]
    }
    guard configuration.role == .listener else {
      state = .confirming(peer: peer, auth: status)
      return []
    }
    state = .established(peer: peer)
    return [.send(.ping(0)), .report(.established(peer, status))] + sendQueued(to: peer)
  }

  /// Connector side: the listener says which session this is. Resumed: what it got is
  /// delivered, the rest goes again. New while we asked to resume: the old session is lost
  /// and what it never acknowledged is reported as not confirmed.
  mutating func receiveAcceptance(
    _ acceptance: SessionAcceptance, peer: PeerIdentity, auth: AuthStatus
  ) -> [SessionAction] {
    guard !acceptance.sessionID.isNone else {
      return protocolViolation(FrameError(.malformedFrame, "session accept: the session id is all zeros"))
    }
    let resumed = acceptance.resumed && acceptance.sessionID == conversation.sessionID
    state = .established(peer: peer)
    var actions: [SessionAction] = [.report(.established(peer, auth))]
    if resumed {
      guard acceptance.lastReceived <= conversation.lastSentSequence else {
        return protocolViolation(
          FrameError(
            .malformedFrame,
            "session accept: received up to \(acceptance.lastReceived), but only \(conversation.lastSentSequence) were sent"
          ))
      }
      let confirmed = conversation.acknowledge(through: acceptance.lastReceived)
      if !confirmed.isEmpty { actions.append(.report(.delivered(confirmed))) }
      let resend = conversation.unacknowledged
      actions.append(.report(.sessionStarted(acceptance.sessionID, .resumed(resent: resend.count))))
      for message in resend {
        let frame = Frame.text(message)
        actions.append(.send(frame))
        actions.append(
          .report(.messageResent(message, textBytes: message.text.utf8.count, wireBytes: frame.wireLength)))
      }
    } else {
      let askedToResume = !conversation.sessionID.isNone
      let lost = conversation.startOver(with: acceptance.sessionID)
      for message in lost {
        actions.append(
          .report(
            .notDelivered(
              message, reason: "the listener started a new session (did it restart?) before acknowledging it")))
      }
      actions.append(
        .report(.sessionStarted(acceptance.sessionID, askedToResume ? .replaced(unconfirmed: lost.count) : .new)))
    }
    return actions + sendQueued(to: peer)
  }

  mutating func sendQueued(to peer: PeerIdentity) -> [SessionAction] {
    var actions: [SessionAction] = []
    while let text = conversation.queued.popFirst() {
      actions += sendNow(text, to: peer)
    }
    return actions
  }
}
