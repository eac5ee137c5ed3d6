import ChatCrypto
import Crypto
import Foundation

/// One vector of Resources/noise-cacophony-vectors.json (the cacophony/snow format).
struct NoiseTestVector: Decodable, Sendable {
  struct Message: Decodable, Sendable {
    let payload: String
    let ciphertext: String
  }

  let protocolName: String
  let initPrologue: String
  let initEphemeral: String
  let initStatic: String?
  let initRemoteStatic: String?
  let initPsks: [String]?
  let respPrologue: String
  let respEphemeral: String
  let respStatic: String?
  let respRemoteStatic: String?
  let respPsks: [String]?
  let handshakeHash: String?
  let messages: [Message]
}

/// Helpers shared by the Noise tests, in a namespace so that nothing collides with the other
/// suites of this test target.
enum NoiseTestSupport {
  private struct File: Decodable {
    let vectors: [NoiseTestVector]
  }

  /// The patterns and ciphers ChatCrypto supports, so that every combination is tried.
  static let patterns: [NoisePattern] = [.nn, .nnpsk0, .nnpsk2, .xx, .xxpsk3, .ik, .xk]
  static let ciphers: [NoiseCipher] = [.chaChaPoly, .aesGCM]

  /// Every vector in the package's copy (located from this file, not from the working
  /// directory, so the tests run from anywhere).
  static func loadVectors() throws -> [NoiseTestVector] {
    let url = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent()  // ChatCryptoTests
      .deletingLastPathComponent()  // Tests
      .deletingLastPathComponent()  // the package root
      .appendingPathComponent("Resources/noise-cacophony-vectors.json")
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(File.self, from: Data(contentsOf: url)).vectors
  }

  /// The vector for `pattern` and `cipher`, by protocol name.
  static func vectors(for pattern: NoisePattern, _ cipher: NoiseCipher) throws -> [NoiseTestVector] {
    let name = NoiseHandshake(pattern: pattern, cipher: cipher, initiator: true, prologue: [], staticKey: nil)
      .protocolName
    return try loadVectors().filter { $0.protocolName == name }
  }

  static func bytes(hex: String) -> [UInt8] {
    precondition(hex.count % 2 == 0, "hex strings have an even length")
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      result.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    return result
  }

  static func privateKey(hex: String?) throws -> Curve25519.KeyAgreement.PrivateKey? {
    guard let hex else { return nil }
    return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes(hex: hex))
  }

  static func publicKey(hex: String?) throws -> [UInt8]? {
    try privateKey(hex: hex).map { Array($0.publicKey.rawRepresentation) }
  }

  /// The initiator and responder of `vector`, with its keys, prologues and psks.
  static func handshakes(
    _ vector: NoiseTestVector, _ pattern: NoisePattern, _ cipher: NoiseCipher,
    withPSKs: Bool = true
  ) throws -> (initiator: NoiseHandshake, responder: NoiseHandshake) {
    let initiator = NoiseHandshake(
      pattern: pattern, cipher: cipher, initiator: true, prologue: bytes(hex: vector.initPrologue),
      staticKey: try privateKey(hex: vector.initStatic),
      remoteStaticKey: vector.initRemoteStatic.map(bytes(hex:)),
      psk: withPSKs ? vector.initPsks?.first.map(bytes(hex:)) : nil,
      ephemeralKey: try privateKey(hex: vector.initEphemeral))
    let responder = NoiseHandshake(
      pattern: pattern, cipher: cipher, initiator: false, prologue: bytes(hex: vector.respPrologue),
      staticKey: try privateKey(hex: vector.respStatic),
      remoteStaticKey: vector.respRemoteStatic.map(bytes(hex:)),
      psk: withPSKs ? vector.respPsks?.first.map(bytes(hex:)) : nil,
      ephemeralKey: try privateKey(hex: vector.respEphemeral))
    return (initiator, responder)
  }

  /// The raw bytes of a key, to compare transport keys.
  static func raw(_ key: SymmetricKey) -> [UInt8] {
    key.withUnsafeBytes { Array($0) }
  }

  /// A complete handshake between two fresh parties with random ephemerals (and statics
  /// where the pattern needs them).
  static func completedPair(
    _ pattern: NoisePattern, _ cipher: NoiseCipher, psk: [UInt8]? = nil
  ) throws -> (initiator: NoiseHandshake, responder: NoiseHandshake) {
    let initiatorStatic = Curve25519.KeyAgreement.PrivateKey()
    let responderStatic = Curve25519.KeyAgreement.PrivateKey()
    var initiator = NoiseHandshake(
      pattern: pattern, cipher: cipher, initiator: true, prologue: Array("chat".utf8), staticKey: initiatorStatic,
      remoteStaticKey: [.ik, .xk].contains(pattern) ? Array(responderStatic.publicKey.rawRepresentation) : nil,
      psk: psk)
    var responder = NoiseHandshake(
      pattern: pattern, cipher: cipher, initiator: false, prologue: Array("chat".utf8), staticKey: responderStatic,
      psk: psk)
    while !initiator.isComplete || !responder.isComplete {
      if initiator.isMyTurnToWrite {
        _ = try responder.readMessage(try initiator.writeMessage(payload: Array("from initiator".utf8)))
      } else {
        _ = try initiator.readMessage(try responder.writeMessage(payload: Array("from responder".utf8)))
      }
    }
    return (initiator, responder)
  }
}
