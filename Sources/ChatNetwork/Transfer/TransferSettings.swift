/// What an endpoint does with files: where it saves them, what it refuses.
public struct TransferSettings: Sendable {
  /// Accept every offer at once into this folder (`--accept-files DIR`); nil: each offer
  /// waits for `/accept` or `/reject`.
  public var autoAcceptDirectory: String?
  /// Where `/accept` without a folder saves.
  public var defaultDirectory: String
  /// Offers of larger files are rejected (`--max-file-size`); nil: no limit but the free
  /// space.
  public var maximumFileSize: UInt64?
  /// Credit the receiver keeps ahead of what is on disk: what may be in flight, and all a
  /// relay may hold of one transfer for a slow receiver. 4 MiB (docs/PROTOCOL.md): with
  /// 1 MiB, a loopback transfer spent most of its time waiting for credit (chat-bench
  /// files, docs/PERFORMANCE.md).
  public var window: UInt32
  /// Offers waiting for an answer, per connection, past which more are rejected.
  public var maximumWaitingOffers: Int
  /// Transfers at once (both ways), past which offers are rejected.
  public var maximumActiveTransfers: Int
  /// Offers accepted per minute from one connection.
  public var offersPerMinute: Int
  /// Every offer is rejected at once with this reason: a front end that can't answer one
  /// (plain mode has no /accept) without an --accept-files folder. Nil: offers are answered.
  public var refusal: String?

  public init(
    autoAcceptDirectory: String? = nil,
    defaultDirectory: String = ".",
    maximumFileSize: UInt64? = nil,
    window: UInt32 = 4 << 20,
    maximumWaitingOffers: Int = 8,
    maximumActiveTransfers: Int = 16,
    offersPerMinute: Int = 120,
    refusal: String? = nil
  ) {
    self.autoAcceptDirectory = autoAcceptDirectory
    self.defaultDirectory = defaultDirectory
    self.maximumFileSize = maximumFileSize
    self.window = window
    self.maximumWaitingOffers = maximumWaitingOffers
    self.maximumActiveTransfers = maximumActiveTransfers
    self.offersPerMinute = offersPerMinute
    self.refusal = refusal
  }
}
