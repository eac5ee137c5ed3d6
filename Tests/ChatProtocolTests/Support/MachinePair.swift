import ChatProtocol
import NIOCore

/// Two session machines joined back to back through the real codec: every frame one sends
/// is encoded, decoded and handed to the other, until nothing is left in flight.
struct MachinePair {
  var connector: SessionMachine
  var listener: SessionMachine
  var connectorReports: [SessionReport] = []
  var listenerReports: [SessionReport] = []
  /// Frames each side sent, in order, for tests that inspect the wire.
  var connectorSent: [Frame] = []
  var listenerSent: [Frame] = []
  var connectorClosed = false
  var listenerClosed = false
  /// Each side's sealer once its handshake is done: what it sends after that is sealed.
  var connectorSealer: RecordSealer?
  var listenerSealer: RecordSealer?
  var now: UInt64 = 1_000_000

  /// How the listener answers a SESSION frame (a relay looks the session up).
  var acceptance: (SessionRequest) -> SessionAcceptance = { _ in
    SessionAcceptance(sessionID: SessionID(bytes: (0..<16).map { UInt8($0 + 1) }), resumed: false, lastReceived: 0)
  }

  init(
    connectorSecret: String?, listenerSecret: String?, connectorName: String = "bob", listenerName: String = "alice",
    conversation: Conversation = Conversation(),
    connectorCapabilities: [String] = [Capability.room, Capability.resume],
    listenerCapabilities: [String] = [Capability.room, Capability.resume],
    listenerMaximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength,
    relay: Bool = false
  ) {
    connector = SessionMachine(
      configuration: .init(
        role: .connector, name: connectorName, secret: connectorSecret.flatMap { SharedSecret(bytes: $0.utf8) },
        capabilities: connectorCapabilities, keepsUndelivered: true),
      nonce: randomNonce(),
      conversation: conversation
    )
    listener = SessionMachine(
      configuration: .init(
        role: .listener, name: listenerName, secret: listenerSecret.flatMap { SharedSecret(bytes: $0.utf8) },
        maximumPayloadLength: listenerMaximumPayloadLength, capabilities: listenerCapabilities,
        acknowledgesWhenRelayed: relay),
      nonce: randomNonce()
    )
  }

  /// Each side's auth-failure reason, when both sides ended with one.
  var authFailureReasons: (connector: String, listener: String)? {
    guard case .authFailed(let connector) = connectorReports.end,
      case .authFailed(let listener) = listenerReports.end
    else { return nil }
    return (connector, listener)
  }

  mutating func start() {
    let fromConnector = connector.start()
    let fromListener = listener.start()
    run(connector: fromConnector, listener: fromListener)
  }

  /// Carries out actions on each side, delivering frames to the other, until quiet.
  mutating func run(connector fromConnector: [SessionAction], listener fromListener: [SessionAction]) {
    var toListener = absorb(fromConnector, isConnector: true)
    var toConnector = absorb(fromListener, isConnector: false)
    while !toListener.isEmpty || !toConnector.isEmpty {
      var nextToConnector: [Frame] = []
      var nextToListener: [Frame] = []
      for frame in toListener where !listenerClosed {
        let actions = listener.receive(frame, now: now)
        nextToConnector += absorb(actions, isConnector: false)
        for case .report(.sessionRequested(let request, _)) in actions {
          nextToConnector += absorb(listener.acceptSession(acceptance(request)), isConnector: false)
        }
      }
      for frame in toConnector where !connectorClosed {
        nextToListener += absorb(connector.receive(frame, now: now), isConnector: true)
      }
      toListener = nextToListener
      toConnector = nextToConnector
    }
  }

  /// `frame` as the connector receives it from the listener: sealed with the listener's
  /// keys once its handshake is done (as it would arrive), then opened by the connector.
  mutating func connectorReceives(_ frame: Frame, now: UInt64) -> [SessionAction] {
    let frames = Self.wire(frame, sealer: &listenerSealer)
    return frames.flatMap { connector.receive($0, now: now) }
  }

  /// `frame` as the listener receives it from the connector (sealed once the connector's
  /// handshake is done).
  mutating func listenerReceives(_ frame: Frame, now: UInt64) -> [SessionAction] {
    let frames = Self.wire(frame, sealer: &connectorSealer)
    return frames.flatMap { listener.receive($0, now: now) }
  }

  private static func wire(_ frame: Frame, sealer: inout RecordSealer?) -> [Frame] {
    var bytes = frame.encoded()
    if sealer != nil { bytes = sealer!.sealed(bytes) }
    return decodeAll(bytes)
  }

  /// Records what a side did and returns the frames as the peer decodes them from the
  /// wire: sealed into records once that side's handshake is done.
  mutating func absorb(_ actions: [SessionAction], isConnector: Bool) -> [Frame] {
    var frames: [Frame] = []
    for action in actions {
      switch action {
      case .send(let frame):
        if isConnector { connectorSent.append(frame) } else { listenerSent.append(frame) }
        let bytes = frame.encoded()
        if isConnector, connectorSealer != nil {
          frames += Self.decodeAll(connectorSealer!.sealed(bytes))
        } else if !isConnector, listenerSealer != nil {
          frames += Self.decodeAll(listenerSealer!.sealed(bytes))
        } else {
          frames += Self.decodeAll(bytes)
        }
      case .beginSealing(let sealer):
        if isConnector { connectorSealer = sealer } else { listenerSealer = sealer }
      case .report(let report):
        if isConnector { connectorReports.append(report) } else { listenerReports.append(report) }
      case .close:
        if isConnector { connectorClosed = true } else { listenerClosed = true }
      }
    }
    return frames
  }

  /// The frames as the peer would decode them from the wire.
  static func decodeAll(_ bytes: ByteBuffer) -> [Frame] {
    var buffer = bytes
    var decoder = FrameDecoder(maximumPayloadLength: 1 << 24)
    var frames: [Frame] = []
    while let frame = try! decoder.decode(&buffer) { frames.append(frame) }
    return frames
  }
}

func randomNonce() -> [UInt8] {
  (0..<Hello.nonceLength).map { _ in UInt8.random(in: 0...255) }
}

extension [SessionReport] {
  var end: SessionEnd? {
    for report in self {
      if case .ended(let end) = report { return end }
    }
    return nil
  }

  /// The peer as the established report describes it.
  var peer: PeerIdentity? {
    for report in self {
      if case .established(let peer, _) = report { return peer }
    }
    return nil
  }

  var authStatus: AuthStatus? {
    for report in self {
      if case .established(_, let status) = report { return status }
    }
    return nil
  }

  var received: [String] {
    compactMap { report in
      if case .messageReceived(let message, _, _, _) = report { return message.text }
      return nil
    }
  }
}
