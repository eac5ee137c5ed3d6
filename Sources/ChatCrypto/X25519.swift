import Crypto

/// RFC 7748's X25519 on any u-coordinate, through swift-crypto, as CPace's G_X25519 needs it:
/// scalar_mult(y, g) and scalar_mult_vfy(y, X) are both X25519(y, ·), with the all-zero result
/// (the neutral element) left for the caller to reject.
package enum X25519 {
  /// X25519(scalar, u): 32 bytes. Both inputs must be 32 bytes. swift-crypto clamps the scalar,
  /// clears bit 255 of u and accepts non-canonical u, as RFC 7748 says.
  package static func scalarMultiply(scalar: [UInt8], point: [UInt8]) throws(CPaceError) -> [UInt8] {
    guard scalar.count == 32, point.count == 32 else {
      throw .invalidShare("X25519 takes a 32-byte scalar and a 32-byte u-coordinate")
    }
    let privateKey: Curve25519.KeyAgreement.PrivateKey
    do {
      privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: scalar)
    } catch {
      throw .invalidShare("X25519 refused the scalar")
    }
    return try scalarMultiply(privateKey: privateKey, point: point)
  }

  /// X25519(privateKey's scalar, u) for a 32-byte u. (Internal: swift-crypto's types stay
  /// out of this module's package interface.)
  static func scalarMultiply(
    privateKey: Curve25519.KeyAgreement.PrivateKey, point: [UInt8]
  ) throws(CPaceError) -> [UInt8] {
    do {
      let publicKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: point)
      let secret = try privateKey.sharedSecretFromKeyAgreement(with: publicKey)
      return secret.withUnsafeBytes { Array($0) }
    } catch {
      // BoringSSL's X25519 doesn't fail on 32-byte inputs; a platform whose X25519 refuses a
      // low-order point lands here, which is the same verdict.
      throw .invalidShare("X25519 refused the point")
    }
  }

  /// Whether all bytes are zero, in constant time: the OR of every byte, then one test of it
  /// (K is secret until it is known to be the public neutral element).
  package static func isAllZero(_ bytes: [UInt8]) -> Bool {
    var accumulated: UInt8 = 0
    for byte in bytes {
      accumulated |= byte
    }
    return ConstantTimeChoice(isZero: UInt64(accumulated)).isYes
  }
}
