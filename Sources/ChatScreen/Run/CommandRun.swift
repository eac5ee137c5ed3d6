/// Where a `/run` stands on the screen.
public enum CommandRun: Hashable, Sendable {
  /// Started; the screen stays usable meanwhile (chatting goes on, Esc stops it).
  /// `sends`: whether the output will be offered for sending (false for `/run -n`).
  case running(CommandRequest, sends: Bool)
  /// Finished, its output on screen; the input line asks whether to send it.
  case awaitingConfirmation(CommandOutput)
}
