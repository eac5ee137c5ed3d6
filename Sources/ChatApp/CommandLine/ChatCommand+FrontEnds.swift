import ArgumentParser
import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatScreen
import ChatTerminal
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
  import Glibc
#endif

/// Running the chosen front end over the endpoint, and the exit status it ends with.
extension ChatCommand {
  func runPlain(
    _ endpoint: any ChatEndpoint, listening: Bool, files: [String] = [], fileRecipient: String? = nil
  ) async throws {
    let interruption = SignalWatcher {
      Task { await endpoint.close(Goodbye(code: .shuttingDown, reason: "interrupted")) }
    }
    let frontEnd = PlainFrontEnd(
      endpoint: endpoint, localName: displayName, linger: .nanoseconds(Int64(linger * 1e9)),
      files: files, fileRecipient: fileRecipient,
      write: StandardOutput.append, flush: StandardOutput.flush, writeLine: StandardOutput.appendLine)
    // Sending files from a terminal: nothing is read from it (it is not a script's input).
    let input = !files.isEmpty && isatty(STDIN_FILENO) == 1 ? StandardInput.none() : StandardInput.lines()
    let outcome = await frontEnd.run(input: input)
    for failed in outcome.failedSends { Self.printError("not sent: \(failed)") }
    for line in outcome.undelivered {
      Self.printError(
        "not delivered: \(line.text) (\(line.reason))")
    }
    if !outcome.undelivered.isEmpty {
      Self.printError(
        "\(outcome.undelivered.count) \(outcome.undelivered.count == 1 ? "line was" : "lines were") not delivered")
    }
    if let signal = interruption.received { throw ExitCode(128 + signal) }
    if let failure = outcome.failure, isatty(STDOUT_FILENO) == 0 { Self.printError(failure) }
    let status = outcome.exitStatus(listening: listening)
    if status != 0 { throw ExitCode(status) }
  }

  func runScreen(
    identityNote: String,
    _ endpoint: any ChatEndpoint, secretConfigured: Bool, listening: Bool, commandLimits: CommandLimits,
    markVerified: @escaping @Sendable ([UInt8], String?) -> Void
  ) async throws {
    let environment = ProcessInfo.processInfo.environment
    let useColor = (environment["NO_COLOR"] ?? "").isEmpty
    let frontEnd = TerminalFrontEnd(
      endpoint: endpoint, localName: displayName, useColor: useColor, secretConfigured: secretConfigured,
      identityNote: identityNote, commandLimits: commandLimits, markVerified: markVerified)
    let interruption = SignalWatcher { frontEnd.requestQuit() }
    let outcome = NIOLockedValueBox(ConversationOutcome())
    let screen = await frontEnd.run { event in outcome.withLockedValue { $0.observe(event) } }
    // What the user left undelivered, now that the real terminal is back (escaped: the
    // text is the user's own, but may have come from a paste).
    for line in screen.unconfirmed.report { Self.printError(line) }
    if let signal = interruption.received { throw ExitCode(128 + signal) }
    if let abandoned = screen.abandoned {
      Self.printError(abandoned)
      throw ExitCode(1)
    }
    let status = outcome.withLockedValue { $0.exitStatus(listening: listening) }
    if status != 0 {
      if let problem = screen.lastProblem { Self.printError(problem) }
      throw ExitCode(status)
    }
    if !screen.unconfirmed.isEmpty { throw ExitCode(1) }
  }
}
