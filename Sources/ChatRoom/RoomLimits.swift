/// The room's defences, each with a default generous enough for people and an option to
/// change it (see README, "Rooms").
public struct RoomLimits: Hashable, Sendable {
  /// Connections at once, handshaking ones included (`--max-clients`).
  public var maximumConnections = 10_000
  /// Connections at once from one address (`--max-per-address`).
  public var maximumConnectionsPerAddress = 100
  /// Sustained messages per second per client, and the burst allowed above it (`--rate`).
  public var messagesPerSecond: Double = 20
  public var messageBurst: Double = 200
  /// Sustained bytes per second per client, and the burst (`--byte-rate`).
  public var bytesPerSecond: Double = 1_048_576
  public var byteBurst: Double = 8_388_608
  /// A client whose messages keep being refused this many times in a row is disconnected.
  public var refusedMessagesBeforeDisconnect = 50
  /// Failed authentications from one address within `authFailureWindow` seconds before
  /// that address is turned away for `authFailureBlock` seconds (`--auth-failures`).
  public var authFailuresAllowed = 5
  public var authFailureWindow: Double = 60
  public var authFailureBlock: Double = 60
  /// Addresses whose failed authentications are remembered at once; past this the oldest
  /// records are dropped, so a spray of source addresses can't grow the table.
  public var maximumAuthFailureRecords = 10_000

  public init() {}
}
