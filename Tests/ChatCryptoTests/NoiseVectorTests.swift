import ChatCrypto
import Testing

/// The cacophony vectors (Resources/noise-cacophony-vectors.json), run byte for byte.
///
/// All 14 vectors of the subset are supported and run, one per pattern and cipher: NN, NNpsk0,
/// NNpsk2, XX, XXpsk3, IK and XK, each with ChaChaPoly and AESGCM (25519, SHA256). Each plays
/// both roles: our initiator's and our responder's messages are each compared with the
/// vector's bytes, and each side reads the vector's bytes (not the other side's output).
@Suite("Noise cacophony vectors")
struct NoiseVectorTests {
  typealias Support = NoiseTestSupport

  @Test(
    "each supported pattern and cipher has a vector, and it runs byte for byte",
    arguments: NoiseTestSupport.patterns, NoiseTestSupport.ciphers)
  func vector(pattern: NoisePattern, cipher: NoiseCipher) throws {
    let vectors = try Support.vectors(for: pattern, cipher)
    // Fails rather than passing vacuously if the file or the protocol names change.
    try #require(!vectors.isEmpty, "no vector for this pattern and cipher")
    for vector in vectors {
      try run(vector, pattern, cipher)
    }
  }

  @Test("every vector in the file is one we run (14 vectors, 2 per pattern)")
  func coverage() throws {
    let vectors = try Support.loadVectors()
    var ran: [String: Int] = [:]
    for pattern in Support.patterns {
      for cipher in Support.ciphers {
        let count = try Support.vectors(for: pattern, cipher).count
        if count > 0 {
          ran[
            NoiseHandshake(pattern: pattern, cipher: cipher, initiator: true, prologue: [], staticKey: nil)
              .protocolName] = count
        }
      }
    }
    let total = ran.values.reduce(0, +)
    print("Noise vectors run: \(total) of \(vectors.count): \(ran.sorted { $0.key < $1.key })")
    #expect(total > 0)
    #expect(total == vectors.count, "a vector in the file is for a pattern or cipher not run")
    #expect(total == 14)
  }

  /// Runs the handshake and transport messages of one vector through both roles.
  private func run(_ vector: NoiseTestVector, _ pattern: NoisePattern, _ cipher: NoiseCipher) throws {
    var (initiator, responder) = try Support.handshakes(vector, pattern, cipher)
    #expect(initiator.protocolName == vector.protocolName)
    var index = 0
    // Messages alternate, the initiator's at even indexes, as in the vector format.
    while !initiator.isComplete {
      try #require(index < vector.messages.count, "the vector ended before the handshake did")
      let payload = Support.bytes(hex: vector.messages[index].payload)
      let ciphertext = Support.bytes(hex: vector.messages[index].ciphertext)
      let initiatorWrites = index % 2 == 0
      #expect(initiator.isMyTurnToWrite == initiatorWrites)
      #expect(responder.isMyTurnToWrite == !initiatorWrites)
      let written: [UInt8]
      let read: [UInt8]
      if initiatorWrites {
        written = try initiator.writeMessage(payload: payload)
        read = try responder.readMessage(ciphertext)
      } else {
        written = try responder.writeMessage(payload: payload)
        read = try initiator.readMessage(ciphertext)
      }
      #expect(written == ciphertext, "handshake message \(index) of \(vector.protocolName)")
      #expect(read == payload, "handshake payload \(index) of \(vector.protocolName)")
      index += 1
    }
    #expect(responder.isComplete)
    #expect(!initiator.isMyTurnToWrite && !responder.isMyTurnToWrite)
    if let hash = vector.handshakeHash {
      #expect(initiator.handshakeHash == Support.bytes(hex: hash))
      #expect(responder.handshakeHash == Support.bytes(hex: hash))
    }
    // Each side learned (or was given) the other's static, where the pattern has one.
    if let initiatorStatic = try Support.publicKey(hex: vector.initStatic) {
      #expect(responder.remoteStaticKey == initiatorStatic)
    }
    if let responderStatic = try Support.publicKey(hex: vector.respStatic) {
      #expect(initiator.remoteStaticKey == responderStatic)
    }

    var (initiatorSend, initiatorReceive) = try initiator.split()
    var (responderReceive, responderSend) = try responder.split()
    #expect(Support.raw(initiatorSend.key) == Support.raw(responderReceive.key))
    #expect(Support.raw(initiatorReceive.key) == Support.raw(responderSend.key))
    #expect(index < vector.messages.count, "the vector has no transport messages")
    for position in index..<vector.messages.count {
      let payload = Support.bytes(hex: vector.messages[position].payload)
      let ciphertext = Support.bytes(hex: vector.messages[position].ciphertext)
      let written: [UInt8]
      let read: [UInt8]
      if position % 2 == 0 {
        written = try initiatorSend.encrypt(associatedData: [], plaintext: payload)
        read = try responderReceive.decrypt(associatedData: [], ciphertext: ciphertext)
      } else {
        written = try responderSend.encrypt(associatedData: [], plaintext: payload)
        read = try initiatorReceive.decrypt(associatedData: [], ciphertext: ciphertext)
      }
      #expect(written == ciphertext, "transport message \(position) of \(vector.protocolName)")
      #expect(read == payload, "transport payload \(position) of \(vector.protocolName)")
    }
  }
}
