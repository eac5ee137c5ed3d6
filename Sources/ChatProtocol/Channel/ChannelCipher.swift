import ChatCrypto

/// The AEAD that seals a session's records, chosen from the two hellos.
public enum ChannelCipher: Hashable, Sendable, CustomStringConvertible {
  /// ChaCha20-Poly1305: fast everywhere, the default.
  case chaChaPoly
  /// AES-256-GCM: faster where the CPU has AES instructions (both hellos list `aesgcm`).
  case aesGCM

  /// AESGCM when both hellos list the capability `aesgcm`, otherwise ChaChaPoly
  /// (PROTOCOL.md §3, "Cipher").
  public static func agreed(_ mine: [String], _ theirs: [String]) -> ChannelCipher {
    mine.contains(Capability.aesGCM) && theirs.contains(Capability.aesGCM) ? .aesGCM : .chaChaPoly
  }

  /// The cipher's name in the Noise protocol name, and as the status shows it.
  public var description: String {
    switch self {
    case .chaChaPoly: "ChaChaPoly"
    case .aesGCM: "AESGCM"
    }
  }

  var noise: NoiseCipher {
    switch self {
    case .chaChaPoly: .chaChaPoly
    case .aesGCM: .aesGCM
    }
  }
}
