import Crypto

/// The key that authenticates UDP datagrams: HKDF-SHA256 of the shared secret.
///
/// It authenticates, it does not encrypt: anyone on the path reads the text. And unlike
/// TCP chat's CPace, one recorded datagram lets an attacker test guesses at the secret
/// offline, as fast as they can compute HKDF and HMAC: only a long random secret is safe.
public struct DatagramKey: Sendable {
  let key: SymmetricKey

  /// The key for `secret`. The salt and info name this use, so the key is never the one
  /// any other part of chat derives from the same secret.
  public init(secret: SharedSecret) {
    key = HKDF<SHA256>.deriveKey(
      inputKeyMaterial: SymmetricKey(data: secret.bytes), salt: Array("chat udp v1".utf8),
      info: Array("datagram hmac-sha256".utf8), outputByteCount: 32)
  }

  /// The 32-byte HMAC-SHA256 tag of `bytes`.
  func tag(for bytes: some Collection<UInt8>) -> [UInt8] {
    Array(HMAC<SHA256>.authenticationCode(for: Array(bytes), using: key))
  }

  /// Whether `tag` is right for `bytes`, compared in constant time.
  func verify(tag: some Collection<UInt8>, for bytes: some Collection<UInt8>) -> Bool {
    HMAC<SHA256>.isValidAuthenticationCode(Array(tag), authenticating: Array(bytes), using: key)
  }
}
