import ChatCrypto

/// What the encrypted channel established about a session: the cipher, whether a shared
/// secret was proved, and the peer's identity key with what this side knows of it.
public struct ChannelSecurity: Hashable, Sendable, CustomStringConvertible {
  /// The AEAD sealing every record.
  public var cipher: ChannelCipher
  /// Whether both sides proved the same shared secret (CPace): "authenticated".
  public var secretProved: Bool
  /// The peer's static X25519 public key (32 bytes).
  public var peerKey: [UInt8]
  /// This side's static X25519 public key (32 bytes), for the safety number.
  public var localKey: [UInt8]
  /// What this side's pinned keys say about the peer's key.
  public var trust: KeyTrust

  public init(cipher: ChannelCipher, secretProved: Bool, peerKey: [UInt8], localKey: [UInt8], trust: KeyTrust) {
    self.cipher = cipher
    self.secretProved = secretProved
    self.peerKey = peerKey
    self.localKey = localKey
    self.trust = trust
  }

  /// The peer key's short fingerprint: "3f2a-91c0-7b1e-44d2".
  public var peerFingerprint: String { KeyFingerprint.short(peerKey) }

  /// "key 3f2a-91c0-7b1e-44d2 (verified)": the peer's key as a room lists it.
  public var keySummary: String {
    let state =
      switch trust {
      case .new: "new"
      case .known: "known"
      case .verified: "verified"
      case .unpinned: "not pinned"
      }
    return "key \(peerFingerprint) (\(state))"
  }

  /// "encrypted (ChaChaPoly), authenticated, key verified", as the status and the plain
  /// output say it.
  public var description: String {
    "encrypted (\(cipher)), \(secretProved ? "authenticated" : "not authenticated"), \(trust)"
  }
}

/// What this side's pinned keys (known_peers) say about a peer's identity key.
public enum KeyTrust: Hashable, Sendable, CustomStringConvertible {
  /// Never seen before: now pinned, not yet verified by safety number.
  case new
  /// The key pinned for this peer, not verified by safety number.
  case known
  /// The key pinned for this peer, verified by safety number (`/verify ok`).
  case verified
  /// Not checked against any pins (pinning is off, or the pin file is full).
  case unpinned

  public var description: String {
    switch self {
    case .new: "new key, not yet verified"
    case .known: "known key, not verified"
    case .verified: "verified key"
    case .unpinned: "key not pinned"
    }
  }
}

/// The decision on a peer's identity key, made by the shell from its pinned keys.
public enum PeerKeyVerdict: Sendable {
  case accept(KeyTrust)
  /// A changed key: `local` is shown here (with the command that accepts the new key),
  /// `remote` is sent to the peer with ERROR `keyChanged`.
  case refuse(local: String, remote: String)
}

/// How a session checks the peer's identity key against pinned keys, once Noise has
/// proved the peer holds it and before any message flows, and pins a new one once the
/// session is established (not before: a peer that never proved the shared secret must not
/// leave its key pinned).
public struct PeerKeyCheck: Sendable {
  /// Called with the peer's hello name and its static public key; decides, changes nothing.
  public var check: @Sendable (_ peerName: String, _ peerKey: [UInt8]) -> PeerKeyVerdict
  /// Called by the shell when the session is established: pins the key if it is new.
  public var confirm: @Sendable (_ peerName: String, _ peerKey: [UInt8]) -> Void

  public init(
    _ check: @escaping @Sendable (_ peerName: String, _ peerKey: [UInt8]) -> PeerKeyVerdict,
    confirm: @escaping @Sendable (_ peerName: String, _ peerKey: [UInt8]) -> Void = { _, _ in }
  ) {
    self.check = check
    self.confirm = confirm
  }

  /// Accepts every key without pinning (tests, and when pinning is off).
  public static let unpinned = PeerKeyCheck { _, _ in .accept(.unpinned) }
}
