public import Crypto
import NIOCore

/// The whole life of one connection, from hello to goodbye, as a pure state machine.
///
/// The shell (a SwiftNIO channel handler) feeds it decoded frames, the user's commands,
/// timer expiries and transport events, and carries out the ``SessionAction`` values it
/// returns. It does no I/O and reads no clock: time and randomness come in as arguments,
/// so every path is unit-testable.
///
/// ```
///            start()                  peer hello            CPACE (with a secret), NOISE msgs
///   idle ───────────▶ awaitingHello ───────────▶ handshaking ──────────────────────────┐
///                          │                                           keys, peer key ok  ▼
///                          │            awaitingSession ◀── both list `resume` ── (handshake done)
///                          │               │ SESSION / SESSION_ACCEPT, sealed        │ otherwise
///                          │               ▼                                         ▼
///                          │          established ◀── the listener's first record ── confirming (connector)
///                          └── error, bye, timeout, bad frame, auth mismatch, tampering, silence ──▶ ended
/// ```
///
/// After the handshake every frame travels inside SEALED records: the machine opens the
/// peer's (``RecordOpener``) and hands the shell a ``RecordSealer`` (``SessionAction/beginSealing(_:)``)
/// for what it sends.
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
    /// This installation's static X25519 identity key (Noise's `s`).
    public var identity: Curve25519.KeyAgreement.PrivateKey
    /// Checks the peer's identity key against the pinned keys before any message flows.
    public var peerKeyCheck: PeerKeyCheck

    public init(
      role: Role,
      name: String,
      secret: SharedSecret?,
      maximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength,
      capabilities: [String] = [Capability.room, Capability.resume, Capability.files],
      pingInterval: UInt64 = 10_000_000_000,
      deadAfter: UInt64 = 30_000_000_000,
      keepsUndelivered: Bool = false,
      acknowledgesWhenRelayed: Bool = false,
      identity: Curve25519.KeyAgreement.PrivateKey = Curve25519.KeyAgreement.PrivateKey(),
      peerKeyCheck: PeerKeyCheck = .unpinned
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
      self.identity = identity
      self.peerKeyCheck = peerKeyCheck
    }

  }

  enum State: Sendable {
    case idle
    case awaitingHello
    /// Hellos exchanged: CPace and Noise under way.
    case handshaking(peer: PeerIdentity, handshake: ChannelHandshake)
    /// Connector, keys in hand, without `resume`: waiting for the listener's first record,
    /// which proves the listener has the same keys (and so the secret).
    case confirming(peer: PeerIdentity, auth: AuthStatus)
    /// Auth is done; the session frames (SESSION, SESSION_ACCEPT) are being exchanged.
    case awaitingSession(peer: PeerIdentity, auth: AuthStatus)
    case established(peer: PeerIdentity)
    /// Over. After this side's goodbye, and until the transport closes, the peer's last
    /// receipts still count (`receiptsStillCount`).
    case ended(receiptsStillCount: Bool)
  }

  let configuration: Configuration
  let localHello: Hello
  var state: State = .idle
  /// Numbers, queues and unacknowledged messages: everything that outlives a connection.
  public internal(set) var conversation: Conversation
  /// Whether both hellos listed `resume`: receipts and session frames are in use.
  public internal(set) var usesReceipts = false
  /// The peer sent messages this side has not acknowledged yet.
  var acknowledgementDue = false
  /// When to ping, and whether the peer is late or dead.
  var heartbeat: Heartbeat
  /// With ``Configuration/acknowledgesWhenRelayed``: the last of the peer's messages the
  /// room has passed on.
  public internal(set) var lastRelayedSequence: UInt64 = 0
  /// The handshake's fresh values (ephemeral key, CPace scalar).
  let randomness: HandshakeRandomness
  /// Opens the peer's records once the handshake has produced the keys.
  var opener: RecordOpener?
  /// Whether a record from the peer has opened: from then on only records are accepted.
  var peerSealed = false
  /// Whether the listener's key is one pinned for it (known or verified): the connector's
  /// proof then went to the genuine listener.
  var listenerKeyPinned = false
  /// Parses the frames inside opened records.
  var innerDecoder: FrameDecoder

  /// - Parameters:
  ///   - nonce: 32 fresh random bytes for this connection's hello.
  ///   - conversation: what an earlier connection of the same session left behind.
  ///   - randomness: the handshake's fresh values; a test vector fixes them.
  public init(
    configuration: Configuration, nonce: [UInt8], conversation: Conversation = Conversation(),
    randomness: HandshakeRandomness = .fresh()
  ) {
    precondition(nonce.count == Hello.nonceLength, "a hello nonce is \(Hello.nonceLength) bytes")
    self.configuration = configuration
    self.randomness = randomness
    self.innerDecoder = FrameDecoder(
      maximumPayloadLength: configuration.maximumPayloadLength, recognisesForeignProtocols: false)
    self.conversation = conversation
    self.heartbeat = Heartbeat(pingInterval: configuration.pingInterval, deadAfter: configuration.deadAfter)
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
    case .handshaking(let peer, _), .confirming(let peer, _), .awaitingSession(let peer, _),
      .established(let peer):
      peer.maximumPayloadLength
    case .idle, .awaitingHello, .ended:
      nil
    }
  }

  /// The largest (outer) frame payload this side accepts now: until the handshake is done
  /// only what a handshake needs (``handshakeFrameLimit``), so a peer that has proved
  /// nothing can't make it hold a large frame; then a record holding the largest frame
  /// this side accepts (its maximum, plus the inner header and the tag).
  public var acceptedPayloadLength: Int {
    isEstablished
      ? configuration.maximumPayloadLength + Self.recordExpansion
      : min(configuration.maximumPayloadLength, Self.handshakeFrameLimit)
  }

  /// What a record adds around its largest inner frame's payload: the inner frame's header
  /// and the AEAD tag (docs/PROTOCOL.md §3: L ≤ M + 21 counts the record's own header too).
  public static let recordExpansion = FrameHeader.size + RecordSealer.overhead

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

  mutating func receiveFrame(_ frame: Frame, now: UInt64) -> [SessionAction] {
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
    case (.handshaking(let peer, var handshake), .cpace(let share)):
      do {
        try handshake.receiveShare(share)
      } catch {
        return handshakeFailed(error)
      }
      state = .handshaking(peer: peer, handshake: handshake)
      return []
    case (.handshaking(let peer, var handshake), .noise(let message)):
      return receiveNoise(message, peer: peer, handshake: &handshake)
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
            textBytes: message.text.utf8.count, wireBytes: frame.wireLength))
      ]
    case (.established, .roomEvent(let event)) where supportsRoom && configuration.role == .connector:
      return [.report(.roomEvent(event))]
    case (.established, .whoRequest) where supportsRoom && configuration.role == .listener:
      return [.report(.whoRequested)]
    case (.established, .file(let file)) where supportsFiles:
      return [.report(.fileFrame(file, wireBytes: frame.wireLength))]
    case (.established, .ping(let value)):
      return [.send(.pong(value))]
    case (.established, .pong(let value)):
      guard let roundTrip = heartbeat.pong(value, now: now) else { return [] }
      return [.report(.roundTrip(nanoseconds: roundTrip))]
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

  /// The shell stopped reading from the peer (``readingResumed(for:now:)`` undoes it): until
  /// then the peer's silence is not held against it.
  public mutating func readingPaused(for cause: Heartbeat.Pause) {
    heartbeat.setPaused(true, for: cause, now: 0)
  }

  /// The shell reads from the peer again; its silence counts from `now`.
  public mutating func readingResumed(for cause: Heartbeat.Pause, now: UInt64) {
    heartbeat.setPaused(false, for: cause, now: now)
  }

  /// The last TEXT number received from the peer (a relay remembers it to resume).
  public var lastReceivedSequence: UInt64 { conversation.lastReceivedSequence }

  /// The heartbeat: probes the peer when a ping is due, reports it late when it has been
  /// silent too long, and declares it dead after ``Configuration/deadAfter``. `now` is the
  /// monotonic clock in nanoseconds. Call it again at ``nextTick``.
  public mutating func tick(now: UInt64) -> [SessionAction] {
    guard case .established(let peer) = state else { return [] }
    switch heartbeat.tick(now: now) {
    case .dead:
      let limit = Quantities.duration(nanoseconds: configuration.deadAfter)
      return finish(
        .peerSilent("no answer from \(peer.name) for \(limit): the connection is dead"),
        sending: .error(ErrorReport(code: .peerSilent, message: "nothing heard from you for \(limit)")))
    case .alive(let ping, let lateFor):
      return (ping.map { [.send(.ping($0))] } ?? []) + (lateFor.map { [.report(.peerSilent(nanoseconds: $0))] } ?? [])
    }
  }

  /// When ``tick(now:)`` next has something to do (monotonic nanoseconds), or nil when the
  /// session is not established.
  public var nextTick: UInt64? {
    guard case .established = state else { return nil }
    return heartbeat.nextTick
  }

  /// The user (or the program) is leaving: say goodbye and close.
  public mutating func close(_ goodbye: Goodbye) -> [SessionAction] {
    guard !hasEnded else { return [] }
    return acknowledge() + finish(.localClose(goodbye), sending: .bye(goodbye), receiptsStillCount: usesReceipts)
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
      state = .ended(receiptsStillCount: false)
      return abandonUnlessKept(reason: "the connection closed before the peer acknowledged it")
    }
    let end = unprovenListener(.connectionLost(reason))
    state = .ended(receiptsStillCount: false)
    return [.report(.ended(end))] + abandonUnlessKept(reason: "the connection was lost: \(reason)")
  }

  /// Whether this connector has sent its proof of the secret (Noise msg3, with the psk from
  /// CPace) and the listener has not yet proved the same with a record.
  var awaitsListenersProof: Bool {
    configuration.role == .connector && configuration.secret != nil && opener != nil && !peerSealed
      && !listenerKeyPinned
  }

  /// An end in the window after this connector's proof and before the listener's: an
  /// authentication failure, whatever the listener said or did. A fake listener learns one
  /// guess of the secret from each proof it receives; hanging up instead of answering must
  /// not make the connector come back with another (PROTOCOL.md §3, "CPace"). Not when the
  /// listener's key is the one pinned for it: only the real listener could have answered
  /// with it, so a drop then is a drop.
  func unprovenListener(_ end: SessionEnd) -> SessionEnd {
    guard awaitsListenersProof else { return end }
    switch end {
    case .authFailed, .localClose: return end
    // The listener refused this side's key: no retry either way, and the reason is ours.
    case .failed(.keyChanged, _): return end
    default:
      return .authFailed(
        "the listener did not prove it knows the shared secret (\(end)): it may be someone trying to guess the secret, so chat does not try again"
      )
    }
  }

  // MARK: - Steps

  mutating func end(peerReported report: ErrorReport) -> [SessionAction] {
    let reason = "the peer ended it (\(report.code))" + (report.message.isEmpty ? "" : ": \(report.message)")
    let end: SessionEnd =
      report.code.isAuthentication ? .authFailed("peer says: \(report.message)") : .failed(report.code, reason)
    return finish(end, sending: nil)
  }

  mutating func fail(authentication reason: String, telling report: ErrorReport) -> [SessionAction] {
    finish(.authFailed(reason), sending: .error(report))
  }

  mutating func protocolViolation(_ error: FrameError) -> [SessionAction] {
    let reason =
      switch error.code {
      case .unsupportedVersion: "incompatible peer: \(error.message)"
      // Not the peer's fault, as far as anyone can tell: someone on the path.
      case .tampered: error.message
      default: "protocol error from peer: \(error.message)"
      }
    return finish(.failed(error.code, reason), sending: .error(ErrorReport(error)))
  }

  mutating func finish(_ end: SessionEnd, sending frame: Frame?, receiptsStillCount: Bool = false) -> [SessionAction] {
    guard !hasEnded else { return [] }
    let end = unprovenListener(end)
    state = .ended(receiptsStillCount: receiptsStillCount)
    var actions: [SessionAction] = []
    if let frame { actions.append(.send(frame)) }
    actions.append(.report(.ended(end)))
    if !receiptsStillCount {
      actions += abandonUnlessKept(reason: "the session ended: \(end)")
    }
    actions.append(.close)
    return actions
  }

  var stateDescription: String {
    switch state {
    case .idle: "before the connection opened"
    case .awaitingHello: "before the hello"
    case .handshaking: "during the handshake"
    case .confirming: "while waiting for the listener's first record"
    case .awaitingSession: "while waiting for the session frame"
    case .established: "after the handshake"
    case .ended: "after the session ended"
    }
  }
}
