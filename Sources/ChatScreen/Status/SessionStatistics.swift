import ChatProtocol

/// Counters for /stats and the status bar.
public struct SessionStatistics: Hashable, Sendable {
  public var messagesSent = 0
  public var messagesReceived = 0
  public var textBytesSent = 0
  public var textBytesReceived = 0
  public var wireBytesSent = 0
  public var wireBytesReceived = 0
  public var roundTripCount = 0
  public var roundTripMinimum: UInt64?
  public var roundTripMaximum: UInt64?
  public var roundTripTotal: UInt64 = 0
  public var lastRoundTrip: UInt64?
  /// When the current (or last) session was established, as shown in the scrollback.
  public var connectedSince: String?
  /// When this side began hosting a room (the listener): its counters are the room's.
  public var hostingSince: String?

  public init() {}

  public mutating func recordSent(textBytes: Int, wireBytes: Int) {
    messagesSent += 1
    textBytesSent += textBytes
    wireBytesSent += wireBytes
  }

  public mutating func recordReceived(textBytes: Int, wireBytes: Int) {
    messagesReceived += 1
    textBytesReceived += textBytes
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
      "sent \(messagesSent) message\(messagesSent == 1 ? "" : "s"): \(Quantities.bytes(textBytesSent)) of text, \(Quantities.bytes(wireBytesSent)) on the wire",
      "received \(messagesReceived) message\(messagesReceived == 1 ? "" : "s"): \(Quantities.bytes(textBytesReceived)) of text, \(Quantities.bytes(wireBytesReceived)) on the wire",
    ]
    if roundTripCount > 0, let minimum = roundTripMinimum, let maximum = roundTripMaximum {
      let average = roundTripTotal / UInt64(roundTripCount)
      lines.append(
        "round trip: min \(Quantities.measured(nanoseconds: minimum)), avg \(Quantities.measured(nanoseconds: average)), max \(Quantities.measured(nanoseconds: maximum)) over \(roundTripCount) sample\(roundTripCount == 1 ? "" : "s")"
      )
    } else if hostingSince != nil {
      lines.append("round trip: measured to each member: see /who")
    } else {
      lines.append("round trip: not measured yet")
    }
    if let hostingSince {
      lines.append("hosting since \(hostingSince)")
    } else {
      lines.append(connectedSince.map { "connected since \($0)" } ?? "not connected yet")
    }
    return lines
  }
}
