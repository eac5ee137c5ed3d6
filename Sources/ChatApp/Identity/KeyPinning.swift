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
      { name, key in
        // Every form the room compares a name by: a look-alike meets the pin through one of them.
        let verdicts = Self.subjects(forName: name).map {
          Self.decide(file, kind: .name, subject: $0, key: key, secret: secret)
        }
        if let refusal = verdicts.first(where: { if case .refuse = $0 { true } else { false } }) { return refusal }
        return verdicts.max { Self.rank($0) < Self.rank($1) } ?? .accept(.new)
      },
      confirm: { name, key in
        for subject in Self.subjects(forName: name) { Self.pinIfNew(file, kind: .name, subject: subject, key: key) }
      })
  }

  /// Which of several accepted verdicts says most: verified, then known, then new.
  static func rank(_ verdict: PeerKeyVerdict) -> Int {
    guard case .accept(let trust) = verdict else { return 3 }
    switch trust {
    case .verified: return 2
    case .known: return 1
    case .new, .unpinned: return 0
    }
  }

  /// The subject a name is shown pinned under (in messages and `--forget-key`): the room's
  /// comparison key (NFKC, case folded, confusable skeleton).
  static func subject(forName name: String) -> String {
    NameKey(name).canonical
  }

  /// Every subject a name is pinned under: the room's skeletons of it (with and without
  /// case folding, with and without diacritics), so `aIice` (capital I) meets `alice`'s pin
  /// as `Bob` and `bоb` do.
  static func subjects(forName name: String) -> [String] {
    let key = NameKey(name)
    return [key.canonical] + key.skeletons.subtracting([key.canonical]).sorted()
  }

  /// Marks `key` verified for what it is pinned under (`/verify ok`); false when it is no
  /// longer the pinned key.
  func markVerified(kind: PinKind, subject: String, key: [UInt8]) -> Bool {
    guard kind == .name else { return (try? file.markVerified(kind: kind, subject: subject, publicKey: key)) ?? false }
    var marked = false
    for form in Self.subjects(forName: subject) {
      marked = ((try? file.markVerified(kind: .name, subject: form, publicKey: key)) ?? false) || marked
    }
    return marked
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
        // A connector checks before the listener has proved anything; a room checks after
        // the member proved the secret.
        let unproved =
          secret && kind == .address
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
