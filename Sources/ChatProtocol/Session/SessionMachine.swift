/// The whole life of one connection, from hello to goodbye, as a pure state machine.
///
/// The shell (a SwiftNIO channel handler) feeds it decoded frames, the user's commands,
/// timer expiries and transport events, and carries out the ``SessionAction`` values it
/// returns. It does no I/O and reads no clock: time and randomness come in as arguments,
/// so every path is unit-testable.
///
/// ```
///            start()                 peer hello,             peer proof
///   idle ───────────▶ awaitingHello ───both offer auth──▶ awaitingProof ──valid──▶ established
///                          │  └──neither offers auth──────────────────────────────▶    │
///                          │                                                           │
///                          └── error, bye, timeout, bad frame, auth mismatch ──▶ ended ◀┘ bye, error
/// ```
public struct SessionMachine: Sendable {
  /// What this side brings to the handshake.
  public struct Configuration: Sendable {
    public var role: Role
    public var name: String
    public var secret: SharedSecret?
    /// Largest payload this side accepts, announced in its hello.
    public var maximumPayloadLength: Int
    public var capabilities: [String]

    public init(
      role: Role,
      name: String,
      secret: SharedSecret?,
      maximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength,
      capabilities: [String] = [Capability.room]
    ) {
      self.role = role
      self.name = name
      self.secret = secret
      self.maximumPayloadLength = maximumPayloadLength
      self.capabilities = capabilities
    }
  }

  private enum State: Sendable {
    case idle
    case awaitingHello
    case awaitingProof(peer: PeerIdentity, transcript: AuthTranscript)
    case established(peer: PeerIdentity)
    case ended
  }

  private let configuration: Configuration
  private let localHello: Hello
  private var state: State = .idle
  private var lastSentSequence: UInt64 = 0
  private var lastReceivedSequence: UInt64 = 0
  /// The last room message number seen (ROOM_TEXT); rooms number messages room-wide.
  private var lastRoomSequence: UInt64 = 0
  private var outstandingPing: UInt64?
  /// Messages the user sent before the handshake finished; they go out once it does.
  private var waitingForHandshake: [String] = []

  /// - Parameter nonce: 32 fresh random bytes for this connection's hello.
  public init(configuration: Configuration, nonce: [UInt8]) {
    precondition(nonce.count == Hello.nonceLength, "a hello nonce is \(Hello.nonceLength) bytes")
    self.configuration = configuration
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

  /// Whether the session has ended.
  public var hasEnded: Bool {
    if case .ended = state { return true }
    return false
  }

  /// The connection is open: send the hello.
  public mutating func start() -> [SessionAction] {
    guard case .idle = state else { return [] }
    state = .awaitingHello
    return [.send(.hello(localHello))]
  }

  /// A frame arrived from the peer. `now` is a monotonic clock in nanoseconds, used for RTT.
  public mutating func receive(_ frame: Frame, now: UInt64) -> [SessionAction] {
    switch (state, frame) {
    case (.ended, _), (.idle, _):
      return []
    case (_, .error(let report)):
      return end(peerReported: report)
    case (_, .bye(let goodbye)):
      return finish(.peerClosed(goodbye), sending: nil) + notSentAfterEnd()
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
    case (.established(let peer), .text(let message)):
      return receiveText(message, from: peer.name)
    case (.established, .roomText(let message)) where supportsRoom:
      // The room numbers its messages room-wide: increasing; a number seen before is a
      // duplicate and is dropped.
      guard message.sequence > lastRoomSequence else { return [] }
      lastRoomSequence = message.sequence
      return [
        .report(
          .messageReceived(
            TextMessage(sequence: message.sequence, text: message.text), from: message.sender,
            payloadBytes: frame.payloadLength, wireBytes: frame.wireLength))
      ]
    case (.established, .roomEvent(let event)) where supportsRoom:
      return [.report(.roomEvent(event))]
    case (.established, .whoRequest) where supportsRoom:
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
    case .idle, .awaitingHello, .awaitingProof:
      waitingForHandshake.append(text)
      return []
    case .established(let peer):
      return sendNow(text, to: peer)
    case .ended:
      return [.report(.messageNotSent(text, reason: "the session has ended"))]
    }
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
    let sequence = lastSentSequence + 1
    let frame = Frame.text(TextMessage(sequence: sequence, text: "\(sender): \(text)"))
    guard frame.payloadLength <= peer.maximumPayloadLength else {
      return [
        .report(
          .messageNotSent(text, reason: "\(frame.payloadLength) bytes is more than \(peer.name) accepts"))
      ]
    }
    lastSentSequence = sequence
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
    lastSentSequence += 1
    return [.send(.text(TextMessage(sequence: lastSentSequence, text: line)))]
  }

  /// Asks the relay for its participant list (/who).
  public mutating func requestWho() -> [SessionAction] {
    supportsRoom ? [.send(.whoRequest)] : []
  }

  /// Time for a round-trip probe; `now` is the monotonic clock in nanoseconds.
  public mutating func pingDue(now: UInt64) -> [SessionAction] {
    guard case .established = state, outstandingPing == nil else { return [] }
    outstandingPing = now
    return [.send(.ping(now))]
  }

  /// The handshake deadline passed; `limit` describes it for the message ("10 s").
  public mutating func handshakeDeadlinePassed(limit: String) -> [SessionAction] {
    switch state {
    case .idle, .awaitingHello, .awaitingProof:
      let message = "hello and auth did not finish within \(limit)"
      return finish(
        .failed(.handshakeTimeout, message),
        sending: .error(ErrorReport(code: .handshakeTimeout, message: message))
      ) + notSentAfterEnd()
    case .established, .ended:
      return []
    }
  }

  /// The user (or the program) is leaving: say goodbye and close.
  public mutating func close(_ goodbye: Goodbye) -> [SessionAction] {
    finish(.localClose(goodbye), sending: .bye(goodbye)) + notSentAfterEnd()
  }

  /// This side refuses to go on, for a reason that is not the peer's protocol fault
  /// (for example its outgoing queue overflowed): report `error` to the peer and close.
  public mutating func abort(_ error: FrameError) -> [SessionAction] {
    finish(.failed(error.code, error.message), sending: .error(ErrorReport(error))) + notSentAfterEnd()
  }

  /// The transport closed or failed underneath the session; `reason` says how.
  public mutating func transportClosed(reason: String) -> [SessionAction] {
    guard !hasEnded else { return [] }
    state = .ended
    return [.report(.ended(.connectionLost(reason)))] + notSentAfterEnd()
  }

  // MARK: - Steps

  private mutating func receiveHello(_ hello: Hello) -> [SessionAction] {
    if hello.nonce == localHello.nonce {
      // Our own hello came back: TCP "simultaneous open" joined the socket to itself,
      // which happens when connecting to a free local port in the ephemeral range.
      return finish(
        .connectionLost("connected to itself: nothing is listening on that port"), sending: nil)
        + notSentAfterEnd()
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
    state = .established(peer: peer)
    var actions: [SessionAction] = [.report(.established(peer, status))]
    let waiting = waitingForHandshake
    waitingForHandshake = []
    for text in waiting {
      actions += sendNow(text, to: peer)
    }
    return actions
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
    lastSentSequence += 1
    let message = TextMessage(sequence: lastSentSequence, text: text)
    return [
      .send(.text(message)),
      .report(.messageSent(message, payloadBytes: payloadBytes, wireBytes: FrameHeader.size + payloadBytes)),
    ]
  }

  private mutating func receiveText(_ message: TextMessage, from sender: String) -> [SessionAction] {
    if message.sequence <= lastReceivedSequence {
      return []  // A duplicate: already shown once.
    }
    guard message.sequence == lastReceivedSequence + 1 else {
      return protocolViolation(
        FrameError(
          .sequenceGap,
          "text frame: sequence number jumped from \(lastReceivedSequence) to \(message.sequence)"
        )
      )
    }
    lastReceivedSequence = message.sequence
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
    return finish(end, sending: nil) + notSentAfterEnd()
  }

  private mutating func fail(authentication reason: String, telling report: ErrorReport) -> [SessionAction] {
    finish(.authFailed(reason), sending: .error(report)) + notSentAfterEnd()
  }

  private mutating func protocolViolation(_ error: FrameError) -> [SessionAction] {
    let reason =
      error.code == .unsupportedVersion
      ? "incompatible peer: \(error.message)" : "protocol error from peer: \(error.message)"
    return finish(.failed(error.code, reason), sending: .error(ErrorReport(error))) + notSentAfterEnd()
  }

  private mutating func finish(_ end: SessionEnd, sending frame: Frame?) -> [SessionAction] {
    guard !hasEnded else { return [] }
    state = .ended
    var actions: [SessionAction] = []
    if let frame { actions.append(.send(frame)) }
    actions.append(.report(.ended(end)))
    actions.append(.close)
    return actions
  }

  private mutating func notSentAfterEnd() -> [SessionAction] {
    let waiting = waitingForHandshake
    waitingForHandshake = []
    return waiting.map { .report(.messageNotSent($0, reason: "the session ended before the handshake finished")) }
  }

  private var stateDescription: String {
    switch state {
    case .idle: "before the connection opened"
    case .awaitingHello: "before the hello"
    case .awaitingProof: "while waiting for the auth proof"
    case .established: "after the handshake"
    case .ended: "after the session ended"
    }
  }
}
