/// How long a `/run` command may take and how much of its output is kept. Both are shown
/// when it starts, so nobody wonders why a command was cut short.
public struct CommandLimits: Hashable, Sendable {
  /// Seconds before the command (its whole process group) is killed.
  public var timeout: Double
  /// Bytes of output (stdout and stderr together) kept; past them the command is stopped.
  public var outputLimit: Int

  /// The defaults are 10 s and 64 KiB: enough for `df`, `git log -5` or a stack trace,
  /// short enough that a command that hangs is noticed.
  public init(timeout: Double = 10, outputLimit: Int = 64 << 10) {
    self.timeout = timeout
    self.outputLimit = outputLimit
  }

  /// `time limit 10 s, output cap 64 KiB`.
  public var description: String {
    "time limit \(Self.seconds(timeout)), output cap \(Self.bytes(outputLimit))"
  }

  /// `10 s`, `0.5 s`.
  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }

  /// `64 KiB`, `1 MiB`, `1500 B`.
  static func bytes(_ count: Int) -> String {
    if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
    if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
    return "\(count) B"
  }
}
