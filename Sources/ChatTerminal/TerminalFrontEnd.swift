import CNcursesw
import CResizeSignal
import ChatProtocol
import ChatScreen
public import ChatSession
import Foundation
import NIOConcurrencyHelpers

/// The ncurses front end: a UI thread that owns the terminal and the ``ScreenModel``,
/// sleeping in poll() on the keyboard and a wake pipe. Session events arrive on the pipe's
/// queue; keys are read when stdin is ready; a resize arrives through SIGWINCH. No timers,
/// no busy-waiting: an idle chat uses no CPU.
public final class TerminalFrontEnd: Sendable {
  private let endpoint: any ChatEndpoint
  private let localName: String
  private let useColor: Bool
  private let secretConfigured: Bool
  private let wakePipe = WakePipe()
  private let inbox = NIOLockedValueBox(Inbox())

  private struct Inbox {
    var events: [SessionEvent] = []
    var sessionFinished = false
    var quitRequested = false
  }

  public init(endpoint: any ChatEndpoint, localName: String, useColor: Bool, secretConfigured: Bool) {
    self.endpoint = endpoint
    self.localName = localName
    self.useColor = useColor
    self.secretConfigured = secretConfigured
  }

  /// Asks the UI to leave as if the user typed /quit (for signals).
  public func requestQuit() {
    inbox.withLockedValue { $0.quitRequested = true }
    wakePipe.wake()
  }

  /// Runs the screen until the user quits; then says goodbye and waits for the close.
  /// `observe` sees every session event (the caller uses it for the exit status).
  public func run(observe: @escaping @Sendable (SessionEvent) -> Void) async -> String? {
    let inbox = inbox
    let wakePipe = wakePipe
    let events = endpoint.events
    let pump = Task {
      for await event in events {
        observe(event)
        inbox.withLockedValue { $0.events.append(event) }
        wakePipe.wake()
      }
      inbox.withLockedValue { $0.sessionFinished = true }
      wakePipe.wake()
    }
    let lastProblem: String? = await withCheckedContinuation { continuation in
      let thread = Thread { [self] in
        continuation.resume(returning: uiLoop())
      }
      thread.name = "chat ui"
      thread.start()
    }
    await endpoint.close(Goodbye(code: .userQuit, reason: "quit"))
    pump.cancel()
    return lastProblem
  }

  /// The UI thread's loop. Returns the last error shown, to repeat after the screen closes.
  private func uiLoop() -> String? {
    let screen = CursesScreen(useColor: useColor)
    defer { screen.restore() }
    chat_install_resize_wakeup(wakePipe.writeEnd)
    let decoder = KeyDecoder(codes: screen.keyCodes)
    var model = ScreenModel(localName: localName, secretConfigured: secretConfigured)
    var lastProblem: String?
    var finishedNoted = false
    model.note("type a message and press Enter; /help lists commands and keys", time: WallClock.timeOfDay())

    func redraw() {
      let (width, height) = screen.size
      screen.draw(model.layout(width: width, height: height))
    }
    redraw()

    var descriptors = [
      pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
      pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0),
    ]
    while true {
      let ready = poll(&descriptors, 2, -1)
      if ready < 0, errno != EINTR { break }
      wakePipe.drain()
      let (events, finished, quit) = inbox.withLockedValue { inbox in
        defer { inbox.events.removeAll(keepingCapacity: true) }
        return (inbox.events, inbox.sessionFinished, inbox.quitRequested)
      }
      let now = WallClock.timeOfDay()
      for event in events {
        model.apply(event, time: now)
        if case .failed(let reason) = event { lastProblem = reason }
        if case .disconnected(_, let end) = event, !end.isOrderly { lastProblem = end.description }
      }
      if finished, !finishedNoted {
        finishedNoted = true
        model.note("the session is over: /quit, Ctrl-C or Ctrl-D to leave", time: now)
      }
      if quit { return lastProblem }
      if descriptors[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0, descriptors[0].revents & Int16(POLLIN) == 0
      {
        return lastProblem  // the terminal went away
      }
      var pendingText = ""
      func flushText() {
        guard !pendingText.isEmpty else { return }
        _ = model.handle(.text(pendingText), time: now)
        pendingText = ""
      }
      while let raw = screen.readKey() {
        switch decoder.decode(raw) {
        case .key(.text(let text)):
          pendingText += text  // a paste arrives as many keys: insert them in one go
        case .key(let key):
          flushText()
          for command in model.handle(key, time: now) {
            switch command {
            case .send(let text): endpoint.send(text)
            case .who: endpoint.who()
            case .quit: return lastProblem
            case .redraw: screen.invalidate()
            }
          }
        case .resize, nil:
          flushText()
        }
      }
      flushText()
      redraw()
    }
    return lastProblem
  }
}
