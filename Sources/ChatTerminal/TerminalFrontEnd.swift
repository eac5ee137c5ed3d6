import CNcursesw
import CResizeSignal
public import ChatEvents
import ChatProtocol
public import ChatScreen
import Foundation
import Synchronization

/// The ncurses front end: a UI thread that owns the terminal and the ``ScreenModel``,
/// sleeping in poll() on the keyboard and a wake pipe. Session events arrive on the pipe's
/// queue; keys are read when stdin is ready; a resize arrives through SIGWINCH. No timers,
/// no busy-waiting: an idle chat uses no CPU.
public final class TerminalFrontEnd: Sendable {
  private let endpoint: any ChatEndpoint
  private let localName: String
  private let useColor: Bool
  private let secretConfigured: Bool
  /// Shown when the screen opens: this installation's key fingerprint.
  private let identityNote: String?
  private let commandLimits: CommandLimits
  /// Runs `/run`'s commands off the UI thread; their results come back through the inbox.
  private let commands = CommandRunner()
  /// Called when the user confirms a safety number (`/verify ok`) with the key and, when
  /// hosting, the member's hello name.
  private let markVerified: @Sendable ([UInt8], String?) -> Void
  private let wakePipe = WakePipe()
  private let inbox = Shared(Inbox())

  private struct Inbox {
    var events: [SessionEvent] = []
    var sessionFinished = false
    var quitRequested = false
    var commandResults: [CommandResult] = []
  }

  public init(
    endpoint: any ChatEndpoint, localName: String, useColor: Bool, secretConfigured: Bool,
    identityNote: String? = nil,
    commandLimits: CommandLimits = CommandLimits(),
    markVerified: @escaping @Sendable ([UInt8], String?) -> Void = { _, _ in }
  ) {
    self.identityNote = identityNote
    self.markVerified = markVerified
    self.commandLimits = commandLimits
    self.endpoint = endpoint
    self.localName = localName
    self.useColor = useColor
    self.secretConfigured = secretConfigured
  }

  /// Wakes in a row with the terminal "readable" and nothing read before the screen gives
  /// up on the terminal (a spin otherwise; a paste or a key never does this twice).
  static let emptyReadLimit = 200

  /// Asks the UI to leave as if the user typed /quit (for signals).
  public func requestQuit() {
    inbox.withLock { $0.quitRequested = true }
    wakePipe.wake()
  }

  /// How the screen ended: what to tell the user on the real terminal afterwards.
  public struct Outcome: Sendable {
    /// The last error shown, to repeat after the screen closes.
    public var lastProblem: String?
    /// Our messages not confirmed as delivered when the user left.
    public var unconfirmed: UnconfirmedMessages
    /// Why the screen stopped without the user asking, when it did: an error, exit 1.
    public var abandoned: String?
  }

  /// Runs the screen until the user quits; then says goodbye and waits for the close.
  /// `observe` sees every session event (the caller uses it for the exit status).
  public func run(observe: @escaping @Sendable (SessionEvent) -> Void) async -> Outcome {
    let inbox = inbox
    let wakePipe = wakePipe
    let events = endpoint.events
    let pump = Task {
      for await event in events {
        observe(event)
        inbox.withLock { $0.events.append(event) }
        wakePipe.wake()
      }
      inbox.withLock { $0.sessionFinished = true }
      wakePipe.wake()
    }
    let outcome: Outcome = await withCheckedContinuation { continuation in
      let thread = Thread { [self] in
        continuation.resume(returning: uiLoop())
      }
      thread.name = "chat ui"
      thread.start()
    }
    // A /run still going is not left behind.
    commands.stopAll()
    await endpoint.close(Goodbye(code: .userQuit, reason: "quit"))
    // How the session ended may still be on its way to `observe`, and the exit status
    // depends on it (a connection that closes at once, as in the tutorials' framing, gets
    // there first): let the pump take the last events, for two seconds at most.
    let (drained, signal) = AsyncStream<Void>.makeStream()
    Task {
      await pump.value
      signal.yield()
    }
    Task {
      try? await Task.sleep(for: .seconds(2))
      signal.yield()
    }
    for await _ in drained { break }
    pump.cancel()
    return outcome
  }

  /// How long to wait for the rest of an escape sequence before taking ESC as a key, and
  /// for more of a paste before taking its end as lost (milliseconds).
  static let escapeWait: Int32 = 50
  static let pasteWait: Int32 = 2_000

  /// The most entries Tab completion reads from one directory.
  static let listingLimit = 10_000

  /// A directory's entries for Tab completion (`path` relative to the current directory,
  /// as the endpoint opens it), or nil when it can't be read.
  @Sendable static func listDirectory(_ path: String) -> [PathEntry]? {
    guard let directory = opendir(path) else { return nil }
    defer { closedir(directory) }
    var entries: [PathEntry] = []
    while entries.count < listingLimit, let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name == "." || name == ".." { continue }
      var isDirectory = entry.pointee.d_type == DT_DIR
      if entry.pointee.d_type == DT_LNK || entry.pointee.d_type == DT_UNKNOWN {
        var info = stat()
        isDirectory = stat(path + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
      }
      entries.append(PathEntry(name: name, isDirectory: isDirectory))
    }
    return entries
  }

  /// The UI thread's loop.
  private func uiLoop() -> Outcome {
    let screen = CursesScreen(useColor: useColor)
    defer { screen.restore() }
    chat_install_resize_wakeup(wakePipe.writeEnd)
    chat_install_job_control_wakeup(wakePipe.writeEnd)
    var parser = KeySequenceParser()
    var model = ScreenModel(localName: localName, secretConfigured: secretConfigured)
    model.commandLimits = commandLimits
    model.filesSupported = endpoint.supportsFiles
    model.homeDirectory = ProcessInfo.processInfo.environment["HOME"]
    model.listDirectory = Self.listDirectory
    var lastProblem: String?
    var finishedNoted = false
    model.note("type a message and press Enter; /help lists commands and keys", time: WallClock.timeOfDay())
    if let identityNote { model.note(identityNote, time: WallClock.timeOfDay()) }
    var abandoned: String?
    var emptyReads = 0
    func outcome() -> Outcome {
      Outcome(lastProblem: lastProblem, unconfirmed: model.unconfirmed, abandoned: abandoned)
    }

    func redraw() {
      let (width, height) = screen.size
      screen.draw(model.layout(width: width, height: height))
    }
    func suspend() {
      screen.leave()
      chat_stop_for_job_control()
      screen.reenter()
    }
    redraw()

    var descriptors = [
      pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
      pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0),
    ]
    while true {
      let wait = parser.isPasting ? Self.pasteWait : parser.isWaiting ? Self.escapeWait : -1
      let ready = poll(&descriptors, 2, wait)
      if ready < 0, errno != EINTR { break }
      wakePipe.drain()
      if chat_take_stop_request() != 0 { suspend() }
      if chat_take_continued() != 0 { screen.reenter() }
      let (events, results, finished, quit) = inbox.withLock { inbox in
        defer {
          inbox.events.removeAll(keepingCapacity: true)
          inbox.commandResults.removeAll()
        }
        return (inbox.events, inbox.commandResults, inbox.sessionFinished, inbox.quitRequested)
      }
      let now = WallClock.timeOfDay()
      for event in events {
        model.apply(event, time: now)
        if case .failed(let reason) = event { lastProblem = reason }
        if case .disconnected(_, let end) = event, !end.isOrderly { lastProblem = end.description }
      }
      for result in results { model.commandFinished(result, time: now) }
      if finished, !finishedNoted {
        finishedNoted = true
        model.note("the session is over: /quit, Ctrl-C or Ctrl-D to leave", time: now)
      }
      if quit { return outcome() }
      if descriptors[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0, descriptors[0].revents & Int16(POLLIN) == 0
      {
        return outcome()  // the terminal went away
      }
      // Everything typed since the last wake, as keys: a run of text (a paste without
      // bracketing arrives as many characters) is inserted in one go.
      var keys: [Key] = []
      var readAny = false
      while let input = screen.read() {
        readAny = true
        if case .character(let scalar) = input { KeySequenceParser.append(parser.feed(scalar), to: &keys) }
        if input == .unreadable {
          abandoned =
            "the terminal can't be read: chat is not in its foreground process group (under timeout, use --foreground)"
          return outcome()
        }
      }
      // The terminal said "readable" and gave nothing: once, a race; again and again (a pty
      // closed under us, a read that fails without EIO), a loop that would spin. Leave.
      if descriptors[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0, !readAny {
        emptyReads += 1
        if emptyReads >= Self.emptyReadLimit {
          abandoned = "the terminal went away or can't be read (it says there is input, and gives none)"
          return outcome()
        }
      } else {
        emptyReads = 0
      }
      if ready == 0, parser.isWaiting { KeySequenceParser.append(parser.timeout(), to: &keys) }
      for key in keys {
        for command in model.handle(key, time: now) {
          switch command {
          case .send(let text): endpoint.send(text)
          case .who: endpoint.who()
          case .markVerified(let key, let name): markVerified(key, name)
          case .quit: return outcome()
          case .redraw: screen.invalidate()
          case .suspend: suspend()
          case .runCommand(let request):
            commands.start(request) { [inbox, wakePipe] result in
              inbox.withLock { $0.commandResults.append(result) }
              wakePipe.wake()
            }
          case .stopCommand(let id): commands.stop(id: id)
          case .offerFile(let path, let member): endpoint.offerFile(path: path, to: member)
          case .acceptFile(let id, let directory): endpoint.acceptFile(id, into: directory)
          case .rejectFile(let id): endpoint.rejectFile(id)
          case .cancelFile(let id): endpoint.cancelFile(id)
          }
        }
      }
      redraw()
    }
    return outcome()
  }
}
