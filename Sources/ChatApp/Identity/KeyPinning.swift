import ChatCrypto
import ChatIdentity
import ChatProtocol
import ChatRoom

/// Decides on each peer's identity key from known_peers: accepts a first contact (pinned
/// once the session is established, so a peer that never proved the secret leaves nothing
/// behind), accepts the pinned key, refuses a changed one with the command that accepts it.
///
/// A connector pins under the address it dialled; a listener under each peer's name, as
/// the room compares names (case, width and look-alikes folded: `Bob` and `bоb` with a
/// Cyrillic о are `bob`'s pin), PROTOCOL.md §3, "Identities".
struct KeyPinning: Sendable {
  let file: KnownPeersFile
  /// Whether the secret (if any) is proved before the peer's key is checked: changes the
  /// advice when a key has changed.
  let secretConfigured: Bool

  /// The check for a connector that dialled `address` (as typed: "127.0.0.1:9090").
  func check(address: String) -> PeerKeyCheck {
    let (file, secret) = (file, secretConfigured)
    return PeerKeyCheck(
      { _, key in Self.decide(file, kind: .address, subject: address, key: key, secret: secret) },
      confirm: { _, key in Self.pinIfNew(file, kind: .address, subject: address, key: key) })
  }

  /// The check for a listener: each peer under its hello's name, as the room compares it.
  func checkByName() -> PeerKeyCheck {
    let (file, secret) = (file, secretConfigured)
    return PeerKeyCheck(
      { name, key in Self.decide(file, kind: .name, subject: Self.subject(forName: name), key: key, secret: secret) },
      confirm: { name, key in Self.pinIfNew(file, kind: .name, subject: Self.subject(forName: name), key: key) })
  }

  /// The subject a name is pinned under: the room's comparison key (NFKC, case folded,
  /// confusable skeleton), so a look-alike of a pinned name meets that name's pin.
  static func subject(forName name: String) -> String {
    NameKey(name).canonical
  }

  /// Marks `key` verified for what it is pinned under (`/verify ok`); false when it is no
  /// longer the pinned key.
  func markVerified(kind: PinKind, subject: String, key: [UInt8]) -> Bool {
    let subject = kind == .name ? Self.subject(forName: subject) : subject
    return (try? file.markVerified(kind: kind, subject: subject, publicKey: key)) ?? false
  }

  static func pinIfNew(_ file: KnownPeersFile, kind: PinKind, subject: String, key: [UInt8]) {
    guard (try? file.verdict(kind: kind, subject: subject, publicKey: key)) == .new else { return }
    // A full or unwritable pin file must not lock people out: the session goes on unpinned.
    try? file.pin(kind: kind, subject: subject, publicKey: key, verified: false)
  }

  static func decide(
    _ file: KnownPeersFile, kind: PinKind, subject: String, key: [UInt8], secret: Bool
  ) -> PeerKeyVerdict {
    let what = kind == .address ? "the peer at \(subject)" : "the member \(subject)"
    do {
      switch try file.verdict(kind: kind, subject: subject, publicKey: key) {
      case .new:
        return .accept(file.peers.count >= KnownPeers.maximumEntries ? .unpinned : .new)
      case .known(let verified):
        return .accept(verified ? .verified : .known)
      case .changed(let pinned, let verified):
        let unproved =
          secret
          ? " The new key has not proved the shared secret: if it can't, forgetting the pin won't help."
          : ""
        return .refuse(
          local: """
            THE KEY OF \(what) HAS CHANGED: pinned \(KeyFingerprint.short(pinned))\
            \(verified ? " (verified)" : ""), now \(KeyFingerprint.short(key)). Someone may be intercepting \
            the connection, or the peer made a new identity.\(unproved) Ask them; if they did, accept the new \
            key with: \(KnownPeers.forgetCommandHint(kind: kind, subject: subject))
            """,
          remote: "key changed: this peer has a different key pinned for you; it refused the connection")
      }
    } catch {
      return .refuse(
        local: "can't read the pinned keys (\(error)): refusing rather than trusting an unchecked key",
        remote: "key check failed on the peer's side")
    }
  }
}
