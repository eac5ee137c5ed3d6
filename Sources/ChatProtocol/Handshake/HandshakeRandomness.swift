public import Crypto

/// The fresh random values one connection's handshake uses, drawn by the shell (or fixed by
/// a test vector): the machine itself reads no randomness.
public struct HandshakeRandomness: Sendable {
  /// Noise's ephemeral key `e`: new for every connection, resumed ones too (forward secrecy).
  public var ephemeralKey: Curve25519.KeyAgreement.PrivateKey
  /// CPace's secret scalar (32 bytes), used only with a shared secret.
  public var cpaceScalar: [UInt8]

  public init(ephemeralKey: Curve25519.KeyAgreement.PrivateKey, cpaceScalar: [UInt8]) {
    self.ephemeralKey = ephemeralKey
    self.cpaceScalar = cpaceScalar
  }

  /// Values from the system's cryptographic generator.
  public static func fresh() -> HandshakeRandomness {
    var generator = SystemRandomNumberGenerator()
    let scalar = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return HandshakeRandomness(ephemeralKey: Curve25519.KeyAgreement.PrivateKey(), cpaceScalar: scalar)
  }
}
