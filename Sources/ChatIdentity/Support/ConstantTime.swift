/// Comparing keys without an early exit, so how long a comparison takes says nothing about
/// how many leading bytes of a pinned key a presented key shares.
enum ConstantTime {
  static func equal(_ first: [UInt8], _ second: [UInt8]) -> Bool {
    // Key lengths are public (always 32 for X25519); only the contents must not leak.
    guard first.count == second.count else { return false }
    var difference: UInt8 = 0
    for index in first.indices {
      difference |= first[index] ^ second[index]
    }
    return difference == 0
  }
}
