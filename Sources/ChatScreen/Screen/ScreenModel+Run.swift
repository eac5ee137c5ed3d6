/// `/run`: a local command's output, shown, then sent as one message if the user says so.
///
/// The model only decides: it asks the program to start or stop a command
/// (``ScreenCommand/runCommand(_:)``, ``ScreenCommand/stopCommand(id:)``) and takes the
/// result in (``commandFinished(_:time:)``). The process itself runs elsewhere, off the UI
/// thread, so the screen keeps drawing and taking keys while it runs.
///
/// Commands run on this machine only, never on a peer's behalf: chat has no way for a
/// peer to run anything here (see the README, "Sharing a command's output").
extension ScreenModel {
  /// `/run COMMAND` (`sends`) or `/run -n COMMAND`.
  mutating func run(_ command: String, sends: Bool, time: String) -> [ScreenCommand] {
    guard !command.allSatisfy(\.isWhitespace) else {
      note(
        "/run COMMAND runs it here and offers its output to send; /run -n COMMAND only shows it", time: time)
      return []
    }
    if case .running(let request, _) = commandRun {
      note("$ \(request.command) is still running: Esc stops it", time: time)
      return []
    }
    commandRuns += 1
    let request = CommandRequest(id: commandRuns, command: command, limits: commandLimits)
    commandRun = .running(request, sends: sends)
    note("running $ \(command) (\(commandLimits.description)); Esc stops it", time: time)
    return [.runCommand(request)]
  }

  /// The command started by the matching ``ScreenCommand/runCommand(_:)`` finished: its
  /// output goes on screen and, unless it was `/run -n` or there is nothing to send, the
  /// input line asks whether to send it. A result for another run is ignored.
  public mutating func commandFinished(_ result: CommandResult, time: String) {
    guard case .running(let request, let sends) = commandRun, request.id == result.id else { return }
    let output = CommandOutput(command: request.command, result: result, limits: request.limits)
    let failed: Bool
    switch result.ending {
    case .exited(0): failed = result.truncated
    default: failed = true
    }
    scrollback.append(ScrollbackEntry(time: time, kind: failed ? .error : .system, text: output.summary))
    if !output.text.isEmpty { scrollback.append(ScrollbackEntry(time: time, kind: .output, text: output.text)) }
    commandRun = nil
    if !sends {
      note("shown only (/run -n): nothing was sent", time: time)
    } else if !output.isSendable {
      note("no output: nothing to send", time: time)
    } else {
      commandRun = .awaitingConfirmation(output)
    }
  }

  /// The answer to "send this output?": Enter sends it as one message, Esc drops it. The
  /// conversation still scrolls (to read a long output first) and Ctrl-C still leaves;
  /// other keys are ignored, so a stray key neither sends nor loses it.
  mutating func answerSend(_ output: CommandOutput, _ key: Key, time: String) -> [ScreenCommand] {
    let (width, height) = lastSize
    let pageHeight = max(1, height - 2)
    switch key {
    case .enter:
      commandRun = nil
      return [.send(output.text)]
    case .escape:
      commandRun = nil
      note("output not sent", time: time)
    case .control("c"):
      commandRun = nil
      note("output not sent", time: time)
      return requestQuit()
    case .pageUp: scrollback.pageUp(width: width, height: pageHeight)
    case .pageDown: scrollback.pageDown(width: width, height: pageHeight)
    case .scrollTop: scrollback.scrollToTop()
    case .scrollBottom: scrollback.scrollToBottom()
    case .control("l"): return [.redraw]
    case .control("z"): return [.suspend]
    default: break
    }
    return []
  }
}
