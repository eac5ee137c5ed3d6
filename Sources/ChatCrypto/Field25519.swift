/// An element of the field GF(p), p = 2²⁵⁵ − 19, the field of Curve25519's coordinates.
///
/// Five unsigned 51-bit limbs, little end first: the value is
/// `l0 + l1·2⁵¹ + l2·2¹⁰² + l3·2¹⁵³ + l4·2²⁰⁴`. Limbs are not always reduced below 2⁵¹ nor
/// the value below p; every operation returns limbs below 2⁵² and `encoded` reduces fully.
///
/// Constant time: these elements hold secrets (CPace maps a hash of the password through
/// Elligator 2 with them). No code here or in the extensions branches, returns early or indexes
/// memory on the value of an element: every loop has a fixed count, choices are masks
/// (`ConstantTimeChoice`), and arithmetic wraps (`&+`, `&-`, `&*`) because Swift's checked
/// arithmetic tests for overflow with a branch. The masks go through an optimizer barrier
/// (`ConstantTimeChoice`) so that the compiler can't turn them back into a branch or a
/// secret-dependent load; the release build's x86-64 assembly for this type and Elligator 2 has
/// no conditional jump or move other than on loop counters and the public input length.
package struct Field25519: Sendable {
  var l0: UInt64
  var l1: UInt64
  var l2: UInt64
  var l3: UInt64
  var l4: UInt64

  /// 2⁵¹ − 1: the bits one limb holds.
  static let limbMask: UInt64 = (1 << 51) - 1

  /// An element from limbs as they are; each must be below 2⁵² (see `reduce`).
  init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
    self.l0 = l0
    self.l1 = l1
    self.l2 = l2
    self.l3 = l3
    self.l4 = l4
  }

  /// A small public constant, below 2⁵¹.
  package init(small value: UInt64) {
    self.init(value & Self.limbMask, 0, 0, 0, 0)
  }

  /// 0.
  package static let zero = Field25519(0, 0, 0, 0, 0)
  /// 1.
  package static let one = Field25519(1, 0, 0, 0, 0)

  /// The limbs carried once around: each below 2⁵¹ except `l0`, below 2⁵¹ + 19·2¹³.
  ///
  /// The carry out of the top limb is worth 2²⁵⁵ ≡ 19 (mod p), so it comes back into `l0`
  /// times 19. Limbs must be below 2⁶⁴ on entry (they are: every caller adds at most
  /// a few values below 2⁵⁴).
  func carried() -> Field25519 {
    let mask = Self.limbMask
    var r = self
    r.l1 &+= r.l0 >> 51
    r.l0 &= mask
    r.l2 &+= r.l1 >> 51
    r.l1 &= mask
    r.l3 &+= r.l2 >> 51
    r.l2 &= mask
    r.l4 &+= r.l3 >> 51
    r.l3 &= mask
    r.l0 &+= (r.l4 >> 51) &* 19
    r.l4 &= mask
    return r
  }

  /// The sum.
  package static func + (a: Field25519, b: Field25519) -> Field25519 {
    Field25519(a.l0 &+ b.l0, a.l1 &+ b.l1, a.l2 &+ b.l2, a.l3 &+ b.l3, a.l4 &+ b.l4).carried()
  }

  /// The difference, computed as a + 4p − b so that no limb goes below zero (b's limbs are
  /// below 2⁵², 4p's are nearly 2⁵³).
  package static func - (a: Field25519, b: Field25519) -> Field25519 {
    let fourPLow: UInt64 = (1 << 53) &- 76  // 4·(2⁵¹ − 19)
    let fourPHigh: UInt64 = (1 << 53) &- 4  // 4·(2⁵¹ − 1)
    return Field25519(
      a.l0 &+ fourPLow &- b.l0,
      a.l1 &+ fourPHigh &- b.l1,
      a.l2 &+ fourPHigh &- b.l2,
      a.l3 &+ fourPHigh &- b.l3,
      a.l4 &+ fourPHigh &- b.l4
    ).carried()
  }

  /// The additive inverse.
  package static prefix func - (a: Field25519) -> Field25519 {
    .zero - a
  }

  /// The product: schoolbook on the limbs with 128-bit partial sums. A product of limbs i and j
  /// with i + j ≥ 5 is worth 2²⁵⁵·(…) ≡ 19·(…), hence the factors 19.
  package static func * (a: Field25519, b: Field25519) -> Field25519 {
    let b1x19 = b.l1 &* 19
    let b2x19 = b.l2 &* 19
    let b3x19 = b.l3 &* 19
    let b4x19 = b.l4 &* 19
    let r0 =
      wide(a.l0, b.l0) &+ wide(a.l1, b4x19) &+ wide(a.l2, b3x19) &+ wide(a.l3, b2x19) &+ wide(a.l4, b1x19)
    let r1 =
      wide(a.l0, b.l1) &+ wide(a.l1, b.l0) &+ wide(a.l2, b4x19) &+ wide(a.l3, b3x19) &+ wide(a.l4, b2x19)
    let r2 =
      wide(a.l0, b.l2) &+ wide(a.l1, b.l1) &+ wide(a.l2, b.l0) &+ wide(a.l3, b4x19) &+ wide(a.l4, b3x19)
    let r3 =
      wide(a.l0, b.l3) &+ wide(a.l1, b.l2) &+ wide(a.l2, b.l1) &+ wide(a.l3, b.l0) &+ wide(a.l4, b4x19)
    let r4 =
      wide(a.l0, b.l4) &+ wide(a.l1, b.l3) &+ wide(a.l2, b.l2) &+ wide(a.l3, b.l1) &+ wide(a.l4, b.l0)
    return reduce(r0, r1, r2, r3, r4)
  }

  /// The square: the product with the symmetric partial products computed once.
  package func squared() -> Field25519 {
    let a0x2 = l0 &* 2
    let a1x2 = l1 &* 2
    let a1x38 = l1 &* 38
    let a2x38 = l2 &* 38
    let a3x38 = l3 &* 38
    let a3x19 = l3 &* 19
    let a4x19 = l4 &* 19
    let r0 = Self.wide(l0, l0) &+ Self.wide(a1x38, l4) &+ Self.wide(a2x38, l3)
    let r1 = Self.wide(a0x2, l1) &+ Self.wide(a2x38, l4) &+ Self.wide(a3x19, l3)
    let r2 = Self.wide(a0x2, l2) &+ Self.wide(l1, l1) &+ Self.wide(a3x38, l4)
    let r3 = Self.wide(a0x2, l3) &+ Self.wide(a1x2, l2) &+ Self.wide(a4x19, l4)
    let r4 = Self.wide(a0x2, l4) &+ Self.wide(a1x2, l3) &+ Self.wide(l2, l2)
    return Self.reduce(r0, r1, r2, r3, r4)
  }

  /// The element `self^(2^count)`: `count` squarings (count is public: exponents are fixed).
  package func squared(times count: Int) -> Field25519 {
    var r = self
    for _ in 0..<count {
      r = r.squared()
    }
    return r
  }

  /// The full 128-bit product of two limbs.
  @inline(__always)
  private static func wide(_ a: UInt64, _ b: UInt64) -> UInt128 {
    UInt128(a) &* UInt128(b)
  }

  /// Five 128-bit column sums carried into five limbs. With input limbs below 2⁵² (what every
  /// operation returns) each sum is below 2¹¹¹, so nothing wraps.
  private static func reduce(
    _ r0: UInt128, _ r1: UInt128, _ r2: UInt128, _ r3: UInt128, _ r4: UInt128
  ) -> Field25519 {
    let mask = UInt128(limbMask)
    let c1 = r1 &+ (r0 >> 51)
    let c2 = r2 &+ (c1 >> 51)
    let c3 = r3 &+ (c2 >> 51)
    let c4 = r4 &+ (c3 >> 51)
    // r4 has no factor 19 in it (below 5·2¹⁰⁴), so c4 >> 51 stays below 2⁵⁶ and 19 times it
    // fits 64 bits with room to spare.
    let top = UInt64(truncatingIfNeeded: c4 >> 51)
    var l0 = UInt64(truncatingIfNeeded: r0 & mask) &+ top &* 19
    var l1 = UInt64(truncatingIfNeeded: c1 & mask)
    l1 &+= l0 >> 51
    l0 &= limbMask
    return Field25519(
      l0,
      l1,
      UInt64(truncatingIfNeeded: c2 & mask),
      UInt64(truncatingIfNeeded: c3 & mask),
      UInt64(truncatingIfNeeded: c4 & mask)
    )
  }
}
