/// What running a `/run` command produced: its output as bytes (stdout and stderr in the
/// order they were written), how it ended, and how long it took. Made by the program's
/// command runner; the screen turns it into a ``CommandOutput``.
public struct CommandResult: Hashable, Sendable {
  /// How the command ended.
  public enum Ending: Hashable, Sendable {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it (one it got from elsewhere, or the kill after the output cap).
    case signalled(Int32)
    /// It ran past the time limit and its process group was killed.
    case timedOut
    /// The user stopped it (Esc).
    case stopped
    /// It could not be started at all.
    case failedToStart(String)
  }

  /// The ``CommandRequest/id`` this answers.
  public var id: Int
  /// What the command wrote to stdout and stderr, at most the output cap.
  public var output: [UInt8]
  public var ending: Ending
  /// Whether output was cut at the limit (the command was then stopped).
  public var truncated: Bool
  /// How long it ran.
  public var seconds: Double

  /// A result; `truncated` when the output passed the cap.
  public init(id: Int, output: [UInt8], ending: Ending, truncated: Bool = false, seconds: Double) {
    self.id = id
    self.output = output
    self.ending = ending
    self.truncated = truncated
    self.seconds = seconds
  }
}
