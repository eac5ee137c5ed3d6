/// A finished `/run` command as the screen shows and sends it: the output as text, the
/// message it would make, and a one-line summary of how it went.
///
/// The output is the command's bytes decoded as UTF-8 (bytes that are not UTF-8 become
/// U+FFFD), with CR LF line ends made LF and the final line breaks dropped, so
/// `printf 'a\nb\n'` makes the two-line message `a` `b`. Nothing here is made safe for the
/// terminal: the scrollback escapes control characters and escape sequences when it draws
/// (see ``ScrollbackEntry``), and the peer's screen does the same with what it receives.
public struct CommandOutput: Hashable, Sendable {
  /// The command as typed after `/run`.
  public var command: String
  /// The message the output makes: what Enter sends.
  public var text: String
  public var result: CommandResult
  /// The limits it ran under, to name the one it hit.
  public var limits: CommandLimits

  /// The output of `command`'s `result`, decoded and trimmed as described above.
  public init(command: String, result: CommandResult, limits: CommandLimits) {
    self.command = command
    self.result = result
    self.limits = limits
    var bytes: [UInt8] = []
    bytes.reserveCapacity(result.output.count)
    for (index, byte) in result.output.enumerated() {
      let next = index + 1 < result.output.count ? result.output[index + 1] : nil
      if byte == UInt8(ascii: "\r"), next == UInt8(ascii: "\n") { continue }
      bytes.append(byte)
    }
    while bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
    text = String(decoding: bytes, as: UTF8.self)
  }

  /// Lines in the message (0 when the command printed nothing).
  public var lineCount: Int {
    text.isEmpty ? 0 : text.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
  }

  /// Bytes of UTF-8 in the message.
  public var byteCount: Int { text.utf8.count }

  /// Whether there is anything to send: a command that printed nothing, or could not
  /// start, makes no message.
  public var isSendable: Bool {
    if case .failedToStart = result.ending { return false }
    return !text.isEmpty
  }

  /// `$ printf 'a\nb\n': exit 0, 2 lines, 3 B in 0.01 s`, with what went wrong when
  /// something did (a non-zero status, a signal, the time limit, the output cap).
  public var summary: String {
    let size = "\(lineCount) line\(lineCount == 1 ? "" : "s"), \(byteCount) B"
    let took = "in \(Self.format(result.seconds)) s"
    var parts: [String]
    switch result.ending {
    case .exited(0): parts = ["exit 0, \(size) \(took)"]
    case .exited(let status): parts = ["exit status \(status) (failed), \(size) \(took)"]
    case .signalled(let signal) where result.truncated:
      parts = ["stopped (signal \(signal)) at the output cap, \(size) \(took)"]
    case .signalled(let signal): parts = ["killed by signal \(signal), \(size) \(took)"]
    case .timedOut:
      parts = ["killed after \(CommandLimits.seconds(limits.timeout)) (the time limit): partial output, \(size)"]
    case .stopped: parts = ["stopped (Esc) after \(Self.format(result.seconds)) s: partial output, \(size)"]
    case .failedToStart(let reason): parts = ["could not start: \(reason)"]
    }
    if result.truncated {
      parts.append("output cut at \(CommandLimits.bytes(limits.outputLimit)) (the rest was not read)")
    }
    return "$ \(command): " + parts.joined(separator: "; ")
  }

  /// The question the input line asks while the output waits: Enter sends, Esc cancels.
  public var question: String {
    "send this output (\(lineCount) line\(lineCount == 1 ? "" : "s"), \(byteCount) bytes)? Enter sends, Esc cancels "
  }

  /// Tenths of a second, or hundredths below one.
  static func format(_ seconds: Double) -> String {
    let scaled = seconds < 1 ? (seconds * 100).rounded() / 100 : (seconds * 10).rounded() / 10
    return "\(scaled)"
  }
}
