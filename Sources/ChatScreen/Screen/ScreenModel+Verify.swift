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

  /// `/verify`: the safety number; `/verify ok`: mark the key verified.
  mutating func verify(confirmed: Bool, time: String) -> [ScreenCommand] {
    guard let security = peerSecurity else {
      note(
        roomName == localName
          ? "/verify: each member's key is checked on their own screen: they /verify against this room's key"
          : "/verify: no encrypted session yet", time: time)
      return []
    }
    let peer = securedPeerName ?? "the peer"
    if confirmed {
      peerSecurity?.trust = .verified
      status.authentication = Self.authentication(with: peerSecurity!)
      note("\(peer)'s key \(KeyFingerprint.short(security.peerKey)) is now marked verified", time: time)
      return [.markVerified(peerKey: security.peerKey)]
    }
    note("safety number with \(peer) (read it to them; it must be the same on both screens):", time: time)
    for line in SafetyNumber.lines(security.localKey, security.peerKey) { note("    \(line)", time: time) }
    note(
      "your key \(KeyFingerprint.short(security.localKey)), \(peer)'s \(KeyFingerprint.short(security.peerKey)): if the numbers match, type /verify ok",
      time: time)
    return []
  }

  static func authentication(with security: ChannelSecurity) -> ConnectionStatus.Authentication {
    security.secretProved ? .authenticated(security) : .unauthenticated(security)
  }
}
