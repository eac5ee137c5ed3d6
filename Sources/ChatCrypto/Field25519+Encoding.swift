extension Field25519 {
  /// The element a 32-byte little-endian u-coordinate encodes, as RFC 7748's
  /// decodeUCoordinate: bit 255 is ignored, and a value from p to 2²⁵⁵ − 1 (non-canonical) is
  /// accepted and stands for that value minus p.
  ///
  /// `bytes` must hold 32 bytes (a length is public; its bytes are not, and they are only
  /// shifted and masked, never compared).
  package init(decoding bytes: [UInt8]) {
    precondition(bytes.count == 32, "a field element is encoded in 32 bytes")
    let w0 = Self.word(bytes, at: 0)
    let w1 = Self.word(bytes, at: 8)
    let w2 = Self.word(bytes, at: 16)
    let w3 = Self.word(bytes, at: 24)
    let mask = Self.limbMask
    // 51-bit limbs straddle the 64-bit words; the last limb's mask drops bit 255. A value
    // ≥ p needs no reduction here: limbs below 2⁵¹ are valid input to every operation, and
    // `encoded` reduces fully.
    self.init(
      w0 & mask,
      (w0 >> 51 | w1 << 13) & mask,
      (w1 >> 38 | w2 << 26) & mask,
      (w2 >> 25 | w3 << 39) & mask,
      (w3 >> 12) & mask
    )
  }

  /// The canonical encoding: the value reduced into [0, p), 32 bytes little-endian, bit 255
  /// clear (RFC 7748's encodeUCoordinate).
  package var encoded: [UInt8] {
    let r = reduced()
    let words = [
      r.l0 | r.l1 << 51,
      r.l1 >> 13 | r.l2 << 38,
      r.l2 >> 26 | r.l3 << 25,
      r.l3 >> 39 | r.l4 << 12,
    ]
    var bytes = [UInt8](repeating: 0, count: 32)
    for index in 0..<32 {
      bytes[index] = UInt8(truncatingIfNeeded: words[index / 8] >> (UInt64(index % 8) * 8))
    }
    return bytes
  }

  /// The same value with every limb below 2⁵¹ and the whole below p.
  func reduced() -> Field25519 {
    // Two carries bring every limb below 2⁵¹ and the value below 2²⁵⁵ (the second carry out of
    // the top limb can only be 1 when l0 was left small by the first).
    var r = carried().carried()
    // The value is in [0, 2²⁵⁵); it is ≥ p exactly when value + 19 carries out of bit 255.
    // q is that carry, found by running the carry chain of value + 19 without storing it.
    var q = (r.l0 &+ 19) >> 51
    q = (r.l1 &+ q) >> 51
    q = (r.l2 &+ q) >> 51
    q = (r.l3 &+ q) >> 51
    q = (r.l4 &+ q) >> 51
    // value − q·p = value + 19·q − q·2²⁵⁵: add 19q, carry, and drop bit 255.
    let mask = Self.limbMask
    r.l0 &+= 19 &* q
    r.l1 &+= r.l0 >> 51
    r.l0 &= mask
    r.l2 &+= r.l1 >> 51
    r.l1 &= mask
    r.l3 &+= r.l2 >> 51
    r.l2 &= mask
    r.l4 &+= r.l3 >> 51
    r.l3 &= mask
    r.l4 &= mask
    return r
  }

  /// Whether the element is 0 (as a value: p encodes 0 too), in constant time.
  package var isZero: ConstantTimeChoice {
    equals(.zero)
  }

  /// Whether both are the same value mod p, in constant time: the canonical encodings are
  /// compared by OR-ing every XOR of limbs, never by stopping at the first difference.
  package func equals(_ other: Field25519) -> ConstantTimeChoice {
    let a = reduced()
    let b = other.reduced()
    let difference = (a.l0 ^ b.l0) | (a.l1 ^ b.l1) | (a.l2 ^ b.l2) | (a.l3 ^ b.l3) | (a.l4 ^ b.l4)
    return ConstantTimeChoice(isZero: difference)
  }

  /// `b` when `choice` is yes, `a` when it is no, by masking (no branch).
  package static func select(_ a: Field25519, _ b: Field25519, if choice: ConstantTimeChoice) -> Field25519 {
    let m = choice.mask
    return Field25519(
      a.l0 ^ (m & (a.l0 ^ b.l0)),
      a.l1 ^ (m & (a.l1 ^ b.l1)),
      a.l2 ^ (m & (a.l2 ^ b.l2)),
      a.l3 ^ (m & (a.l3 ^ b.l3)),
      a.l4 ^ (m & (a.l4 ^ b.l4))
    )
  }

  /// Exchanges `a` and `b` when `choice` is yes, by masking (no branch); the ladder of a
  /// Montgomery curve needs this form.
  package static func swap(_ a: inout Field25519, _ b: inout Field25519, if choice: ConstantTimeChoice) {
    let m = choice.mask
    let t0 = m & (a.l0 ^ b.l0)
    let t1 = m & (a.l1 ^ b.l1)
    let t2 = m & (a.l2 ^ b.l2)
    let t3 = m & (a.l3 ^ b.l3)
    let t4 = m & (a.l4 ^ b.l4)
    a = Field25519(a.l0 ^ t0, a.l1 ^ t1, a.l2 ^ t2, a.l3 ^ t3, a.l4 ^ t4)
    b = Field25519(b.l0 ^ t0, b.l1 ^ t1, b.l2 ^ t2, b.l3 ^ t3, b.l4 ^ t4)
  }

  /// Eight bytes from `offset` as a little-endian word (public offsets only).
  private static func word(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    var w: UInt64 = 0
    for index in 0..<8 {
      w |= UInt64(bytes[offset + index]) << (UInt64(index) * 8)
    }
    return w
  }
}
