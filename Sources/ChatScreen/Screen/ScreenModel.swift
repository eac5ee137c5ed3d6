public import ChatProtocol

/// The chat screen's state and behaviour, with no terminal: session events and keys go
/// in; commands for the session and a ``ScreenLayout`` to draw come out.
///
/// Layout, top to bottom: the scrollback, a one-line status bar, the input line. Below
/// ``minimumWidth`` × ``minimumHeight`` there is only a "terminal too small" notice.
public struct ScreenModel: Sendable {
  public static let minimumWidth = 30
  public static let minimumHeight = 8
  static let prompt = "> "

  public internal(set) var scrollback: Scrollback
  public internal(set) var input = InputEditor()
  public internal(set) var status = ConnectionStatus()
  public internal(set) var statistics = SessionStatistics()
  public let localName: String
  /// Our name in the room (the relay may add a suffix); set once in a room.
  var roomName: String?
  /// Counts sessions, so that a new session's message numbers don't match the old one's.
  var session = 0
  var lastSize = (width: 80, height: 24)
  /// Our messages not yet confirmed: quitting asks first while there are any, and lists
  /// them afterwards.
  public internal(set) var unconfirmed = UnconfirmedMessages()
  /// Whether the input line is asking "quit anyway? y/N".
  public internal(set) var confirmingQuit = false
  /// The encrypted channel to the peer (cipher, keys, trust), once established.
  public internal(set) var peerSecurity: ChannelSecurity?
  /// The peer's name, for the safety number's caption.
  var securedPeerName: String?
  /// Hosting: each member's key by room name, with the name it is pinned under.
  var memberKeys: [String: (pinnedAs: String, security: ChannelSecurity)] = [:]
  /// The key each safety number shown was for (by member name; "" for the peer):
  /// `/verify ok` confirms only the number the user actually compared.
  var shownSafetyNumbers: [String: [UInt8]] = [:]
  /// A `/run` command running or whose output waits for Enter; nil otherwise.
  public internal(set) var commandRun: CommandRun?
  /// The limits each `/run` gets (`--run-timeout`, `--run-max-output`).
  public var commandLimits = CommandLimits()
  /// Counts `/run`s, so that a late result of a stopped run is told from the current one's.
  var commandRuns = 0
  /// File transfers seen, oldest first (finished ones bounded).
  public internal(set) var transfers: [FileTransferState] = []
  /// Room members' names seen (joins, /who, members' keys): `/send NAME PATH` is told from
  /// a path by them.
  public internal(set) var members: Set<String> = []
  /// Whether the endpoint can send and receive files.
  public var filesSupported = true
  /// What `~` stands for in paths typed.
  public var homeDirectory: String?
  /// A directory's entries, for Tab completion (nil: it can't be read). The front end
  /// gives the real one; without it nothing completes.
  public var listDirectory: @Sendable (String) -> [PathEntry]? = { _ in nil }
  /// The input line when Tab last found several candidates and nothing to add: another
  /// Tab on the same line lists them.
  var lastTabText: String?

  /// Whether this side has a shared secret: a room it hosts then admits only people who
  /// prove the same secret.
  public let secretConfigured: Bool

  public init(localName: String, secretConfigured: Bool = false, scrollbackLimit: Int = 10_000) {
    self.localName = localName
    self.secretConfigured = secretConfigured
    self.scrollback = Scrollback(limit: scrollbackLimit)
  }

  /// A line of the program's own, such as a hint.
  public mutating func note(_ text: String, time: String) {
    scrollback.append(ScrollbackEntry(time: time, kind: .system, text: text))
  }
}
