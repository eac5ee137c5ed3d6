import ChatCrypto
import ChatIdentity
import ChatProtocol

/// Decides on each peer's identity key from known_peers: pins a first contact, accepts the
/// pinned key, refuses a changed one with the command that accepts it.
///
/// A connector pins under the address it dialled; a listener under each peer's name
/// (PROTOCOL.md §3, "Identities").
struct KeyPinning: Sendable {
  let file: KnownPeersFile

  /// The check for a connector that dialled `address` (as typed: "127.0.0.1:9090").
  func check(address: String) -> PeerKeyCheck {
    let file = file
    return PeerKeyCheck { _, key in Self.decide(file, kind: .address, subject: address, key: key) }
  }

  /// The check for a listener: each peer under its hello's name.
  func checkByName() -> PeerKeyCheck {
    let file = file
    return PeerKeyCheck { name, key in Self.decide(file, kind: .name, subject: name, key: key) }
  }

  /// Marks `key` verified for whatever it is pinned under (`/verify ok`); false when it is
  /// no longer the pinned key.
  func markVerified(kind: PinKind, subject: String, key: [UInt8]) -> Bool {
    (try? file.markVerified(kind: kind, subject: subject, publicKey: key)) ?? false
  }

  static func decide(_ file: KnownPeersFile, kind: PinKind, subject: String, key: [UInt8]) -> PeerKeyVerdict {
    let what = kind == .address ? "the peer at \(subject)" : "\(subject)"
    do {
      switch try file.verdict(kind: kind, subject: subject, publicKey: key) {
      case .new:
        do {
          try file.pin(kind: kind, subject: subject, publicKey: key, verified: false)
          return .accept(.new)
        } catch {
          // A full or unwritable pin file must not lock people out: say so, go on unpinned.
          return .accept(.unpinned)
        }
      case .known(let verified):
        return .accept(verified ? .verified : .known)
      case .changed(let pinned, let verified):
        return .refuse(
          local: """
            THE KEY OF \(what.uppercased()) HAS CHANGED: pinned \(KeyFingerprint.short(pinned))\
            \(verified ? " (verified)" : ""), now \(KeyFingerprint.short(key)). Someone may be intercepting \
            the connection, or the peer made a new identity. Ask them; if they did, accept the new key with: \
            \(KnownPeers.forgetCommandHint(kind: kind, subject: subject))
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
