import Crypto

/// Noise's `SHA256` hash functions and the HKDF built on them (Noise revision 34, sections 4.3
/// and 12.5).
enum NoiseHash {
  /// HASHLEN for SHA-256.
  static let length = 32

  /// HASH(data).
  static func hash(_ data: [UInt8]) -> [UInt8] {
    Array(SHA256.hash(data: data))
  }

  /// HASH(first || second), without building the concatenation.
  static func hash(_ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
    var hasher = SHA256()
    hasher.update(data: first)
    hasher.update(data: second)
    return Array(hasher.finalize())
  }

  /// HKDF(chaining_key, input_key_material, count) for count 2 or 3.
  ///
  /// Written out as the spec states it, with HMAC-SHA256, rather than through `HKDF<SHA256>`:
  /// the two agree (salt = chaining key, empty info), but this form reads line for line
  /// against section 4.3.
  static func hkdf(chainingKey: [UInt8], inputKeyMaterial: [UInt8], count: Int) -> [[UInt8]] {
    precondition(count == 2 || count == 3, "Noise's HKDF returns two or three outputs")
    let tempKey = SymmetricKey(data: hmac(key: SymmetricKey(data: chainingKey), inputKeyMaterial))
    var outputs: [[UInt8]] = []
    var previous: [UInt8] = []
    for index in 1...count {
      previous = hmac(key: tempKey, previous + [UInt8(index)])
      outputs.append(previous)
    }
    return outputs
  }

  private static func hmac(key: SymmetricKey, _ data: [UInt8]) -> [UInt8] {
    Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
  }
}
