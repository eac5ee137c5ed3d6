public import ChatProtocol

/// What the status bar says: where the connection stands, who the peer is, whether they
/// proved the secret, and the traffic so far.
public struct ConnectionStatus: Hashable, Sendable {
  public enum Link: Hashable, Sendable {
    case starting
    case listening(String)
    case connecting(String)
    case connected(String)
    case disconnected(String)
    /// Down; attempt `attempt` starts in `seconds`.
    case reconnecting(attempt: Int, seconds: Int)
  }

  public enum Authentication: Hashable, Sendable {
    case unknown
    case authenticating
    /// Encrypted and authenticated with the shared secret (CPace).
    case authenticated(ChannelSecurity?)
    /// Encrypted, but no secret: only the pinned key vouches for the peer.
    case unauthenticated(ChannelSecurity?)
    case failed(String)
    /// Hosting a room: whether joining takes the shared secret (no peer yet to be
    /// authenticated or not).
    case hosting(secretRequired: Bool)
    /// The tutorials' framing: nothing encrypted; with `secret`, the tutorials' weak hmac
    /// check.
    case tutorial(secret: Bool)
  }

  public var link: Link = .starting
  public var authentication: Authentication = .unknown
  public var peerName: String?
  /// Participants in the room, once in one.
  public var roomCount: Int?
  /// How long the peer has been silent, when that is longer than it should be.
  public var silentFor: UInt64?
  /// Our messages sent or queued and not yet confirmed.
  public var unconfirmed = 0
  /// The running file transfers in brief ("⇅ 2 files 43% 12.5 MiB/s ETA 0:21"), if any.
  public var transfers: String?

  public init() {}

  static func security(_ state: String, _ security: ChannelSecurity?, _ detail: Detail) -> String {
    guard let security else { return state }
    let parts = [state] + (detail.cipher ? ["\(security.cipher)"] : []) + (detail.key ? [key(security)] : [])
    return parts.joined(separator: ", ")
  }

  /// What is known of the peer's key, as the bar says it (the fingerprint is in the
  /// scrollback and in /verify).
  static func key(_ security: ChannelSecurity) -> String {
    switch security.trust {
    case .new: "NEW key"
    case .known: "key known"
    case .verified: "key verified"
    case .unpinned: "key not pinned"
    }
  }

  /// The status bar's text for a bar `width` columns wide: with the cipher and the peer's
  /// key when they fit, else the authentication alone, so the counts stay in view.
  public func text(statistics: SessionStatistics, width: Int) -> String {
    // The security state goes last: first the cipher, then the address, then the key's state.
    // The transfers' summary goes after those and before the key's state, which must stay.
    let variants: [(Detail, Bool)] = [
      (.full, true), (.keyState, true), (.keyStateShortLink, true), (.keyStateShortLink, false), (.shortLink, false),
    ]
    for (detail, transfers) in variants {
      let candidate = text(statistics: statistics, width: width, detail: detail, transfers: transfers)
      if !candidate.hasSuffix("…") { return candidate }
    }
    return text(statistics: statistics, width: width, detail: .shortLink, transfers: false)
  }

  /// How much the bar says, from all of it down to what must stay.
  enum Detail {
    case full, keyState, keyStateShortLink, shortLink
    var cipher: Bool { self == .full }
    var key: Bool { self != .shortLink }
    var address: Bool { self == .full || self == .keyState }
  }

  func text(statistics: SessionStatistics, width: Int, detail: Detail, transfers showTransfers: Bool = false)
    -> String
  {
    var parts: [String] = []
    switch link {
    case .starting: parts.append("starting")
    case .listening(let address): parts.append("listening on \(address)")
    case .connecting(let address): parts.append("connecting to \(address)")
    case .connected(let address): parts.append(detail.address ? "connected to \(address)" : "connected")
    case .reconnecting(let attempt, let seconds):
      parts.append("reconnecting \(seconds > 0 ? "in \(seconds) s" : "now") (attempt \(attempt))")
    case .disconnected(let reason):
      // After an auth failure the reason is in the auth part; don't say it twice.
      if case .failed = authentication {
        parts.append("disconnected")
      } else {
        parts.append("disconnected: \(reason)")
      }
    }
    // A peer known only by its address (the tutorials' framing) is not named twice.
    if let peerName, case .connected(let address) = link, peerName != address { parts.append(peerName) }
    if let silentFor, case .connected = link {
      parts.append("last heard \(Quantities.wholeSeconds(nanoseconds: silentFor)) ago")
    }
    if let roomCount { parts.append("room: \(roomCount)") }
    switch authentication {
    case .unknown: break
    case .authenticating: parts.append("authenticating…")
    case .authenticated(let security):
      parts.append(Self.security("authenticated", security, detail))
    case .unauthenticated(let security):
      parts.append(Self.security("NOT AUTHENTICATED", security, detail))
    case .failed(let reason): parts.append("AUTH FAILED: \(reason)")
    case .hosting(let secretRequired): parts.append(secretRequired ? "secret required" : "OPEN: no secret")
    case .tutorial(let secret):
      parts.append("tutorial framing: NOT encrypted")
      parts.append(secret ? "weak, tutorial-compatible auth" : "NOT AUTHENTICATED")
    }
    parts.append(
      "↑\(statistics.messagesSent) \(Quantities.bytes(statistics.wireBytesSent)) ↓\(statistics.messagesReceived) \(Quantities.bytes(statistics.wireBytesReceived))"
    )
    if unconfirmed > 0 { parts.append("\(unconfirmed) unconfirmed") }
    // While files move, their summary takes the round trip's place: it says more then.
    if showTransfers, let transfers {
      parts.append(transfers)
    } else if let rtt = statistics.lastRoundTrip {
      parts.append("rtt \(Quantities.measured(nanoseconds: rtt))")
    }
    // Reasons and names come from the peer: the whole bar is made safe before it is drawn.
    return LineWrapper.truncate((" " + parts.joined(separator: " │ ")).terminalSafe, width: width)
  }
}
