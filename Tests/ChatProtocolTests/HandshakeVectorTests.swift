import ChatCrypto
import ChatProtocol
import Crypto
import NIOCore
import Testing

/// The session machine's version-2 handshake against the independent Python
/// implementation's vectors: every frame and every record, byte for byte.
@Suite("Version 2 handshake vectors from Resources/protocol-vectors.json")
struct HandshakeVectorTests {
  let vectors = try! HandshakeVectors.load()

  @Test func fourHandshakesAreInTheVectors() {
    #expect(vectors.handshakeV2.count == 4)
    #expect(Set(vectors.handshakeV2.map(\.cipher)) == ["ChaChaPoly", "AESGCM"])
    #expect(vectors.handshakeV2.contains { $0.secret == nil } && vectors.handshakeV2.contains { $0.secret != nil })
  }

  @Test(arguments: 0..<4)
  func theMachinesSendExactlyTheVectorsFrames(index: Int) throws {
    let vector = vectors.handshakeV2[index]
    var connector = try machine(vector, role: .connector)
    var listener = try machine(vector, role: .listener)
    var run = VectorRun()
    run.take(connector.start(), from: .connector)
    run.take(listener.start(), from: .listener)
    // Deliver until quiet, answering the SESSION frame as the vector's listener does.
    var rounds = 0
    while let (frame, to) = run.next(), rounds < 100 {
      rounds += 1
      if to == .listener {
        let actions = listener.receive(frame, now: 0)
        run.take(actions, from: .listener)
        for case .report(.sessionRequested) in actions {
          run.take(
            listener.acceptSession(
              SessionAcceptance(
                sessionID: SessionID(bytes: [UInt8](repeating: 1, count: 16)), resumed: false, lastReceived: 0)),
            from: .listener)
        }
      } else {
        run.take(connector.receive(frame, now: 0), from: .connector)
      }
    }
    #expect(connector.isEstablished && listener.isEstablished, "\(vector.name)")
    run.take(connector.send(text: "你好, bob"), from: .connector)
    run.take(listener.send(text: "hi alice"), from: .listener)

    for side in [VectorRun.Side.connector, .listener] {
      let expected =
        vector.frames.filter { $0.from == side.rawValue }.map(\.hex)
        + vector.records.filter { $0.from == side.rawValue }.map(\.hex)
      #expect(run.wire[side]!.prefix(expected.count).map(hexString) == expected, "\(vector.name): \(side)")
    }
  }

  @Test func aTamperedRecordNeverOpens() throws {
    for tamper in vectors.tamper {
      let state = NoiseCipherStateFactory.receiving(cipher: tamper.cipher, key: decodeHex(tamper.key))
      var opener = RecordOpener(state)
      var record = ByteBuffer(bytes: decodeHex(tamper.recordHex).dropFirst(5))
      #expect(hexString(try opener.open(record).readableBytesView) == tamper.innerHex)
      for change in tamper.cases {
        var fresh = RecordOpener(state)
        if change.counter == 1 {
          record = ByteBuffer(bytes: decodeHex(tamper.recordHex).dropFirst(5))
          _ = try fresh.open(record)
        }
        // The opener derives the header from the payload's length, as a receiver does: a
        // changed length in the header makes the receiver take that many bytes instead.
        let header = decodeHex(change.headerHex)
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        let payload = ByteBuffer(bytes: decodeHex(change.payloadHex).prefix(length))
        let error = #expect(throws: FrameError.self, "\(change.what)") { try fresh.open(payload) }
        #expect(error?.code == .tampered)
      }
    }
  }

  @Test func lowOrderCPaceSharesAbortWithAuthFailed() throws {
    let vector = vectors.handshakeV2.first { $0.secret != nil }!
    for share in vectors.cpaceLowOrder.shares {
      var listener = try machine(vector, role: .listener)
      _ = listener.start()
      let hello = try #require(decodeOne(decodeHex(vector.connectorHelloHex), type: .hello))
      _ = listener.receive(hello, now: 0)
      let actions = listener.receive(.cpace(decodeHex(share)), now: 0)
      #expect(actions.contains(.close), "\(share)")
      let sent = actions.compactMap(\.sentFrame).map { hexString($0.encoded().readableBytesView) }
      #expect(sent == [vectors.cpaceLowOrder.errorHex], "\(share)")
    }
  }

  @Test func aVersionOneHelloIsRefusedNamingTheVersion() throws {
    var decoder = FrameDecoder()
    var bytes = ByteBuffer(bytes: decodeHex(vectors.version1Hello.hex))
    let error = #expect(throws: FrameError.self) { try decoder.decode(&bytes) }
    #expect(error?.message == vectors.version1Hello.message)
    #expect(
      hexString(Frame.error(ErrorReport(error!)).encoded().readableBytesView) == vectors.version1Hello.errorHex)
  }

  // MARK: - Support

  private func machine(_ vector: HandshakeVectors.Case, role: Role) throws -> SessionMachine {
    let helloHex = role == .connector ? vector.connectorHelloHex : vector.listenerHelloHex
    let hello = try #require(decodeOne(decodeHex(helloHex), type: .hello)?.hello)
    let staticKey = role == .connector ? vector.connectorStaticPrivate : vector.listenerStaticPrivate
    let ephemeral = role == .connector ? vector.connectorEphemeralPrivate : vector.listenerEphemeralPrivate
    let scalar = role == .connector ? vector.connectorCpaceScalar : vector.listenerCpaceScalar
    return SessionMachine(
      configuration: .init(
        role: role, name: hello.name, secret: vector.secret.flatMap { SharedSecret(bytes: $0.utf8) },
        maximumPayloadLength: Int(hello.maximumPayloadLength), capabilities: hello.capabilities,
        identity: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: decodeHex(staticKey))),
      nonce: hello.nonce,
      randomness: HandshakeRandomness(
        ephemeralKey: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: decodeHex(ephemeral)),
        cpaceScalar: scalar.map(decodeHex) ?? [UInt8](repeating: 0, count: 32)))
  }
}

/// A hello payload (no header) as a frame.
func decodeOne(_ payload: [UInt8], type: FrameType) -> Frame? {
  var buffer = ByteBuffer()
  buffer.writeInteger(UInt32(payload.count))
  buffer.writeInteger(type.rawValue)
  buffer.writeBytes(payload)
  var decoder = FrameDecoder()
  return try? decoder.decode(&buffer)
}

/// Two machines' frames in flight, each side's wire bytes recorded as sent (sealed once its
/// handshake is done, one frame per record, as the vectors are).
struct VectorRun {
  enum Side: String { case connector, listener }
  var wire: [Side: [[UInt8]]] = [.connector: [], .listener: []]
  private var sealers: [Side: RecordSealer] = [:]
  private var inFlight: [(Frame, Side)] = []

  mutating func take(_ actions: [SessionAction], from side: Side) {
    for action in actions {
      switch action {
      case .send(let frame):
        var bytes = frame.encoded()
        if sealers[side] != nil { bytes = sealers[side]!.sealed(bytes) }
        wire[side]!.append(Array(bytes.readableBytesView))
        var decoder = FrameDecoder(maximumPayloadLength: 1 << 21)
        while let decoded = try! decoder.decode(&bytes) {
          inFlight.append((decoded, side == .connector ? .listener : .connector))
        }
      case .beginSealing(let sealer):
        sealers[side] = sealer
      case .report, .close:
        break
      }
    }
  }

  mutating func next() -> (Frame, Side)? {
    inFlight.isEmpty ? nil : inFlight.removeFirst()
  }
}

/// Cipher states for a record opener from a vector's key (the key as Noise's Split gives it).
enum NoiseCipherStateFactory {
  static func receiving(cipher: String, key: [UInt8]) -> NoiseCipherState {
    NoiseCipherState(cipher: cipher == "AESGCM" ? .aesGCM : .chaChaPoly, key: key)
  }
}
