public import ChatEvents
import ChatProtocol

/// Session events: what the connection did, into the scrollback and the status bar.
extension ScreenModel {
  /// Takes in one session event; `time` is the wall-clock time to show for it ("12:01:02").
  public mutating func apply(_ event: SessionEvent, time: String) {
    // The status bar's count is the list's: one bookkeeping for both.
    defer { status.unconfirmed = unconfirmed.count }
    func system(_ text: String) { scrollback.append(ScrollbackEntry(time: time, kind: .system, text: text)) }
    func error(_ text: String) { scrollback.append(ScrollbackEntry(time: time, kind: .error, text: text)) }
    switch event {
    case .listening(let address):
      status.link = .listening(address)
      status.authentication = .hosting(secretRequired: secretConfigured)
      statistics.hostingSince = time
      status.peerName = nil
      // The listener's own user is the room's host, under their own name.
      roomName = localName
      status.roomCount = status.roomCount ?? 1
      system("listening on \(address): a room others can join")
      if !secretConfigured { system(Self.secretHint) }
    case .listeningOneToOne(let address, let auth):
      status.link = .listening(address)
      status.authentication = .tutorial(secret: auth == .tutorial(secret: true))
      statistics.hostingSince = time
      status.peerName = nil
      error(
        "listening on \(address) for one peer at a time, in the tutorials' framing: NOT encrypted"
          + (auth == .tutorial(secret: true)
            ? "; peers must pass the tutorials' hmac check (weak, tutorial-compatible auth)" : ", no auth at all"))
    case .connecting(let address):
      if case .reconnecting(let attempt, _) = status.link {
        reconnectLine("connecting to \(address) (attempt \(attempt))", time: time)
      } else {
        system("connecting to \(address)")
      }
      status.link = .connecting(address)
    case .connected(let address):
      status.link = .connected(address)
      status.authentication = .unknown
      system("connected to \(address); saying hello")
    case .authenticating(let peer):
      status.authentication = .authenticating
      status.peerName = peer
      system("authenticating with \(peer)")
    case .established(let peer, let auth, let address):
      status.peerName = peer.name
      status.link = .connected(address)
      statistics.connectedSince = time
      peerSecurity = peer.security
      let channel = peer.security.map { "\($0.cipher)" } ?? "an unknown cipher"
      switch auth {
      case .authenticated:
        status.authentication = .authenticated(peer.security)
        system(
          "connected to \(peer.name) at \(address): encrypted (\(channel)) and authenticated with the shared secret")
      case .unauthenticated:
        status.authentication = .unauthenticated(peer.security)
        error(
          "connected to \(peer.name) at \(address): encrypted (\(channel)) but NOT AUTHENTICATED (no shared secret): compare safety numbers with /verify"
        )
      case .tutorial(let secret):
        status.authentication = .tutorial(secret: secret)
        error(
          "connected to \(peer.name) in the tutorials' framing: NOT encrypted, no receipts; "
            + (secret
              ? "weak, tutorial-compatible auth (only the client is checked, and a recording allows offline guessing)"
              : "NOT AUTHENTICATED"))
      }
      if let security = peer.security { keyNotice(security, peer: peer.name, time: time) }
    case .messageReceived(let from, let message, let textBytes, let wireBytes):
      // In a room the relay echoes our own messages; they are on screen already, with
      // their delivery mark.
      if roomName != nil && from == roomName { return }
      statistics.recordReceived(textBytes: textBytes, wireBytes: wireBytes)
      scrollback.append(
        ScrollbackEntry(
          time: time, kind: .incoming, sender: from, text: message.text,
          textBytes: textBytes, wireBytes: wireBytes))
    case .messagePending(let text, _):
      var entry = ScrollbackEntry(time: time, kind: .outgoing, sender: roomName ?? localName, text: text)
      entry.delivery = .queued
      entry.own = ScrollbackEntry.OwnMessage(session: session, sequence: nil)
      scrollback.append(entry)
      unconfirmed.queued(text, session: session)
    case .messageSent(let message, let textBytes, let wireBytes):
      statistics.recordSent(textBytes: textBytes, wireBytes: wireBytes)
      let own = ScrollbackEntry.OwnMessage(session: session, sequence: message.sequence)
      unconfirmed.sent(message.text, as: own)
      if !scrollback.markSent(message.text, as: own, textBytes: textBytes, wireBytes: wireBytes) {
        var entry = ScrollbackEntry(
          time: time, kind: .outgoing, sender: roomName ?? localName, text: message.text,
          textBytes: textBytes, wireBytes: wireBytes)
        entry.delivery = .sent
        entry.own = own
        scrollback.append(entry)
      }
    case .datagramSent(let message, let textBytes, let wireBytes):
      // UDP gives no receipt: the entry stays "sent" and is not counted as unconfirmed.
      statistics.recordSent(textBytes: textBytes, wireBytes: wireBytes)
      var entry = ScrollbackEntry(
        time: time, kind: .outgoing, sender: roomName ?? localName, text: message.text,
        textBytes: textBytes, wireBytes: wireBytes)
      entry.delivery = .sent
      scrollback.append(entry)
    case .datagramStats(let peer, let counts):
      udpLine(peer: peer, counts: counts, time: time)
    case .messageResent(_, let textBytes, let wireBytes):
      statistics.recordSent(textBytes: textBytes, wireBytes: wireBytes)
    case .delivered(let sequences):
      for sequence in sequences {
        let own = ScrollbackEntry.OwnMessage(session: session, sequence: sequence)
        unconfirmed.settled(own)
        scrollback.mark(own, .delivered)
      }
    case .written(let sequences):
      for sequence in sequences {
        let own = ScrollbackEntry.OwnMessage(session: session, sequence: sequence)
        unconfirmed.settled(own)
        scrollback.mark(own, .written)
      }
    case .notDelivered(let message, let reason):
      let own = ScrollbackEntry.OwnMessage(session: session, sequence: message.sequence)
      unconfirmed.settled(own)
      if !scrollback.mark(own, .notDelivered(reason)) {
        error("not delivered (\(reason)): \(message.text)")
      }
    case .messageNotSent(let text, let reason):
      unconfirmed.notSent(text)
      if !scrollback.markNotSent(text, reason: reason) {
        error("not sent (\(reason)): \(text)")
      }
    case .session(let id, let start):
      switch start {
      case .new:
        break
      case .resumed(let resent):
        system(
          "resumed session \(id)"
            + (resent > 0 ? ": \(resent) unconfirmed message\(resent == 1 ? "" : "s") sent again" : ""))
      case .replaced(let unconfirmed):
        session += 1
        error(
          "the listener did not know our session (did it restart?): this is a new session \(id)"
            + (unconfirmed > 0
              ? "; \(unconfirmed) earlier message\(unconfirmed == 1 ? " is" : "s are") unconfirmed" : ""))
      }
    case .peerSilent(let nanoseconds):
      status.silentFor = nanoseconds
    case .peerResponsive:
      status.silentFor = nil
    case .reconnecting(let attempt, let delay, let reason):
      status.silentFor = nil
      let seconds = Int((delay + 500_000_000) / 1_000_000_000)
      status.link = .reconnecting(attempt: attempt, seconds: seconds)
      reconnectLine(
        "\(reason): reconnecting \(seconds > 0 ? "in \(seconds) s" : "now") (attempt \(attempt))", time: time)
    case .memberKey(let name, let pinnedAs, let security):
      memberKeys[name] = (pinnedAs, security)
      members.insert(name)
    case .roundTrip(let nanoseconds):
      statistics.recordRoundTrip(nanoseconds: nanoseconds)
    case .disconnected(_, let end):
      status.silentFor = nil
      status.roomCount = nil  // out of the room: its count is no longer known
      status.link = .disconnected(end.description)
      if case .authFailed(let reason) = end {
        status.authentication = .failed(reason)
        error("AUTH FAILED: \(reason)")
        if !secretConfigured { system(Self.secretHint) }
      } else if end.isOrderly {
        system(end.description)
      } else {
        error("disconnected: \(end.description)")
      }
    case .refused(let address, let reason):
      system("turned away \(address): \(reason)")
    case .room(let event):
      status.roomCount = event.participantCount
      switch event.kind {
      case .welcome:
        roomName = event.name
        system(event.detail)
      case .joined:
        members.insert(event.name)
        system(event.detail.isEmpty ? "\(event.name) joined" : "\(event.name) joined (\(event.detail))")
      case .left:
        members.remove(event.name)
        system("\(event.name) left: \(event.detail)")
      case .who:
        if event.name != roomName { members.insert(event.name) }
        system("  \(event.name): \(event.detail)")
      case .notice: error(event.detail)
      }
    case .file(let info, let update):
      fileEvent(info, update, time: time)
    case .log(let line):
      system(line)
    case .warning(let text):
      error("warning: \(text)")
    case .failed(let reason):
      status.link = .disconnected(reason)
      error(reason)
    }
  }

  /// Reconnect attempts update one line rather than adding lines for ever: the last entry,
  /// if it is the reconnect line, else a new one.
  mutating func reconnectLine(_ text: String, time: String) {
    let updated = scrollback.updateLast(within: 1, where: \.isReconnectLine) { entry in
      entry.text = text
      entry.time = time
    }
    if !updated {
      var entry = ScrollbackEntry(time: time, kind: .error, text: text)
      entry.isReconnectLine = true
      scrollback.append(entry)
    }
  }

  /// UDP counts update one line per peer while it is the last entry, so a steady stream of
  /// counts does not push the conversation away.
  mutating func udpLine(peer: String, counts: DatagramCounts, time: String) {
    let label = "UDP from \(peer): "
    let text = label + counts.description
    let isThisPeers = { (entry: ScrollbackEntry) in entry.kind == .system && entry.text.hasPrefix(label) }
    let updated = scrollback.updateLast(within: 1, where: isThisPeers) { entry in
      entry.text = text
      entry.time = time
    }
    if !updated { system(text, time: time) }
  }

  private mutating func system(_ text: String, time: String) {
    scrollback.append(ScrollbackEntry(time: time, kind: .system, text: text))
  }

  /// How this program's user gives it a shared secret: the protocol's messages don't speak
  /// of command-line options, the front end does.
  static let secretHint = "to use a shared secret: set CHAT_SECRET, or start chat with --secret-file PATH"
}
