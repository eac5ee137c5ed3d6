/// A command line chat can't run with, in words for the user (exit status 64).
public enum UsageError: Error, Hashable, Sendable, CustomStringConvertible {
  /// None of `--listen`, `--connect`, `--serve`.
  case noMode
  /// More than one of them.
  case severalModes([String])
  /// An address that can't be read.
  case badAddress(option: String, problem: String)
  /// A number outside what the option allows; `allowed` says what it allows.
  case outOfRange(option: String, allowed: String)
  /// Options that only a room's host takes, given with `--connect`.
  case roomOptionsWithConnect([String])
  /// An option that applies to `--connect` only.
  case connectOnly(String)
  /// A display name that can't be used.
  case badName(String)
  /// A value that is not one of the choices the option takes.
  case badChoice(option: String, value: String, choices: [String])
  /// An option that needs `--framing tutorial`, or one that can't be used with it.
  case framing(String)
  /// An option for a listener on a Unix socket (`--listen unix:PATH`, `--serve unix:PATH`),
  /// given otherwise.
  case unixListenerOnly(String)
  /// An option for the screen, given with `--serve`, which has none.
  case screenOnly(String)
  /// `--lines` with `--pin-names`: a line client has no key to hold a pinned name to.
  case linesWithPinnedNames
  /// Something `--udp` does not do (`--serve`, a Unix socket, room options), and why.
  case notWithUDP(String)
  /// A file transfer option where it can't apply, or with a value it can't take.
  case files(String)

  public var description: String {
    switch self {
    case .noMode:
      "say --listen [HOST:]PORT, --connect HOST:PORT or --serve [HOST:]PORT"
    case .severalModes(let options):
      "use one of --listen, --connect or --serve, not several (got \(options.joined(separator: " and ")))"
    case .badAddress(let option, let problem):
      "\(option): \(problem)"
    case .outOfRange(let option, let allowed):
      "\(option) must be \(allowed)"
    case .roomOptionsWithConnect(let options):
      "\(options.joined(separator: ", ")) \(options.count == 1 ? "applies" : "apply") to a room's host "
        + "(--listen or --serve), not to --connect"
    case .connectOnly(let option):
      "\(option) applies to --connect only"
    case .badName(let problem):
      "--name: \(problem)"
    case .badChoice(let option, let value, let choices):
      "\(option) must be \(choices.joined(separator: " or ")), not \(value)"
    case .framing(let problem):
      problem
    case .unixListenerOnly(let option):
      "\(option) applies to a listener on a Unix socket (--listen unix:PATH or --serve unix:PATH) only"
    case .screenOnly(let option):
      "\(option) applies to the screen (--listen or --connect), not to --serve"
    case .linesWithPinnedNames:
      "--lines can't be used with --pin-names: a line client has no key, so it could take a pinned name from its owner"
    case .files(let problem):
      problem
    case .notWithUDP(let what):
      "--udp: \(what)"
    }
  }
}
