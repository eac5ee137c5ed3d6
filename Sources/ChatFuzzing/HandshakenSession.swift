import ChatProtocol
import Crypto
import NIOCore
import Synchronization

/// A session machine that has completed a real handshake (CPace and Noise with fixed keys)
/// with a peer machine, and the peer's sealer: the harness seals the fuzzer's frames with it
/// so that they reach the established states through the decryptor, as a genuine peer's
/// would. Built once per scenario and copied (machines are values).
struct HandshakenSession: Sendable {
  var machine: SessionMachine
  var peerSealer: RecordSealer
  /// Every frame the peer put on the wire, in order, sealed records included: replayed to
  /// a fresh machine they repeat the whole handshake (seeds for the mutation fuzzer).
  var peerFrames: [Frame]

  struct Scenario: Hashable, Sendable {
    var role: Role
    var secret: Bool
    var resume: Bool
    var keepsUndelivered: Bool
  }

  static func configuration(_ scenario: Scenario, role: Role, name: String, seed: UInt8)
    -> SessionMachine.Configuration
  {
    // Both sides list `files`, so the file frames (0x40–0x47) reach the established machine.
    var capabilities = [Capability.room, Capability.files]
    if scenario.resume { capabilities.append(Capability.resume) }
    return SessionMachine.Configuration(
      role: role, name: name, secret: scenario.secret ? SharedSecret(bytes: "fuzz".utf8) : nil,
      maximumPayloadLength: FuzzHarness.maximumPayload, capabilities: capabilities,
      pingInterval: 1_000_000_000, deadAfter: 30_000_000_000,
      keepsUndelivered: role == scenario.role && scenario.keepsUndelivered,
      identity: try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: seed, count: 32)))
  }

  static func randomness(seed: UInt8) -> HandshakeRandomness {
    HandshakeRandomness(
      ephemeralKey: try! Curve25519.KeyAgreement.PrivateKey(
        rawRepresentation: [UInt8](repeating: seed &+ 100, count: 32)),
      cpaceScalar: [UInt8](repeating: seed &+ 50, count: 32))
  }

  /// The machine under test, freshly started (before the peer's hello).
  static func fresh(_ scenario: Scenario) -> SessionMachine {
    SessionMachine(
      configuration: configuration(scenario, role: scenario.role, name: "fuzz", seed: 1),
      nonce: [UInt8](repeating: 7, count: Hello.nonceLength), randomness: randomness(seed: 1))
  }

  /// Runs the handshake between the machine under test and a peer to the end.
  static func make(_ scenario: Scenario) -> HandshakenSession {
    var machine = fresh(scenario)
    var peer = SessionMachine(
      configuration: configuration(scenario, role: scenario.role.peer, name: "peer", seed: 2),
      nonce: [UInt8](repeating: 9, count: Hello.nonceLength), randomness: randomness(seed: 2))
    var sealers: [Bool: RecordSealer] = [:]  // true: the machine under test's
    var peerFrames: [Frame] = []
    var toMachine = wire(peer.start(), sealer: &sealers[false], sent: &peerFrames)
    var ignored: [Frame] = []
    var toPeer = wire(machine.start(), sealer: &sealers[true], sent: &ignored)
    while !toMachine.isEmpty || !toPeer.isEmpty {
      var nextToPeer: [Frame] = []
      var nextToMachine: [Frame] = []
      for frame in toMachine {
        let actions = machine.receive(frame, now: 0)
        nextToPeer += wire(actions, sealer: &sealers[true], sent: &ignored)
        for case .report(.sessionRequested) in actions {
          let id = SessionID(bytes: [UInt8](repeating: 3, count: SessionID.length))
          nextToPeer += wire(
            machine.acceptSession(SessionAcceptance(sessionID: id, resumed: false, lastReceived: 0)),
            sealer: &sealers[true], sent: &ignored)
        }
      }
      for frame in toPeer {
        let actions = peer.receive(frame, now: 0)
        nextToMachine += wire(actions, sealer: &sealers[false], sent: &peerFrames)
        for case .report(.sessionRequested) in actions {
          let id = SessionID(bytes: [UInt8](repeating: 4, count: SessionID.length))
          nextToMachine += wire(
            peer.acceptSession(SessionAcceptance(sessionID: id, resumed: false, lastReceived: 0)),
            sealer: &sealers[false], sent: &peerFrames)
        }
      }
      toMachine = nextToMachine
      toPeer = nextToPeer
    }
    precondition(machine.isEstablished, "the fuzz harness's handshake completes")
    return HandshakenSession(machine: machine, peerSealer: sealers[false]!, peerFrames: peerFrames)
  }

  /// Carries out a side's actions: its frames as the other side decodes them.
  private static func wire(_ actions: [SessionAction], sealer: inout RecordSealer?, sent: inout [Frame]) -> [Frame] {
    var frames: [Frame] = []
    for action in actions {
      switch action {
      case .send(let frame):
        var bytes = frame.encoded()
        if sealer != nil { bytes = sealer!.sealed(bytes) }
        var decoder = FrameDecoder(maximumPayloadLength: 1 << 20)
        while let decoded = try! decoder.decode(&bytes) {
          frames.append(decoded)
          sent.append(decoded)
        }
      case .beginSealing(let new):
        sealer = new
      case .report, .close:
        break
      }
    }
    return frames
  }

  /// One handshaken session per scenario, made on first use.
  static func cached(_ scenario: Scenario) -> HandshakenSession {
    cache.withLock { sessions in
      if let session = sessions[scenario] { return session }
      let session = make(scenario)
      sessions[scenario] = session
      return session
    }
  }

  // The harness may run on several threads (swift-testing runs tests in parallel).
  private static let cache = Mutex<[Scenario: HandshakenSession]>([:])
}
