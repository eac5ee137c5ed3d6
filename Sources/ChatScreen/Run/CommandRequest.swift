/// What the screen asks the program to run for `/run`: the command line for the user's
/// shell, its limits, and a number that ties the result to this request.
public struct CommandRequest: Hashable, Sendable {
  /// Counts the screen's runs: a result for an earlier run (one stopped, or from before a
  /// cancel) is recognised and ignored.
  public var id: Int
  /// The text after `/run` (or `/run -n`), for `$SHELL -c`.
  public var command: String
  public var limits: CommandLimits

  /// A request for run number `id`.
  public init(id: Int, command: String, limits: CommandLimits) {
    self.id = id
    self.command = command
    self.limits = limits
  }
}
