import Crypto

/// The number two people read to each other to check that no one sits between them: 60
/// digits derived from both sides' static public keys, the same on both sides.
public enum SafetyNumber {
  /// Domain separation: these digests are for nothing else.
  static let label = Array("chat/2 safety number".utf8)
  static let groupCount = 12

  /// 12 groups of 5 digits joined by single spaces.
  ///
  /// The two 32-byte keys are put in bytewise (lexicographic) order, smaller first, so both
  /// sides compute the same number; the digest is SHA-512("chat/2 safety number" || smaller
  /// || larger), and group i is the big-endian integer of digest bytes 5i..<5i+5 modulo
  /// 100000, zero-padded to 5 digits.
  public static func digits(_ keyA: [UInt8], _ keyB: [UInt8]) -> String {
    groups(keyA, keyB).joined(separator: " ")
  }

  /// The same number as 3 lines of 4 groups, for the screen.
  public static func lines(_ keyA: [UInt8], _ keyB: [UInt8]) -> [String] {
    let all = groups(keyA, keyB)
    return stride(from: 0, to: groupCount, by: 4).map { all[$0..<$0 + 4].joined(separator: " ") }
  }

  private static func groups(_ keyA: [UInt8], _ keyB: [UInt8]) -> [String] {
    // Both keys have the same fixed length, so the concatenation is unambiguous; a key of
    // another length is a caller's bug, not peer input (the handshake yields 32 bytes).
    precondition(keyA.count == 32 && keyB.count == 32, "a safety number is made from two 32-byte X25519 public keys")
    let (smaller, larger) = keyA.lexicographicallyPrecedes(keyB) ? (keyA, keyB) : (keyB, keyA)
    let digest = Array(SHA512.hash(data: label + smaller + larger))
    // 40 bits per group is far more than 100000 values, so the modulo bias is negligible
    // (under 2^-23).
    return (0..<groupCount).map { group in
      let value = digest[5 * group..<5 * group + 5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      let text = String(value % 100_000)
      return String(repeating: "0", count: 5 - text.count) + text
    }
  }
}
