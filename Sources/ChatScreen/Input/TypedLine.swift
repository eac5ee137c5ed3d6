/// What a line submitted from the input means: nothing, a message, or a command.
/// Commands are case-insensitive (`/QUIT`); `//text` sends `/text`.
public enum TypedLine: Hashable, Sendable {
  /// Empty, or nothing but spaces and line breaks: not sent.
  case nothing
  case message(String)
  case quit
  /// `/quit!`: leave without asking about unconfirmed messages.
  case forceQuit
  case clear
  case help
  case who
  case stats
  case nick
  /// `/verify [NAME]`: show the safety number (with a member, when hosting);
  /// `/verify ok [NAME]`: the numbers matched.
  case verify(confirmed: Bool, name: String?)
  /// `/run COMMAND`: run it locally, show its output and offer to send it; `/run -n
  /// COMMAND` (`sends` false) only shows it. The command is everything after `/run ` or
  /// `-n `, as typed; it may be empty (then the screen says how to use it).
  case run(command: String, sends: Bool)
  /// `/send [NAME] PATH`: offer the file at `path` (`~` expanded) to the peer, or to the
  /// room member `member`.
  case sendFile(path: String, to: String?)
  /// `/accept [ID [DIR]]`: accept the offer `id` ("": the only one) into `directory` (nil:
  /// the default folder).
  case acceptFile(id: String, directory: String?)
  /// `/reject [ID]`.
  case rejectFile(id: String)
  /// `/cancel ID`.
  case cancelFile(id: String)
  /// `/files`: list the transfers.
  case files
  /// A command used the wrong way: the one-line usage to show; nothing is sent.
  case usage(String)
  /// A `/` on its own.
  case loneSlash
  /// Any other `/word`, as typed.
  case unknown(String)

  /// How each file command is used, as the usage errors and /help say it.
  public static let sendUsage =
    "usage: /send PATH, or /send NAME PATH in a room (quote a path with spaces: \"my file\")"
  public static let acceptUsage = "usage: /accept (the only offer), /accept ID, or /accept ID DIR"
  public static let rejectUsage = "usage: /reject (the only offer) or /reject ID"
  public static let cancelUsage = "usage: /cancel ID (/files lists them)"
  public static let filesUsage = "usage: /files (no arguments)"

  /// `members`: the room's names this side knows, so that `/send bob notes.txt` is told
  /// from `/send my notes.txt`; `home`: what a leading `~` stands for.
  public init(_ line: String, members: Set<String> = [], home: String? = nil) {
    guard !line.allSatisfy(\.isWhitespace) else {
      self = .nothing
      return
    }
    guard line.hasPrefix("/") else {
      self = .message(line)
      return
    }
    if line.hasPrefix("//") {
      self = .message(String(line.dropFirst()))
      return
    }
    let word = line.split(separator: " ", maxSplits: 1)[0]
    switch word.lowercased() {
    case "/": self = .loneSlash
    case "/quit", "/exit": self = .quit
    case "/quit!", "/exit!": self = .forceQuit
    case "/clear": self = .clear
    case "/help": self = .help
    case "/who": self = .who
    case "/stats": self = .stats
    case "/nick": self = .nick
    case "/run":
      var rest = line.dropFirst(word.count).drop(while: { $0 == " " })
      var sends = true
      if rest == "-n" || rest.hasPrefix("-n ") {
        sends = false
        rest = rest.dropFirst(2).drop(while: { $0 == " " })
      }
      self = .run(command: String(rest), sends: sends)
    case "/verify":
      var argument = line.split(separator: " ", maxSplits: 1).dropFirst().first.map { $0.trimmingCharacters() } ?? ""
      let confirmed = argument.lowercased() == "ok" || argument.lowercased().hasPrefix("ok ")
      if confirmed { argument = String(argument.dropFirst(2)).trimmingCharacters() }
      self = .verify(confirmed: confirmed, name: argument.isEmpty ? nil : argument)
    case "/send":
      self = Self.send(Self.rest(of: line, after: word), members: members, home: home)
    case "/accept":
      let rest = Self.rest(of: line, after: word)
      guard !rest.isEmpty else {
        self = .acceptFile(id: "", directory: nil)
        return
      }
      let id = String(rest.prefix { $0 != " " })
      let directory = Self.rest(of: rest, after: id)
      guard Self.isTransferID(id) else {
        self = .usage(Self.acceptUsage)
        return
      }
      if directory.isEmpty {
        self = .acceptFile(id: id, directory: nil)
      } else if let path = Self.path(directory, home: home) {
        self = .acceptFile(id: id, directory: path)
      } else {
        self = .usage(Self.acceptUsage)
      }
    case "/reject":
      let rest = Self.rest(of: line, after: word)
      self = rest.isEmpty || Self.isTransferID(rest) ? .rejectFile(id: rest) : .usage(Self.rejectUsage)
    case "/cancel":
      let rest = Self.rest(of: line, after: word)
      self = Self.isTransferID(rest) && !rest.isEmpty ? .cancelFile(id: rest) : .usage(Self.cancelUsage)
    case "/files":
      self = Self.rest(of: line, after: word).isEmpty ? .files : .usage(Self.filesUsage)
    default: self = .unknown(String(word))
    }
  }

  /// What follows `word` at the start of `line`, without the spaces around it.
  static func rest(of line: some StringProtocol, after word: some StringProtocol) -> String {
    line.dropFirst(word.count).trimmingCharacters()
  }

  /// An id as typed: hex digits (a prefix of the short id, or the whole id).
  static func isTransferID(_ text: String) -> Bool {
    text.count <= 32 && text.allSatisfy(\.isHexDigit)
  }

  /// `/send`'s argument: `PATH`, `"PATH"`, `NAME PATH` or `NAME "PATH"`. The first word is
  /// a name when it is one of `members` and a path follows, or when a quoted path follows.
  static func send(_ argument: String, members: Set<String>, home: String?) -> TypedLine {
    guard !argument.isEmpty else { return .usage(sendUsage) }
    if !argument.hasPrefix("\""), let space = argument.firstIndex(of: " ") {
      let name = String(argument[..<space])
      let rest = argument[space...].trimmingCharacters()
      if members.contains(name) || rest.hasPrefix("\"") {
        guard let path = path(rest, home: home) else { return .usage(sendUsage) }
        return .sendFile(path: path, to: name)
      }
    }
    guard let path = path(argument, home: home) else { return .usage(sendUsage) }
    return .sendFile(path: path, to: nil)
  }

  /// A path as typed: bare (spaces and all) or in double quotes, with `~` or `~/` at the
  /// start standing for `home`; nil for an unclosed quote or text after the closing one.
  static func path(_ typed: String, home: String?) -> String? {
    var text = typed
    if text.hasPrefix("\"") {
      let inner = text.dropFirst()
      guard let close = inner.firstIndex(of: "\""), inner[inner.index(after: close)...].isEmpty else {
        return nil
      }
      text = String(inner[..<close])
    }
    guard !text.isEmpty else { return nil }
    return expandingTilde(text, home: home)
  }

  /// `~` and `~/…` with `home` in place of the tilde (unchanged without a home).
  static func expandingTilde(_ path: String, home: String?) -> String {
    guard let home, path == "~" || path.hasPrefix("~/") else { return path }
    return home + path.dropFirst()
  }
}

extension StringProtocol {
  fileprivate func trimmingCharacters() -> String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
