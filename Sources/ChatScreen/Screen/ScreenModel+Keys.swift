/// Keys and commands: editing, sending, scrolling, quitting.
extension ScreenModel {
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
    if key != .tab { lastTabText = nil }
    if case .awaitingConfirmation(let output) = commandRun { return answerSend(output, key, time: time) }
    if key == .escape, case .running(let request, _) = commandRun {
      note("stopping $ \(request.command)", time: time)
      return [.stopCommand(id: request.id)]
    }
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
    case .tab:
      let before = String(input.characters[..<input.cursor])
      if PathCompletion.fragmentStart(before, members: members) != nil {
        completePath(time: time)
      } else {
        input.apply(.insert("\t"))
      }
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

  /// Files still moving (or paused) either way.
  var runningTransfers: Int { transfers.filter(\.isActive).count }

  /// Leaving with messages not yet confirmed, or files still moving, asks first; otherwise
  /// it is immediate.
  mutating func requestQuit() -> [ScreenCommand] {
    if unconfirmed.isEmpty, runningTransfers == 0 { return [.quit] }
    confirmingQuit = true
    return []
  }

  /// The answer to "quit anyway? y/N": y quits, any other key keeps chatting.
  mutating func answerQuit(_ key: Key, time: String) -> [ScreenCommand] {
    confirmingQuit = false
    if key == .text("y") || key == .text("Y") { return [.quit] }
    note("not quitting", time: time)
    return []
  }

  /// The question the input line asks while ``confirmingQuit``.
  public var quitQuestion: String {
    let count = unconfirmed.count
    let files = runningTransfers
    let moving = files == 0 ? "" : "\(files) file\(files == 1 ? "" : "s") still moving (they stop; a .part file stays)"
    if count == 0 {
      return files == 0 ? "all messages are confirmed now: quit? y/N " : moving + ": quit anyway? y/N "
    }
    let messages = "\(count) message\(count == 1 ? "" : "s") not yet delivered"
    return (files == 0 ? messages : messages + ", " + moving) + ": quit anyway? y/N "
  }

  mutating func submit(time: String) -> [ScreenCommand] {
    let line = TypedLine(input.submit(), members: members, home: homeDirectory)
    switch line {
    case .nothing: break
    case .message(let text): return [.send(text)]
    case .quit: return requestQuit()
    case .forceQuit: return [.quit]
    case .who: return [.who]
    case .verify(let confirmed, let name): return verify(confirmed: confirmed, member: name, time: time)
    case .run(let command, let sends): return run(command, sends: sends, time: time)
    case .sendFile, .acceptFile, .rejectFile, .cancelFile: return fileCommand(line, time: time)
    case .files: for text in filesReport() { note(text, time: time) }
    case .usage(let text): scrollback.append(ScrollbackEntry(time: time, kind: .error, text: text))
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
    "/verify shows the safety number to compare with the peer by voice; /verify ok when it matched",
    "files: /send PATH (in a room: /send NAME PATH; Tab completes paths, \"quotes\" keep spaces), /accept [ID [DIR]], /reject [ID], /cancel ID, /files lists them",
    "/run COMMAND runs it here (your $SHELL, time limit and output cap shown), shows the output, Enter sends it; /run -n only shows it",
    "leave: /quit, Ctrl-C, or Ctrl-D on an empty line (asks first while messages are unconfirmed or files move; /quit! doesn't)",
    "editing: ←/→ Home/End Ctrl-A/E, Backspace/Delete, Ctrl-U/K (delete to start/end), Ctrl-W (word), ↑/↓ history",
    "scrolling: PgUp/PgDn, Ctrl-Home/Ctrl-End (top/bottom); Ctrl-Z suspends (fg to return), Ctrl-L repaints",
    "a line starting with // sends a leading /; a paste of several lines is one message, sent when you press Enter",
    "(12 B, 30 on wire) after a message: its text's bytes (the same on every screen), and what its frame took on this side's wire",
  ]
}
