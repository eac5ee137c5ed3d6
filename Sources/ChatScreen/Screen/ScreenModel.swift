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
  private var pasting = false
  private var lastSize = (width: 80, height: 24)

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
      status.link = .connecting(address)
      system("connecting to \(address)")
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
      // In a room our own messages come back from the relay in the room's order: that is
      // where they are shown, so every participant's screen has the same order.
      let isOwn = roomName != nil && from == roomName
      if !isOwn { statistics.recordReceived(payloadBytes: payloadBytes, wireBytes: wireBytes) }
      scrollback.append(
        ScrollbackEntry(
          time: time, kind: isOwn ? .outgoing : .incoming, sender: from, text: message.text,
          payloadBytes: payloadBytes, wireBytes: wireBytes))
    case .messageSent(let message, let payloadBytes, let wireBytes):
      statistics.recordSent(payloadBytes: payloadBytes, wireBytes: wireBytes)
      if roomName == nil {
        scrollback.append(
          ScrollbackEntry(
            time: time, kind: .outgoing, sender: localName, text: message.text,
            payloadBytes: payloadBytes, wireBytes: wireBytes))
      }
    case .messageNotSent(let text, let reason):
      error("not sent (\(reason)): \(text)")
    case .roundTrip(let nanoseconds):
      statistics.recordRoundTrip(nanoseconds: nanoseconds)
    case .disconnected(_, let end):
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
      case .joined: system("\(event.name) joined from \(event.detail)")
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

  /// A line of the program's own, such as a hint.
  public mutating func note(_ text: String, time: String) {
    scrollback.append(ScrollbackEntry(time: time, kind: .system, text: text))
  }

  // MARK: - Keys

  /// Takes in one key; returns what the program must do about it.
  public mutating func handle(_ key: Key, time: String) -> [ScreenCommand] {
    let (width, height) = lastSize
    let pageHeight = max(1, height - 2)
    switch key {
    case .text(let text):
      input.apply(.insert(text))
    case .enter:
      if pasting {
        input.apply(.insert("\n"))
        return []
      }
      return submit(time: time)
    case .pasteBegin: pasting = true
    case .pasteEnd: pasting = false
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
    case .control("c"): return [.quit]
    case .control("d"):
      if input.isEmpty { return [.quit] }
      input.apply(.delete)
    case .control("l"): return [.redraw]
    case .control, .escape: break
    }
    return []
  }

  private mutating func submit(time: String) -> [ScreenCommand] {
    let line = input.submit()
    guard !line.isEmpty else { return [] }
    guard line.hasPrefix("/") else { return [.send(line)] }
    if line.hasPrefix("//") { return [.send(String(line.dropFirst()))] }
    let parts = line.split(separator: " ", maxSplits: 1)
    switch parts[0] {
    case "/quit", "/exit":
      return [.quit]
    case "/clear":
      scrollback.clear()
    case "/help":
      for text in Self.help { note(text, time: time) }
    case "/who":
      return [.who]
    case "/stats":
      for text in statistics.report { note(text, time: time) }
    case "/nick":
      note(
        "/nick: names are fixed when the connection is made (protocol version 1); reconnect with --name NAME",
        time: time)
    default:
      note("unknown command \(parts[0]): type /help for the list; start a line with // to send a leading /", time: time)
    }
    return []
  }

  static let help = [
    "commands: /help, /quit, /who (who is in the room), /clear (empty the scrollback), /stats (counters, round trips)",
    "editing: ←/→ Home/End Ctrl-A/E, Backspace/Delete, Ctrl-U/K (delete to start/end), Ctrl-W (word), ↑/↓ history",
    "scrolling: PgUp/PgDn, Ctrl-Home/Ctrl-End (top/bottom); leave: /quit, Ctrl-C, or Ctrl-D on an empty line",
    "a line starting with // sends a leading /; a bracketed paste of several lines is one message",
  ]

  // MARK: - Layout

  /// The frame to draw on a `width` × `height` terminal.
  public mutating func layout(width: Int, height: Int) -> ScreenLayout {
    lastSize = (width, height)
    guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
      let notice = LineWrapper.truncate(
        "terminal too small: \(width)×\(height), need \(Self.minimumWidth)×\(Self.minimumHeight)", width: max(0, width))
      var rows = [StyledRow([StyledSpan(notice, .notice)])]
      rows += Array(repeating: StyledRow(), count: max(0, height - 1))
      return ScreenLayout(rows: Array(rows.prefix(max(height, 0))), cursorRow: 0, cursorColumn: 0, statusRow: nil)
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
    let promptWidth = DisplayWidth.of(Self.prompt)
    let view = input.view(width: width - promptWidth)
    rows.append(StyledRow([StyledSpan(Self.prompt, .ownName), StyledSpan(view.text, .plain)]))
    return ScreenLayout(
      rows: rows, cursorRow: height - 1, cursorColumn: promptWidth + view.cursorColumn, statusRow: height - 2)
  }
}
