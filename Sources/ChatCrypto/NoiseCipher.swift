/// The AEAD cipher of a Noise protocol (Noise revision 34, sections 12.3 and 12.4).
public enum NoiseCipher: Sendable {
  /// ChaCha20-Poly1305 (RFC 8439); the name component is `ChaChaPoly`.
  case chaChaPoly
  /// AES-256-GCM with a 128-bit tag; the name component is `AESGCM`.
  case aesGCM

  /// The cipher's section of the protocol name, as the spec spells it.
  var name: String {
    switch self {
    case .chaChaPoly: "ChaChaPoly"
    case .aesGCM: "AESGCM"
    }
  }
}
