import ChatCrypto
import ChatEvents
import ChatProtocol

/// The peer's identity key: what the screen says about it when the session starts, and the
/// safety number `/verify` shows.
extension ScreenModel {
  /// Says what is known of the peer's key as the session starts.
  mutating func keyNotice(_ security: ChannelSecurity, peer: String, time: String) {
    securedPeerName = peer
    let fingerprint = KeyFingerprint.short(security.peerKey)
    switch security.trust {
    case .new:
      scrollback.append(
        ScrollbackEntry(
          time: time, kind: .system,
          text: "\(peer)'s key \(fingerprint) is new here, not yet verified: /verify shows the safety number"))
    case .known:
      scrollback.append(
        ScrollbackEntry(
          time: time, kind: .system, text: "\(peer)'s key \(fingerprint) is the one seen before (not verified)"))
    case .verified:
      scrollback.append(
        ScrollbackEntry(time: time, kind: .system, text: "\(peer)'s key \(fingerprint) is the one you verified"))
    case .unpinned:
      break
    }
  }

  /// `/verify [NAME]`: the safety number with the peer (or, hosting, with member NAME);
  /// `/verify ok [NAME]`: mark that key verified.
  mutating func verify(confirmed: Bool, member: String?, time: String) -> [ScreenCommand] {
    if let member {
      guard let (pinnedAs, security) = memberKeys[member] else {
        let known = memberKeys.keys.sorted().prefix(10).joined(separator: ", ")
        note(
          memberKeys.isEmpty
            ? "/verify \(member): no member's key is known here (only the host of a room verifies its members)"
            : "/verify \(member): no member by that name (members: \(known))", time: time)
        return []
      }
      if confirmed {
        guard shownSafetyNumbers[member] == security.peerKey else {
          note(
            "/verify ok \(member): compare the number first (/verify \(member)): none was shown for \(member)'s key \(security.peerFingerprint)",
            time: time)
          return []
        }
        memberKeys[member]?.security.trust = .verified
        guard security.trust != .unpinned else {
          note(
            "\(member)'s key \(security.peerFingerprint) matched, for this session only: a room without a secret doesn't pin names (--pin-names does)",
            time: time)
          return []
        }
        note("\(member)'s key \(security.peerFingerprint) is now marked verified", time: time)
        return [.markVerified(peerKey: security.peerKey, name: pinnedAs)]
      }
      shownSafetyNumbers[member] = security.peerKey
      showSafetyNumber(security, with: member, okCommand: "/verify ok \(member)", time: time)
      return []
    }
    guard let security = peerSecurity else {
      note(
        roomName == localName
          ? "/verify NAME: the safety number with member NAME (each member compares it on their own screen)"
          : "/verify: no encrypted session yet", time: time)
      return []
    }
    let peer = securedPeerName ?? "the peer"
    if confirmed {
      guard shownSafetyNumbers[""] == security.peerKey else {
        note("/verify ok: compare the number first (/verify): none was shown for this key", time: time)
        return []
      }
      peerSecurity?.trust = .verified
      status.authentication = Self.authentication(with: peerSecurity!)
      note("\(peer)'s key \(security.peerFingerprint) is now marked verified", time: time)
      return [.markVerified(peerKey: security.peerKey, name: nil)]
    }
    shownSafetyNumbers[""] = security.peerKey
    showSafetyNumber(security, with: peer, okCommand: "/verify ok", time: time)
    return []
  }

  private mutating func showSafetyNumber(
    _ security: ChannelSecurity, with peer: String, okCommand: String, time: String
  ) {
    note("safety number with \(peer) (read it to them; it must be the same on both screens):", time: time)
    for line in SafetyNumber.lines(security.localKey, security.peerKey) { note("    \(line)", time: time) }
    note(
      "your key \(KeyFingerprint.short(security.localKey)), \(peer)'s \(security.peerFingerprint): if the numbers match, type \(okCommand)",
      time: time)
  }

  static func authentication(with security: ChannelSecurity) -> ConnectionStatus.Authentication {
    security.secretProved ? .authenticated(security) : .unauthenticated(security)
  }
}
