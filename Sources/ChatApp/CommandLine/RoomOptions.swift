public import ArgumentParser
import ChatRoom

/// Options for the defences of a listening room (`--listen`, `--serve`).
public struct RoomOptions: ParsableArguments {
  @Option(
    name: .customLong("max-clients"),
    help: ArgumentHelp("Connections at once, handshaking ones included (default 10000).", valueName: "n"))
  var maxClients: Int = RoomLimits().maximumConnections

  @Option(
    name: .customLong("max-per-address"),
    help: ArgumentHelp("Connections at once from one address (default 100).", valueName: "n"))
  var maxPerAddress: Int = RoomLimits().maximumConnectionsPerAddress

  @Option(
    name: .customLong("rate"),
    help: ArgumentHelp(
      "Messages per second a client may send, sustained; bursts of 10 times that pass (default 20).",
      valueName: "messages"))
  var rate: Double = RoomLimits().messagesPerSecond

  @Option(
    name: .customLong("byte-rate"),
    help: ArgumentHelp(
      "Payload bytes per second a client may send, sustained; bursts of 8 times that pass (default 1048576).",
      valueName: "bytes"))
  var byteRate: Double = RoomLimits().bytesPerSecond

  @Option(
    name: .customLong("max-queue"),
    help: ArgumentHelp(
      "Bytes that may wait for a client that is not reading before it is dropped as too slow (default 1048576).",
      valueName: "bytes"))
  var maxQueue: Int = 1 << 20

  @Option(
    name: .customLong("auth-failures"),
    help: ArgumentHelp(
      "Failed authentications from one address (IPv6: one /64) before each next attempt waits, 1 s doubling to 60 s (default 5).",
      valueName: "n"))
  var authFailures: Int = RoomLimits().authFailuresAllowed

  public init() {}

  public func validate() throws {
    guard maxClients >= 1 else { throw ValidationError("--max-clients must be at least 1") }
    guard maxPerAddress >= 1 else { throw ValidationError("--max-per-address must be at least 1") }
    guard rate > 0 else { throw ValidationError("--rate must be above 0") }
    guard byteRate >= 1024 else { throw ValidationError("--byte-rate must be at least 1024") }
    guard maxQueue >= 65536 else { throw ValidationError("--max-queue must be at least 65536") }
    guard authFailures >= 1 else { throw ValidationError("--auth-failures must be at least 1") }
  }

  var limits: RoomLimits {
    var limits = RoomLimits()
    limits.maximumConnections = maxClients
    limits.maximumConnectionsPerAddress = maxPerAddress
    limits.messagesPerSecond = rate
    limits.messageBurst = rate * 10
    limits.bytesPerSecond = byteRate
    limits.byteBurst = byteRate * 8
    limits.authFailuresAllowed = authFailures
    return limits
  }
}
