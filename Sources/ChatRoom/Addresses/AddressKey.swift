/// The address that per-address limits count by: one key per person's machine or network,
/// however the address is written.
///
/// - An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, as a dual-stack socket reports IPv4
///   peers) is the IPv4 address it maps, so the two spellings share one budget.
/// - Any other IPv6 address counts by its /64 (`2001:db8:1:2::/64`): one customer, LAN or
///   host gets a /64 and picks addresses inside it at will, so counting each address would
///   give one machine 2^64 budgets.
/// - Anything else (an IPv4 address, or text that doesn't parse) is kept as it is.
public struct AddressKey: Hashable, Sendable, CustomStringConvertible {
  public let description: String

  public init(_ address: String) {
    var text = Substring(address)
    if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
    if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
    guard text.contains(":"), let groups = Self.parseIPv6(text) else {
      description = address
      return
    }
    if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xffff {
      description = "\(groups[6] >> 8).\(groups[6] & 0xff).\(groups[7] >> 8).\(groups[7] & 0xff)"
    } else {
      description = Self.prefix64(groups)
    }
  }

  /// The eight 16-bit groups of an IPv6 address in text form (RFC 4291 §2.2: `::` once, an
  /// IPv4 dotted quad in place of the last two groups), or nil.
  static func parseIPv6(_ text: Substring) -> [UInt16]? {
    let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
    guard halves.count <= 2 else { return nil }
    func groups(_ part: String) -> [UInt16]? {
      if part.isEmpty { return [] }
      var result: [UInt16] = []
      let fields = part.split(separator: ":", omittingEmptySubsequences: false)
      for (index, field) in fields.enumerated() {
        if index == fields.count - 1, field.contains(".") {
          let octets = field.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
          guard octets.count == 4, octets.allSatisfy({ $0 != nil }) else { return nil }
          result.append(UInt16(octets[0]!) << 8 | UInt16(octets[1]!))
          result.append(UInt16(octets[2]!) << 8 | UInt16(octets[3]!))
        } else {
          guard (1...4).contains(field.count), let value = UInt16(field, radix: 16) else { return nil }
          result.append(value)
        }
      }
      return result
    }
    guard let head = groups(halves[0]) else { return nil }
    if halves.count == 1 { return head.count == 8 ? head : nil }
    guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
    return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
  }

  /// `2001:db8::/64`: the first four groups, lowercase, trailing zero groups as `::`.
  static func prefix64(_ groups: [UInt16]) -> String {
    var kept = Array(groups[0..<4])
    while let last = kept.last, last == 0 { kept.removeLast() }
    let text = kept.map { String($0, radix: 16) }.joined(separator: ":")
    return "\(text)::/64"
  }
}
