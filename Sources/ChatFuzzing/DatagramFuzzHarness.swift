import ChatProtocol

/// One fuzz input through UDP chat's pure core: the datagram decoder (with and without a
/// key) and the receive window, checking properties as it goes.
///
/// Properties: decoding never traps; a datagram that decodes encodes to the very bytes it
/// came from; for any arrival order the window keeps `lost == highest - received` (every
/// number up to the highest is either accepted once or lost) and never accepts a number
/// twice.
///
/// Input layout: byte 0 selects the key (even: none, odd: a fixed one); the rest is one
/// datagram, and also, read as 2-byte numbers, a sequence of arrivals for a window.
public enum DatagramFuzzHarness {
  static let key = DatagramKey(secret: SharedSecret(bytes: Array("fuzz".utf8))!)

  /// The properties `input` broke; empty when all held.
  public static func run(_ input: [UInt8]) -> [String] {
    guard let selector = input.first else { return [] }
    var violations: [String] = []
    let bytes = Array(input.dropFirst())
    let key = selector % 2 == 0 ? nil : Self.key
    if case .success(let datagram) = ChatDatagram.decode(bytes, key: key), datagram.encode(key: key) != bytes {
      violations.append("a decoded datagram encodes to other bytes")
    }
    var window = DatagramWindow()
    var accepted = Set<UInt64>()
    var index = 0
    while index + 1 < bytes.count {
      let sequence = UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
      index += 2
      switch window.receive(sequence) {
      case .accepted, .reordered:
        if !accepted.insert(sequence).inserted { violations.append("sequence \(sequence) accepted twice") }
      case .duplicate, .stale:
        break
      }
      if window.counts.lost != Int(window.highest) - window.counts.received {
        violations.append("lost \(window.counts.lost) is not highest \(window.highest) less received")
      }
    }
    return violations
  }

  /// Seeds for a mutation fuzzer: a datagram of each kind, with and without a tag.
  public static var seedCorpus: [[UInt8]] {
    ChatDatagram.Kind.allCases.flatMap { kind in
      let datagram = ChatDatagram(kind: kind, sequence: 7, name: "bob", text: kind == .hello ? "" : "你好")
      return [[0] + datagram.encode(key: nil), [1] + datagram.encode(key: key)]
    }
  }
}
