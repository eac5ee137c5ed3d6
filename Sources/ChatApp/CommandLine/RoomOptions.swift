public import ArgumentParser
import ChatRoom

/// Options for the defences of a listening room (`--listen`, `--serve`).
///
/// Each is optional so that chat can tell "given" from "defaulted" (a room option given
/// with `--connect` is refused) and so that the help shows each default once, in the text.
/// Values are parsed unconditionally: `--rate -5` is a bad rate, not a missing value.
public struct RoomOptions: ParsableArguments {
  @Option(
    name: .customLong("max-clients"), parsing: .unconditional,
    help: ArgumentHelp("Connections at once, handshaking ones included (default 10000).", valueName: "n"))
  var maxClients: Int?

  @Option(
    name: .customLong("max-per-address"), parsing: .unconditional,
    help: ArgumentHelp("Connections at once from one address (default 100).", valueName: "n"))
  var maxPerAddress: Int?

  @Option(
    name: .customLong("rate"), parsing: .unconditional,
    help: ArgumentHelp(
      "Messages per second a client may send, sustained; bursts of 10 times that pass (default 20).",
      valueName: "messages"))
  var rate: Double?

  @Option(
    name: .customLong("byte-rate"), parsing: .unconditional,
    help: ArgumentHelp(
      "Payload bytes per second a client may send, sustained; a burst of one second's worth passes (default 1048576).",
      valueName: "bytes"))
  var byteRate: Double?

  @Option(
    name: .customLong("max-queue"), parsing: .unconditional,
    help: ArgumentHelp(
      "Bytes that may wait for a client that is not reading before it is dropped as too slow (default 4194304).",
      valueName: "bytes"))
  var maxQueue: Int?

  @Option(
    name: .customLong("auth-failures"), parsing: .unconditional,
    help: ArgumentHelp(
      "Failed authentications from one address (IPv6: one /64) before each next attempt waits, 1 s doubling to 60 s (default 5).",
      valueName: "n"))
  var authFailures: Int?

  @Flag(
    name: .customLong("show-addresses"),
    help: "Show members each other's addresses (on joining and in /who); by default only the host and the log see them."
  )
  var showAddresses = false

  @Flag(
    name: .customLong("lines"),
    help:
      "Also accept plain line clients (nc, ncat, telnet): unencrypted and unauthenticated, refused when the room has a secret."
  )
  var lines = false

  public init() {}

  /// The room options given on the command line, by name.
  var given: [String] {
    [
      ("--max-clients", maxClients != nil), ("--max-per-address", maxPerAddress != nil), ("--rate", rate != nil),
      ("--byte-rate", byteRate != nil), ("--max-queue", maxQueue != nil), ("--auth-failures", authFailures != nil),
      ("--show-addresses", showAddresses), ("--lines", lines),
    ].filter(\.1).map(\.0)
  }

  /// Why the values given can't be used, if they can't.
  func check() throws(UsageError) {
    if let maxClients, maxClients < 1 { throw .outOfRange(option: "--max-clients", allowed: "at least 1") }
    if let maxPerAddress, maxPerAddress < 1 { throw .outOfRange(option: "--max-per-address", allowed: "at least 1") }
    if let rate, !(rate > 0 && rate.isFinite) {
      throw .outOfRange(option: "--rate", allowed: "a number of messages per second above 0")
    }
    if let byteRate, !(byteRate >= 1024 && byteRate.isFinite) {
      throw .outOfRange(option: "--byte-rate", allowed: "at least 1024 bytes per second")
    }
    if let maxQueue, maxQueue < 65536 { throw .outOfRange(option: "--max-queue", allowed: "at least 65536 bytes") }
    if let authFailures, authFailures < 1 { throw .outOfRange(option: "--auth-failures", allowed: "at least 1") }
  }

  /// Bytes that may wait for one client.
  var queueLimit: Int { limits.maximumQueuedBytes }

  var limits: RoomLimits {
    var limits = RoomLimits()
    if let maxClients { limits.maximumConnections = maxClients }
    if let maxPerAddress { limits.maximumConnectionsPerAddress = maxPerAddress }
    if let rate {
      limits.messagesPerSecond = rate
      limits.messageBurst = rate * 10
    }
    if let byteRate {
      limits.bytesPerSecond = byteRate
      limits.byteBurst = byteRate
    }
    if let maxQueue { limits.maximumQueuedBytes = maxQueue }
    if let authFailures { limits.authFailuresAllowed = authFailures }
    limits.showsAddresses = showAddresses
    limits.acceptsLineClients = lines
    return limits
  }
}
