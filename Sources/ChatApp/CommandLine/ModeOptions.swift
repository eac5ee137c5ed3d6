public import ArgumentParser

/// `--listen`, `--connect`, `--serve`: exactly one is given. Their own group so that the
/// help lists them first. Values are parsed unconditionally so that `--listen -1` is a bad
/// port, not a missing value.
public struct ModeOptions: ParsableArguments {
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Host a room on [HOST:]PORT (all interfaces when no host), or on the Unix socket unix:PATH.",
      valueName: "[host:]port"))
  var listen: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Join the room at HOST:PORT (IPv6 as [::1]:9090) or unix:PATH.", valueName: "host:port"))
  var connect: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Run a headless relay on [HOST:]PORT or unix:PATH: a room with no local participant, logging to stderr.",
      valueName: "[host:]port"))
  var serve: String?

  public init() {}

  /// The mode given, or why there is none.
  func mode() throws(UsageError) -> Mode {
    try Mode.parse(listen: listen, connect: connect, serve: serve)
  }
}
