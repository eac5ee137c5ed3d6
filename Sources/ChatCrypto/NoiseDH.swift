import Crypto

/// Noise's `25519` DH functions (Noise revision 34, section 12.1) over swift-crypto's X25519.
enum NoiseDH {
  /// DHLEN: the size of a public key and of a DH result.
  static let length = 32

  /// X25519 between `privateKey` and the peer's raw public key.
  ///
  /// swift-crypto deliberately does not reject an all-zero result, which is what a low-order
  /// peer key (such as the u-coordinate 0 or 1) yields whatever our private key is. Noise allows
  /// refusing it, and chat does: a handshake keyed by a value the peer chose alone would
  /// authenticate nothing. The check ORs every byte, so its time does not depend on the secret.
  static func agree(
    _ privateKey: Curve25519.KeyAgreement.PrivateKey, with publicKey: [UInt8]
  ) throws(NoiseError) -> [UInt8] {
    guard publicKey.count == length else { throw .invalidKey }
    let shared: [UInt8]
    do {
      let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey)
      shared = try privateKey.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { Array($0) }
    } catch {
      throw .invalidKey
    }
    guard !isAllZero(shared) else { throw .invalidKey }
    return shared
  }

  /// Whether every byte is zero, in time that depends only on the length.
  static func isAllZero(_ bytes: [UInt8]) -> Bool {
    var accumulator: UInt8 = 0
    for byte in bytes { accumulator |= byte }
    return accumulator == 0
  }

  /// The raw public key of a private key, as sent on the wire.
  static func publicBytes(_ privateKey: Curve25519.KeyAgreement.PrivateKey) -> [UInt8] {
    Array(privateKey.publicKey.rawRepresentation)
  }
}
