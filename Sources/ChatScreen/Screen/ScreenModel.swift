public import ChatSession

/// The chat screen's state and behaviour, with no terminal: session events and keys go
/// in; commands for the session and a ``ScreenLayout`` to draw come out.
///
/// Layout, top to bottom: the scrollback, a one-line status bar, the input line. Below
/// ``minimumWidth`` × ``minimumHeight`` there is only a "terminal too small" notice.
public struct ScreenModel: Sendable {
  public static let minimumWidth = 30
  public static let minimumHeight = 8
  static let prompt = "> "

  public private(set) var scrollback: Scrollback
  public private(set) var input = InputEditor()
  public private(set) var status = ConnectionStatus()
  public private(set) var statistics = SessionStatistics()
  public let localName: String
  /// Our name in the room (the relay may add a suffix); set once in a room.
  private var roomName: String?
  /// Counts sessions, so that a new session's message numbers don't match the old one's.
  private var session = 0
  private var lastSize = (width: 80, height: 24)
  /// Our messages not yet confirmed: quitting asks first while there are any, and lists
  /// them afterwards.
  public private(set) var unconfirmed = UnconfirmedMessages()
  /// Whether the input line is asking "quit anyway? y/N".
  public private(set) var confirmingQuit = false

  /// Whether this side has a shared secret: a room it hosts then admits only people who
  /// prove the same secret.
  public let secretConfigured: Bool

  public init(localName: String, secretConfigured: Bool = false, scrollbackLimit: Int = 10_000) {
    self.localName = localName
    self.secretConfigured = secretConfigured
    self.scrollback = Scrollback(limit: scrollbackLimit)
  }

  // MARK: - Session events

  /// Takes in one session event; `time` is the wall-clock time to show for it ("12:01:02").
  public mutating func apply(_ event: SessionEvent, time: String) {
    func system(_ text: String) { scrollback.append(ScrollbackEntry(time: time, kind: .system, text: text)) }
    func error(_ text: String) { scrollback.append(ScrollbackEntry(time: time, kind: .error, text: text)) }
    switch event {
    case .listening(let address):
      status.link = .listening(address)
      status.authentication = secretConfigured ? .authenticated : .unauthenticated
      status.peerName = nil
      // The listener's own user is the room's host, under their own name.
      roomName = localName
      status.roomCount = status.roomCount ?? 1
      system("listening on \(address): a room others can join")
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
      system("connection with \(address)")
    case .authenticating(let peer):
      status.authentication = .authenticating
      status.peerName = peer
      system("authenticating with \(peer)")
    case .established(let peer, let auth, let address):
      status.peerName = peer.name
      status.link = .connected(address)
      statistics.connectedSince = time
      switch auth {
      case .authenticated:
        status.authentication = .authenticated
        system("connected to \(peer.name) at \(address): authenticated with the shared secret")
      case .unauthenticated:
        status.authentication = .unauthenticated
        error("connected to \(peer.name) at \(address): UNAUTHENTICATED (no shared secret on either side)")
      }
    case .messageReceived(let from, let message, let payloadBytes, let wireBytes):
      // In a room the relay echoes our own messages; they are on screen already, with
      // their delivery mark.
      if roomName != nil && from == roomName { return }
      statistics.recordReceived(payloadBytes: payloadBytes, wireBytes: wireBytes)
      scrollback.append(
        ScrollbackEntry(
          time: time, kind: .incoming, sender: from, text: message.text,
          payloadBytes: payloadBytes, wireBytes: wireBytes))
    case .messagePending(let text, _):
      var entry = ScrollbackEntry(time: time, kind: .outgoing, sender: roomName ?? localName, text: text)
      entry.delivery = .queued
      entry.own = ScrollbackEntry.OwnMessage(session: session, sequence: nil)
      scrollback.append(entry)
      status.unconfirmed += 1
      unconfirmed.queued(text, session: session)
    case .messageSent(let message, let payloadBytes, let wireBytes):
      statistics.recordSent(payloadBytes: payloadBytes, wireBytes: wireBytes)
      let own = ScrollbackEntry.OwnMessage(session: session, sequence: message.sequence)
      unconfirmed.sent(message.text, as: own)
      let isQueuedCopy = { (entry: ScrollbackEntry) in
        entry.delivery == .queued && entry.own?.sequence == nil && entry.text == message.text
      }
      let wasQueued = scrollback.updateFirst(where: isQueuedCopy) { entry in
        entry.delivery = .sent
        entry.own = own
        entry.payloadBytes = payloadBytes
        entry.wireBytes = wireBytes
      }
      if !wasQueued {
        var entry = ScrollbackEntry(
          time: time, kind: .outgoing, sender: roomName ?? localName, text: message.text,
          payloadBytes: payloadBytes, wireBytes: wireBytes)
        entry.delivery = .sent
        entry.own = own
        scrollback.append(entry)
        status.unconfirmed += 1
      }
    case .messageResent(_, let payloadBytes, let wireBytes):
      statistics.recordSent(payloadBytes: payloadBytes, wireBytes: wireBytes)
    case .delivered(let sequences):
      for sequence in sequences {
        let own = ScrollbackEntry.OwnMessage(session: session, sequence: sequence)
        unconfirmed.settled(own)
        if scrollback.updateLast(where: { $0.own == own }, { $0.delivery = .delivered }) {
          status.unconfirmed = max(0, status.unconfirmed - 1)
        }
      }
    case .notDelivered(let message, let reason):
      let own = ScrollbackEntry.OwnMessage(session: session, sequence: message.sequence)
      unconfirmed.settled(own)
      if scrollback.updateLast(where: { $0.own == own }, { $0.delivery = .notDelivered(reason) }) {
        status.unconfirmed = max(0, status.unconfirmed - 1)
      } else {
        error("not delivered (\(reason)): \(message.text)")
      }
    case .messageNotSent(let text, let reason):
      unconfirmed.notSent(text)
      let wasQueued = scrollback.updateFirst(
        where: { $0.delivery == .queued && $0.text == text }, { $0.delivery = .notDelivered("not sent: \(reason)") })
      if wasQueued {
        status.unconfirmed = max(0, status.unconfirmed - 1)
      } else {
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
    case .roundTrip(let nanoseconds):
      statistics.recordRoundTrip(nanoseconds: nanoseconds)
    case .disconnected(_, let end):
      status.silentFor = nil
      status.link = .disconnected(end.description)
      if case .authFailed(let reason) = end {
        status.authentication = .failed(reason)
        error("AUTH FAILED: \(reason)")
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
      case .joined: system(event.detail.isEmpty ? "\(event.name) joined" : "\(event.name) joined (\(event.detail))")
      case .left: system("\(event.name) left: \(event.detail)")
      case .who: system("  \(event.name): \(event.detail)")
      case .notice: error(event.detail)
      }
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
  private mutating func reconnectLine(_ text: String, time: String) {
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

  /// A line of the program's own, such as a hint.
  public mutating func note(_ text: String, time: String) {
    scrollback.append(ScrollbackEntry(time: time, kind: .system, text: text))
  }

  // MARK: - Keys

  /// Takes in one key; returns what the program must do about it.
  public mutating func handle(_ key: Key, time: String) -> [ScreenCommand] {
    let (width, height) = lastSize
    // Too small to show the input line: typing would be blind, so keys are ignored
    // (Ctrl-L still repaints, and leaving still works, asking first when it must).
    if width < Self.minimumWidth || height < Self.minimumHeight, !confirmingQuit {
      switch key {
      case .control("l"): return [.redraw]
      case .control("c"): return requestQuit()
      default: return []
      }
    }
    if confirmingQuit { return answerQuit(key, time: time) }
    let pageHeight = max(1, height - 2)
    switch key {
    case .text(let text):
      input.apply(.insert(text))
    case .paste(let text):
      input.apply(.insert(text))
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
      if lines > 1 {
        note("pasted \(lines) lines: Enter sends them as one message, Ctrl-U discards them", time: time)
      }
    case .enter:
      return submit(time: time)
    case .backspace, .control("h"): input.apply(.backspace)
    case .delete: input.apply(.delete)
    case .left, .control("b"): input.apply(.left)
    case .right, .control("f"): input.apply(.right)
    case .home, .control("a"): input.apply(.home)
    case .end, .control("e"): input.apply(.end)
    case .wordLeft: input.apply(.wordLeft)
    case .wordRight: input.apply(.wordRight)
    case .control("u"): input.apply(.deleteToStart)
    case .control("k"): input.apply(.deleteToEnd)
    case .control("w"): input.apply(.deleteWordBackward)
    case .up, .control("p"): input.apply(.historyPrevious)
    case .down, .control("n"): input.apply(.historyNext)
    case .pageUp: scrollback.pageUp(width: width, height: pageHeight)
    case .pageDown: scrollback.pageDown(width: width, height: pageHeight)
    case .scrollTop: scrollback.scrollToTop()
    case .scrollBottom: scrollback.scrollToBottom()
    case .control("c"): return requestQuit()
    case .control("d"):
      if input.isEmpty { return requestQuit() }
      input.apply(.delete)
    case .control("l"): return [.redraw]
    case .control("z"): return [.suspend]
    case .control, .escape, .insert: break
    }
    return []
  }

  /// Leaving with messages not yet confirmed asks first; otherwise it is immediate.
  private mutating func requestQuit() -> [ScreenCommand] {
    if unconfirmed.isEmpty { return [.quit] }
    confirmingQuit = true
    return []
  }

  /// The answer to "quit anyway? y/N": y quits, any other key keeps chatting.
  private mutating func answerQuit(_ key: Key, time: String) -> [ScreenCommand] {
    confirmingQuit = false
    if key == .text("y") || key == .text("Y") { return [.quit] }
    note("not quitting", time: time)
    return []
  }

  /// The question the input line asks while ``confirmingQuit``.
  public var quitQuestion: String {
    let count = unconfirmed.count
    return count == 0
      ? "all messages are confirmed now: quit? y/N "
      : "\(count) message\(count == 1 ? "" : "s") not yet delivered: quit anyway? y/N "
  }

  private mutating func submit(time: String) -> [ScreenCommand] {
    switch TypedLine(input.submit()) {
    case .nothing: break
    case .message(let text): return [.send(text)]
    case .quit: return requestQuit()
    case .forceQuit: return [.quit]
    case .who: return [.who]
    case .clear: scrollback.clear()
    case .help: for text in Self.help { note(text, time: time) }
    case .stats: for text in statistics.report { note(text, time: time) }
    case .nick:
      note(
        "/nick: names are fixed when the connection is made (protocol version 1); reconnect with --name NAME",
        time: time)
    case .loneSlash:
      note("a lone / is not a command: /help lists them; start a line with // to send a leading /", time: time)
    case .unknown(let word):
      note("unknown command \(word): type /help for the list; start a line with // to send a leading /", time: time)
    }
    return []
  }

  static let help = [
    "commands: /help, /quit, /who (who is in the room), /clear (empty the scrollback), /stats (counters, round trips)",
    "leave: /quit, Ctrl-C, or Ctrl-D on an empty line (asks first while messages are unconfirmed; /quit! doesn't)",
    "editing: ←/→ Home/End Ctrl-A/E, Backspace/Delete, Ctrl-U/K (delete to start/end), Ctrl-W (word), ↑/↓ history",
    "scrolling: PgUp/PgDn, Ctrl-Home/Ctrl-End (top/bottom); Ctrl-Z suspends (fg to return), Ctrl-L repaints",
    "a line starting with // sends a leading /; a paste of several lines is one message, sent when you press Enter",
  ]

  // MARK: - Layout

  /// The frame to draw on a `width` × `height` terminal.
  public mutating func layout(width: Int, height: Int) -> ScreenLayout {
    lastSize = (width, height)
    guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
      return tooSmallLayout(width: width, height: height)
    }
    let scrollHeight = height - 2
    var rows = scrollback.visibleRows(width: width, height: scrollHeight)
    rows = Array(repeating: StyledRow(), count: scrollHeight - rows.count) + rows
    if !scrollback.isFollowing {
      let unseen = scrollback.unseenMessages
      let marker =
        unseen > 0
        ? "── \(unseen) new message\(unseen == 1 ? "" : "s") below (PgDn or Ctrl-End) ──"
        : "── scrolled up (PgDn or Ctrl-End to return) ──"
      rows[scrollHeight - 1] = StyledRow([StyledSpan(LineWrapper.truncate(marker, width: width), .notice)])
    }
    let statusText = status.text(statistics: statistics, width: width)
    rows.append(StyledRow([StyledSpan(statusText, .statusBar)]))
    if confirmingQuit {
      let question = LineWrapper.truncate(quitQuestion, width: width - 1)
      rows.append(StyledRow([StyledSpan(question, .notice)]))
      return ScreenLayout(
        rows: rows, cursorRow: height - 1, cursorColumn: DisplayWidth.of(question), statusRow: height - 2)
    }
    let promptWidth = DisplayWidth.of(Self.prompt)
    let view = input.view(width: width - promptWidth)
    rows.append(StyledRow([StyledSpan(Self.prompt, .ownName), StyledSpan(view.text, .plain)]))
    return ScreenLayout(
      rows: rows, cursorRow: height - 1, cursorColumn: promptWidth + view.cursorColumn, statusRow: height - 2)
  }

  /// Below the minimum size: a notice wrapped to fit however small (20×6 and below), or
  /// the quit question while one is open.
  private func tooSmallLayout(width: Int, height: Int) -> ScreenLayout {
    let size = "\(width)×\(height), need \(Self.minimumWidth)×\(Self.minimumHeight)"
    let texts =
      confirmingQuit
      ? [quitQuestion, "quit? y/N"]
      : ["terminal too small: \(size); keys are ignored", "terminal too small: \(size)", "too small"]
    // The fullest text that fits.
    let wrapped = texts.map { LineWrapper.wrap([StyledSpan($0, .notice)], width: max(1, width)) }
    var rows = wrapped.first { $0.count <= height } ?? wrapped.last!
    if rows.count > height, height > 0 {
      rows = Array(rows.prefix(height))
      rows[height - 1] = StyledRow([
        StyledSpan(LineWrapper.truncate(rows[height - 1].text + "…", width: width), .notice)
      ])
    }
    rows += Array(repeating: StyledRow(), count: max(0, height - rows.count))
    return ScreenLayout(rows: Array(rows.prefix(max(height, 0))), cursorRow: 0, cursorColumn: 0, statusRow: nil)
  }
}
