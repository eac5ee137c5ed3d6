/// The room's defences, each with a default generous enough for people and an option to
/// change it (see README, "Rooms").
///
/// The defaults fit together: a member may burst ``byteBurst`` (1 MiB) and then one more
/// message of up to the largest frame (1 MiB) before the relay stops reading from it, so
/// one member's legal traffic puts at most about 2 MiB in any reader's queue at once,
/// and then at most ``bytesPerSecond`` (1 MiB/s, 8 Mbit/s) more. A reader whose link
/// carries that much never nears ``maximumQueuedBytes`` (4 MiB) because of one sender;
/// the queue's headroom covers two such bursts at once.
public struct RoomLimits: Hashable, Sendable {
  /// Connections at once, handshaking ones included (`--max-clients`).
  public var maximumConnections = 10_000
  /// Connections at once from one address (`--max-per-address`).
  public var maximumConnectionsPerAddress = 100
  /// Connections that have not finished their handshake, at once (like OpenSSH's
  /// MaxStartups): beyond it the oldest is let go, so a flood of connections that never
  /// say hello can't crowd out the room or lock honest clients out.
  public var maximumHandshaking = 256
  /// Sustained messages per second per client, and the burst allowed above it (`--rate`).
  /// A client over its rate is paced, not refused: the relay stops reading from it until
  /// its allowance has refilled.
  public var messagesPerSecond: Double = 20
  public var messageBurst: Double = 200
  /// Sustained payload bytes per second per client, and the burst (`--byte-rate`).
  public var bytesPerSecond: Double = 1_048_576
  public var byteBurst: Double = 1_048_576
  /// Bytes that may wait for a member that is not reading before it is dropped as too slow
  /// (`--max-queue`).
  public var maximumQueuedBytes = 4 << 20
  /// Failed authentications from one address within `authFailureWindow` seconds before
  /// that address is turned away for `authFailureBlock` seconds (`--auth-failures`).
  public var authFailuresAllowed = 5
  public var authFailureWindow: Double = 60
  /// The first wait after the allowance (seconds); each further failure doubles it.
  public var authFailureFirstWait: Double = 1
  public var authFailureBlock: Double = 60
  /// Addresses whose failed authentications are remembered at once; past this the oldest
  /// records are dropped, so a spray of source addresses can't grow the table.
  public var maximumAuthFailureRecords = 10_000
  /// How long a member whose connection dropped keeps its place in the room, unseen by the
  /// others, waiting for its client to resume the session (seconds).
  public var awayGrace: Double = 60
  /// Seconds a file transfer between two members may pass nothing through the relay before
  /// it is cancelled both ways (its place counts against their limits).
  public var fileRouteIdleLimit: Double = 120
  /// Most places kept at once for members whose connection dropped; past it the one away
  /// longest leaves at once.
  public var maximumAway = 1_000
  /// How long a dropped session's name stays reserved for it (seconds): as long as the
  /// session can be resumed, nobody else can take its name.
  public var nameReservation: Double = 600
  /// Most entries in an answer to WHO; the rest are summed up in one line.
  public var maximumWhoEntries = 100
  /// Answers to WHO per member: `whoBurst` at once, then `whoPerSecond`. Requests beyond
  /// that wait (repeats count once), as do requests from a member not reading its answers.
  public var whoPerSecond: Double = 1
  public var whoBurst: Double = 1
  /// Whether members see each other's addresses (`--show-addresses`). The host and the
  /// relay's log always do.
  public var showsAddresses = false
  /// Whether plain line clients (nc, ncat, telnet) may join (`--lines`): a connection
  /// whose first byte is text, or that sends nothing for ``lineDetectionWait`` seconds,
  /// becomes a member that reads and writes lines (PROTOCOL.md §8).
  public var acceptsLineClients = false
  /// How long a silent connection has to begin its chat hello before it is taken for a
  /// line client (seconds). Only with ``acceptsLineClients``.
  public var lineDetectionWait: Double = 1.5

  public init() {}
}
