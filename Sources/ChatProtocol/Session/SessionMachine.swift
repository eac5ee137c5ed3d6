/// The whole life of one connection, from hello to goodbye, as a pure state machine.
///
/// The shell (a SwiftNIO channel handler) feeds it decoded frames, the user's commands,
/// timer expiries and transport events, and carries out the ``SessionAction`` values it
/// returns. It does no I/O and reads no clock: time and randomness come in as arguments,
/// so every path is unit-testable.
///
/// ```
///            start()                 peer hello,             peer proof
///   idle ───────────▶ awaitingHello ───both offer auth──▶ awaitingProof ──valid──┐
///                          │  └──neither offers auth─────────────────────────────┤
///                          │                          both list `resume`         ▼
///                          │                 awaitingSession ◀──────────────── (auth done) ──▶ established
///                          │                         └── SESSION / SESSION_ACCEPT ────────────▶    │
///                          └── error, bye, timeout, bad frame, auth mismatch, silence ──▶ ended ◀──┘
/// ```
///
/// With the `resume` capability the machine also keeps the ``Conversation``: messages
/// typed before the connection is ready, messages sent and not yet acknowledged, and the
/// numbers to resume from. A connector hands it to the next connection's machine.
public struct SessionMachine: Sendable {
  /// What this side brings to the handshake.
  public struct Configuration: Sendable {
    public var role: Role
    public var name: String
    public var secret: SharedSecret?
    /// Largest payload this side accepts, announced in its hello.
    public var maximumPayloadLength: Int
    public var capabilities: [String]
    /// How often to probe the peer with a ping (which also measures the round trip), in
    /// nanoseconds.
    public var pingInterval: UInt64
    /// How long the peer may stay silent, pongs included, before it is declared dead.
    public var deadAfter: UInt64
    /// Whether messages not yet sent or acknowledged outlive the connection (a connector
    /// that reconnects). When false they are reported not sent or not confirmed at the end.
    public var keepsUndelivered: Bool
    /// A relay's listener side: a message is acknowledged once the room has passed it on
    /// (``relayed(through:)``), not when it arrives: the relay may hold a paced sender's
    /// messages for a while, and a receipt must not promise what could still be lost.
    public var acknowledgesWhenRelayed: Bool

    public init(
      role: Role,
      name: String,
      secret: SharedSecret?,
      maximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength,
      capabilities: [String] = [Capability.room, Capability.resume],
      pingInterval: UInt64 = 10_000_000_000,
      deadAfter: UInt64 = 30_000_000_000,
      keepsUndelivered: Bool = false,
      acknowledgesWhenRelayed: Bool = false
    ) {
      self.role = role
      self.name = name
      self.secret = secret
      self.maximumPayloadLength = maximumPayloadLength
      self.capabilities = capabilities
      self.pingInterval = pingInterval
      self.deadAfter = deadAfter
      self.keepsUndelivered = keepsUndelivered
      self.acknowledgesWhenRelayed = acknowledgesWhenRelayed
    }

    /// Silence beyond a ping interval plus this much is reported as the peer being late.
    var lateAfter: UInt64 { pingInterval + min(2_000_000_000, deadAfter / 4) }
  }

  private enum State: Sendable {
    case idle
    case awaitingHello
    case awaitingProof(peer: PeerIdentity, transcript: AuthTranscript)
    /// Auth is done; the session frames (SESSION, SESSION_ACCEPT) are being exchanged.
    case awaitingSession(peer: PeerIdentity, auth: AuthStatus)
    case established(peer: PeerIdentity)
    case ended
  }

  private let configuration: Configuration
  private let localHello: Hello
  private var state: State = .idle
  /// Numbers, queues and unacknowledged messages: everything that outlives a connection.
  public private(set) var conversation: Conversation
  /// Whether both hellos listed `resume`: receipts and session frames are in use.
  public private(set) var usesReceipts = false
  /// The peer sent messages this side has not acknowledged yet.
  private var acknowledgementDue = false
  private var outstandingPing: UInt64?
  private var lastPingSent: UInt64?
  private var lastHeard: UInt64?
  private var reportedSilence = false
  private var lastTick: UInt64?
  /// This side said goodbye: until the transport closes, receipts still count.
  private var closedLocally = false
  /// The shell stopped reading from the peer (pacing it): its silence is ours, not its own.
  private var isReadingPaused = false
  /// With ``Configuration/acknowledgesWhenRelayed``: the last of the peer's messages the
  /// room has passed on.
  public private(set) var lastRelayedSequence: UInt64 = 0

  /// - Parameters:
  ///   - nonce: 32 fresh random bytes for this connection's hello.
  ///   - conversation: what an earlier connection of the same session left behind.
  public init(configuration: Configuration, nonce: [UInt8], conversation: Conversation = Conversation()) {
    precondition(nonce.count == Hello.nonceLength, "a hello nonce is \(Hello.nonceLength) bytes")
    self.configuration = configuration
    self.conversation = conversation
    self.localHello = Hello(
      offersAuth: configuration.secret != nil,
      maximumPayloadLength: UInt32(clamping: configuration.maximumPayloadLength),
      nonce: nonce,
      name: configuration.name,
      capabilities: configuration.capabilities
    )
  }

  /// Whether the handshake has finished and the session is not over.
  public var isEstablished: Bool {
    if case .established = state { return true }
    return false
  }

  /// The largest frame payload the peer accepts, once its hello is known.
  public var peerMaximumPayloadLength: Int? {
    switch state {
    case .awaitingProof(let peer, _), .awaitingSession(let peer, _), .established(let peer):
      peer.maximumPayloadLength
    case .idle, .awaitingHello, .ended:
      nil
    }
  }

  /// The largest frame payload this side accepts now: until the handshake is done only
  /// what a handshake needs (``handshakeFrameLimit``), so a peer that has proved nothing
  /// can't make it hold a large frame; then the configured maximum.
  public var acceptedPayloadLength: Int {
    isEstablished
      ? configuration.maximumPayloadLength : min(configuration.maximumPayloadLength, Self.handshakeFrameLimit)
  }

  /// The largest frame payload accepted before the handshake is done: a hello is at most
  /// 634 bytes, the other handshake frames less; errors and goodbyes that long say enough.
  public static let handshakeFrameLimit = 4096

  /// Whether the session has ended.
  public var hasEnded: Bool {
    if case .ended = state { return true }
    return false
  }

  /// Takes over the session an earlier connection left behind, before ``start()``.
  public mutating func adopt(_ conversation: Conversation) {
    guard case .idle = state else { return }
    self.conversation = conversation
  }

  /// The connection is open: send the hello.
  public mutating func start() -> [SessionAction] {
    guard case .idle = state else { return [] }
    state = .awaitingHello
    return [.send(.hello(localHello))]
  }

  /// A frame arrived from the peer. `now` is a monotonic clock in nanoseconds, used for RTT.
  public mutating func receive(_ frame: Frame, now: UInt64) -> [SessionAction] {
    if case .ended = state, closedLocally {
      // After our goodbye the peer's last receipts still tell what it got.
      switch frame {
      case .ack(let sequence): return receiveAcknowledgement(sequence)
      case .refused(let refusal): return receiveRefusal(refusal)
      default: return []
      }
    }
    var heard: [SessionAction] = []
    lastHeard = now
    if reportedSilence {
      reportedSilence = false
      heard.append(.report(.peerResponsive))
    }
    return heard + receiveFrame(frame, now: now)
  }

  private mutating func receiveFrame(_ frame: Frame, now: UInt64) -> [SessionAction] {
    switch (state, frame) {
    case (.ended, _), (.idle, _):
      return []
    case (_, .error(let report)):
      return end(peerReported: report)
    case (_, .bye(let goodbye)):
      // Receipts for what arrived before the goodbye, so the peer knows what we got.
      return acknowledge() + finish(.peerClosed(goodbye), sending: nil)
    case (.awaitingHello, .hello(let hello)):
      return receiveHello(hello)
    case (.awaitingProof(let peer, let transcript), .authProof(let proof)):
      guard let secret = configuration.secret,
        transcript.verify(proof, from: configuration.role.peer, secret: secret)
      else {
        return fail(
          authentication: "the peer's proof does not match: the shared secrets differ",
          telling: ErrorReport(code: .authFailed, message: "auth failed: the shared secrets differ")
        )
      }
      return establish(peer, .authenticated)
    case (.awaitingSession(let peer, _), .session(let request)) where configuration.role == .listener:
      return [.report(.sessionRequested(request, from: peer))]
    case (.awaitingSession(let peer, let auth), .sessionAccept(let acceptance)) where configuration.role == .connector:
      return receiveAcceptance(acceptance, peer: peer, auth: auth)
    case (.established(let peer), .text(let message)):
      return receiveText(message, from: peer.name)
    case (.established, .ack(let sequence)) where usesReceipts:
      return receiveAcknowledgement(sequence)
    case (.established, .refused(let refusal)) where usesReceipts && configuration.role == .connector:
      return receiveRefusal(refusal)
    case (.established, .roomText(let message)) where supportsRoom && configuration.role == .connector:
      // The room numbers its messages room-wide: increasing; a number seen before is a
      // duplicate and is dropped.
      guard message.sequence > conversation.lastRoomSequence else { return [] }
      conversation.lastRoomSequence = message.sequence
      acknowledgementDue = usesReceipts
      return [
        .report(
          .messageReceived(
            TextMessage(sequence: message.sequence, text: message.text), from: message.sender,
            payloadBytes: frame.payloadLength, wireBytes: frame.wireLength))
      ]
    case (.established, .roomEvent(let event)) where supportsRoom && configuration.role == .connector:
      return [.report(.roomEvent(event))]
    case (.established, .whoRequest) where supportsRoom && configuration.role == .listener:
      return [.report(.whoRequested)]
    case (.established, .ping(let value)):
      return [.send(.pong(value))]
    case (.established, .pong(let value)):
      guard let sent = outstandingPing, sent == value, now >= sent else { return [] }
      outstandingPing = nil
      return [.report(.roundTrip(nanoseconds: now - sent))]
    default:
      return protocolViolation(
        FrameError(.unexpectedFrame, "unexpected \(frame.type) frame \(stateDescription)")
      )
    }
  }

  /// The byte stream could not be decoded: tell the peer why and close.
  public mutating func decodingFailed(_ error: FrameError) -> [SessionAction] {
    protocolViolation(error)
  }

  /// The user wants `text` sent to the peer.
  public mutating func send(text: String) -> [SessionAction] {
    guard !text.isEmpty else {
      return [.report(.messageNotSent(text, reason: "empty message"))]
    }
    switch state {
    case .idle, .awaitingHello, .awaitingProof, .awaitingSession:
      // Sent once the handshake is done; the front end already shows it as typed.
      guard case .messagePending = conversation.queue(text, reason: "handshake in progress") else {
        return [.report(.messageNotSent(text, reason: "too many messages are waiting for the handshake"))]
      }
      return []
    case .established(let peer):
      return sendNow(text, to: peer)
    case .ended where configuration.keepsUndelivered && !closedLocally:
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

  /// Relay side, with ``Configuration/acknowledgesWhenRelayed``: the room has passed on
  /// the peer's messages up to `sequence`; the next ``acknowledge()`` confirms them.
  public mutating func relayed(through sequence: UInt64) {
    guard sequence > lastRelayedSequence, sequence <= conversation.lastReceivedSequence else { return }
    lastRelayedSequence = sequence
    acknowledgementDue = usesReceipts
  }

  /// The shell stopped reading from the peer (``readingResumed(now:)`` undoes it): until
  /// then the peer's silence is not held against it.
  public mutating func readingPaused() {
    isReadingPaused = true
  }

  /// The shell reads from the peer again; its silence counts from `now`.
  public mutating func readingResumed(now: UInt64) {
    guard isReadingPaused else { return }
    isReadingPaused = false
    lastHeard = now
  }

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

  /// Listener side: the message numbered `sequence` from the peer will not be delivered.
  public mutating func refuse(sequence: UInt64, reason: String) -> [SessionAction] {
    guard usesReceipts, isEstablished else { return [] }
    return [.send(.refused(Refusal(sequence: sequence, reason: reason)))]
  }

  /// The last TEXT number received from the peer (a relay remembers it to resume).
  public var lastReceivedSequence: UInt64 { conversation.lastReceivedSequence }

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
    case .joined: line = "* \(event.name) joined from \(event.detail)"
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

  /// The heartbeat: probes the peer when a ping is due, reports it late when it has been
  /// silent too long, and declares it dead after ``Configuration/deadAfter``. `now` is the
  /// monotonic clock in nanoseconds. Call it again at ``nextTick``.
  public mutating func tick(now: UInt64) -> [SessionAction] {
    guard case .established(let peer) = state else { return [] }
    if isReadingPaused { lastHeard = now }
    let heard = lastHeard ?? now
    lastHeard = heard
    lastTick = now
    let silence = now >= heard ? now - heard : 0
    if silence >= configuration.deadAfter {
      let limit = DurationText.describe(nanoseconds: configuration.deadAfter)
      return finish(
        .peerSilent("no answer from \(peer.name) for \(limit): the connection is dead"),
        sending: .error(ErrorReport(code: .peerSilent, message: "nothing heard from you for \(limit)")))
    }
    var actions: [SessionAction] = []
    if outstandingPing == nil, lastPingSent.map({ now >= $0 + configuration.pingInterval }) ?? true {
      outstandingPing = now
      lastPingSent = now
      actions.append(.send(.ping(now)))
    }
    if silence >= configuration.lateAfter {
      reportedSilence = true
      actions.append(.report(.peerSilent(nanoseconds: silence)))
    }
    return actions
  }

  /// When ``tick(now:)`` next has something to do (monotonic nanoseconds), or nil when the
  /// session is not established.
  public var nextTick: UInt64? {
    guard case .established = state else { return nil }
    guard let heard = lastHeard else { return 0 }
    var next = heard + configuration.deadAfter
    if outstandingPing == nil {
      // The first ping goes out at once: the round trip is known from the start.
      guard let sent = lastPingSent else { return heard }
      next = min(next, sent + configuration.pingInterval)
    }
    // While late, once a second, to update "last heard N s ago".
    let late = reportedSilence ? (lastTick ?? heard) + 1_000_000_000 : heard + configuration.lateAfter
    return min(next, late)
  }

  /// The handshake deadline passed; `limit` describes it for the message ("10 s").
  public mutating func handshakeDeadlinePassed(limit: String) -> [SessionAction] {
    switch state {
    case .idle, .awaitingHello, .awaitingProof, .awaitingSession:
      let message = "hello and auth did not finish within \(limit)"
      return finish(
        .failed(.handshakeTimeout, message),
        sending: .error(ErrorReport(code: .handshakeTimeout, message: message))
      )
    case .established, .ended:
      return []
    }
  }

  /// The user (or the program) is leaving: say goodbye and close.
  public mutating func close(_ goodbye: Goodbye) -> [SessionAction] {
    guard !hasEnded else { return [] }
    closedLocally = usesReceipts
    return acknowledge() + finish(.localClose(goodbye), sending: .bye(goodbye))
  }

  /// This side refuses to go on, for a reason that is not the peer's protocol fault
  /// (for example its outgoing queue overflowed): report `error` to the peer and close.
  public mutating func abort(_ error: FrameError) -> [SessionAction] {
    // Receipts first: what did arrive is confirmed before the error ends the session.
    acknowledge() + finish(.failed(error.code, error.message), sending: .error(ErrorReport(error)))
  }

  /// The transport closed or failed underneath the session; `reason` says how.
  public mutating func transportClosed(reason: String) -> [SessionAction] {
    if hasEnded {
      closedLocally = false
      return abandonUnlessKept(reason: "the connection closed before the peer acknowledged it")
    }
    state = .ended
    return [.report(.ended(.connectionLost(reason)))]
      + abandonUnlessKept(reason: "the connection was lost: \(reason)")
  }

  // MARK: - Steps

  private mutating func receiveHello(_ hello: Hello) -> [SessionAction] {
    if hello.nonce == localHello.nonce {
      // Our own hello came back: TCP "simultaneous open" joined the socket to itself,
      // which happens when connecting to a free local port in the ephemeral range.
      return finish(.connectionLost("connected to itself: nothing is listening on that port"), sending: nil)
    }
    if let problem = Hello.problem(withName: hello.name) {
      return protocolViolation(FrameError(.malformedFrame, "hello: \(problem)"))
    }
    let peer = PeerIdentity(
      name: hello.name,
      capabilities: hello.capabilities,
      maximumPayloadLength: Int(hello.maximumPayloadLength)
    )
    switch (configuration.secret, hello.offersAuth) {
    case (nil, false):
      return establish(peer, .unauthenticated)
    case (.some(let secret), true):
      let transcript =
        configuration.role == .connector
        ? AuthTranscript(connectorHello: localHello, listenerHello: hello)
        : AuthTranscript(connectorHello: hello, listenerHello: localHello)
      state = .awaitingProof(peer: peer, transcript: transcript)
      return [
        .send(.authProof(transcript.proof(for: configuration.role, secret: secret))),
        .report(.authenticating(peer)),
      ]
    case (.some, false):
      return fail(
        authentication: "\(hello.name) has no shared secret, but this side requires one",
        telling: ErrorReport(
          code: .authRequired,
          message: "auth failed: \(configuration.name) requires a shared secret (set CHAT_SECRET or use --secret-file)"
        )
      )
    case (nil, true):
      return fail(
        authentication:
          "\(hello.name) requires a shared secret, but none is set here (set CHAT_SECRET or use --secret-file)",
        telling: ErrorReport(
          code: .authNotConfigured,
          message: "auth failed: \(configuration.name) has no shared secret"
        )
      )
    }
  }

  private mutating func establish(_ peer: PeerIdentity, _ status: AuthStatus) -> [SessionAction] {
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
    state = .established(peer: peer)
    return [.report(.established(peer, status))] + sendQueued(to: peer)
  }

  /// Connector side: the listener says which session this is. Resumed: what it got is
  /// delivered, the rest goes again. New while we asked to resume: the old session is lost
  /// and what it never acknowledged is reported as not confirmed.
  private mutating func receiveAcceptance(
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
          .report(.messageResent(message, payloadBytes: frame.payloadLength, wireBytes: frame.wireLength)))
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

  private mutating func sendQueued(to peer: PeerIdentity) -> [SessionAction] {
    var actions: [SessionAction] = []
    while let text = conversation.queued.popFirst() {
      actions += sendNow(text, to: peer)
    }
    return actions
  }

  private mutating func receiveAcknowledgement(_ sequence: UInt64) -> [SessionAction] {
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

  private mutating func receiveRefusal(_ refusal: Refusal) -> [SessionAction] {
    guard let message = conversation.remove(refusal.sequence) else { return [] }
    let reason = refusal.reason.isEmpty ? "refused by the peer" : "refused: \(refusal.reason)"
    return [.report(.notDelivered(message, reason: reason))]
  }

  private mutating func sendNow(_ text: String, to peer: PeerIdentity) -> [SessionAction] {
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
      .report(.messageSent(message, payloadBytes: payloadBytes, wireBytes: FrameHeader.size + payloadBytes)),
    ]
  }

  private mutating func receiveText(_ message: TextMessage, from sender: String) -> [SessionAction] {
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
        .messageReceived(message, from: sender, payloadBytes: frame.payloadLength, wireBytes: frame.wireLength)
      )
    ]
  }

  private mutating func end(peerReported report: ErrorReport) -> [SessionAction] {
    let reason = "peer reported \(report.code): \(report.message)"
    let end: SessionEnd =
      report.code.isAuthentication ? .authFailed("peer says: \(report.message)") : .failed(report.code, reason)
    return finish(end, sending: nil)
  }

  private mutating func fail(authentication reason: String, telling report: ErrorReport) -> [SessionAction] {
    finish(.authFailed(reason), sending: .error(report))
  }

  private mutating func protocolViolation(_ error: FrameError) -> [SessionAction] {
    let reason =
      error.code == .unsupportedVersion
      ? "incompatible peer: \(error.message)" : "protocol error from peer: \(error.message)"
    return finish(.failed(error.code, reason), sending: .error(ErrorReport(error)))
  }

  private mutating func finish(_ end: SessionEnd, sending frame: Frame?) -> [SessionAction] {
    guard !hasEnded else { return [] }
    state = .ended
    var actions: [SessionAction] = []
    if let frame { actions.append(.send(frame)) }
    actions.append(.report(.ended(end)))
    if !closedLocally {
      actions += abandonUnlessKept(reason: "the session ended: \(end)")
    }
    actions.append(.close)
    return actions
  }

  /// At the end of a machine that does not hand its conversation on, what was not sent or
  /// not acknowledged is reported so; a reconnecting connector keeps it instead.
  private mutating func abandonUnlessKept(reason: String) -> [SessionAction] {
    guard !configuration.keepsUndelivered else { return [] }
    return conversation.abandon(reason: reason).map { .report($0) }
  }

  private var stateDescription: String {
    switch state {
    case .idle: "before the connection opened"
    case .awaitingHello: "before the hello"
    case .awaitingProof: "while waiting for the auth proof"
    case .awaitingSession: "while waiting for the session frame"
    case .established: "after the handshake"
    case .ended: "after the session ended"
    }
  }
}
