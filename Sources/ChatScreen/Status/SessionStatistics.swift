/// Counters for /stats and the status bar.
public struct SessionStatistics: Hashable, Sendable {
  public var messagesSent = 0
  public var messagesReceived = 0
  public var payloadBytesSent = 0
  public var payloadBytesReceived = 0
  public var wireBytesSent = 0
  public var wireBytesReceived = 0
  public var roundTripCount = 0
  public var roundTripMinimum: UInt64?
  public var roundTripMaximum: UInt64?
  public var roundTripTotal: UInt64 = 0
  public var lastRoundTrip: UInt64?
  /// When the current (or last) session was established, as shown in the scrollback.
  public var connectedSince: String?

  public init() {}

  public mutating func recordSent(payloadBytes: Int, wireBytes: Int) {
    messagesSent += 1
    payloadBytesSent += payloadBytes
    wireBytesSent += wireBytes
  }

  public mutating func recordReceived(payloadBytes: Int, wireBytes: Int) {
    messagesReceived += 1
    payloadBytesReceived += payloadBytes
    wireBytesReceived += wireBytes
  }

  public mutating func recordRoundTrip(nanoseconds: UInt64) {
    roundTripCount += 1
    roundTripTotal += nanoseconds
    roundTripMinimum = min(roundTripMinimum ?? .max, nanoseconds)
    roundTripMaximum = max(roundTripMaximum ?? 0, nanoseconds)
    lastRoundTrip = nanoseconds
  }

  /// The lines /stats prints.
  public var report: [String] {
    var lines = [
      "sent \(messagesSent) message\(messagesSent == 1 ? "" : "s"): \(Format.bytes(payloadBytesSent)) payload, \(Format.bytes(wireBytesSent)) on the wire",
      "received \(messagesReceived) message\(messagesReceived == 1 ? "" : "s"): \(Format.bytes(payloadBytesReceived)) payload, \(Format.bytes(wireBytesReceived)) on the wire",
    ]
    if roundTripCount > 0, let minimum = roundTripMinimum, let maximum = roundTripMaximum {
      let average = roundTripTotal / UInt64(roundTripCount)
      lines.append(
        "round trip: min \(Format.duration(minimum)), avg \(Format.duration(average)), max \(Format.duration(maximum)) over \(roundTripCount) sample\(roundTripCount == 1 ? "" : "s")"
      )
    } else {
      lines.append("round trip: not measured yet")
    }
    lines.append(connectedSince.map { "connected since \($0)" } ?? "not connected yet")
    return lines
  }
}

/// Numbers as people read them.
public enum Format {
  /// "512 B", "1.5 KiB", "3.2 MiB".
  public static func bytes(_ count: Int) -> String {
    if count < 1024 { return "\(count) B" }
    if count < 1 << 20 { return oneDecimal(Double(count) / 1024) + " KiB" }
    if count < 1 << 30 { return oneDecimal(Double(count) / 1_048_576) + " MiB" }
    return oneDecimal(Double(count) / 1_073_741_824) + " GiB"
  }

  /// "85 µs", "0.34 ms", "12 ms", "1.2 s".
  public static func duration(_ nanoseconds: UInt64) -> String {
    if nanoseconds < 100_000 { return "\(nanoseconds / 1000) µs" }
    if nanoseconds < 10_000_000 { return twoDecimals(Double(nanoseconds) / 1e6) + " ms" }
    if nanoseconds < 1_000_000_000 { return "\(nanoseconds / 1_000_000) ms" }
    return oneDecimal(Double(nanoseconds) / 1e9) + " s"
  }

  static func oneDecimal(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }

  static func twoDecimals(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}
