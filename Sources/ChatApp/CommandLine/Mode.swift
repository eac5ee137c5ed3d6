public import ChatNetwork

/// What this run of chat is: a room's host, a client, or a headless relay. Read once from
/// `--listen`, `--connect` or `--serve` (exactly one), so the rest of the program never
/// looks at the raw options again.
public enum Mode: Hashable, Sendable {
  /// `--listen [HOST:]PORT` or `--listen unix:PATH`: host a room and take part in it.
  case listen(ChatAddress)
  /// `--connect HOST:PORT` or `--connect unix:PATH`: join a room.
  case connect(ChatAddress)
  /// `--serve [HOST:]PORT` or `--serve unix:PATH`: a room with no local participant.
  case serve(ChatAddress)

  /// The mode the three options describe, or why they describe none.
  public static func parse(listen: String?, connect: String?, serve: String?) throws(UsageError) -> Mode {
    let given = [("--listen", listen), ("--connect", connect), ("--serve", serve)].filter { $0.1 != nil }
    guard given.count == 1, let (option, value) = given.first.map({ ($0.0, $0.1!) }) else {
      throw given.isEmpty ? UsageError.noMode : UsageError.severalModes(given.map(\.0))
    }
    do {
      switch option {
      case "--connect": return .connect(try ChatAddress.parse(connecting: value))
      case "--serve": return .serve(try ChatAddress.parse(listening: value))
      default: return .listen(try ChatAddress.parse(listening: value))
      }
    } catch {
      throw UsageError.badAddress(option: option, problem: error.description)
    }
  }

  /// The address given, whatever the mode.
  public var address: ChatAddress {
    switch self {
    case .listen(let address), .connect(let address), .serve(let address): address
    }
  }

  /// Whether this side hosts a room (and so takes room options).
  public var hostsRoom: Bool {
    if case .connect = self { return false }
    return true
  }
}
