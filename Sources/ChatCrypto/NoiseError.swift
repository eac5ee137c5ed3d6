/// Why a Noise operation was refused.
///
/// The cases are specific enough to report to a user or a log: a tag that does not verify is
/// ``decryptionFailed``, a message too short for its tokens is ``malformedMessage(_:)``, and so
/// on. The strings say what was expected, never any secret.
public enum NoiseError: Error, Equatable, Sendable {
  /// A key has the wrong length, or a Diffie-Hellman result was all zeros (the peer sent a
  /// low-order point, so the result would not depend on our private key).
  case invalidKey
  /// An AEAD tag did not verify: the message was altered, or the two sides do not share the
  /// same keys (a different prologue, static key or psk).
  case decryptionFailed
  /// A call came at the wrong point of the handshake: writing out of turn, reading when it is
  /// our turn to write, splitting before completion, or setting a psk that is already used.
  case outOfOrder(String)
  /// A message is too short for its tokens, or over Noise's 65535-byte limit.
  case malformedMessage(String)
  /// The cipher state's nonce reached 2⁶⁴−1, which Noise reserves: the session must end.
  case nonceExhausted
  /// A key the pattern needs was not supplied (local static, remote static, or psk).
  case missingKey(String)
}
