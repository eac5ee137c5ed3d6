/// Elligator 2 for Curve25519: RFC 9380's map_to_curve_elligator2 (section 6.7.1, the
/// straight-line version of appendix G.2) with Z = 2, as draft-irtf-cfrg-cpace uses it to turn a
/// hash of the password into a generator. Only the u-coordinate is kept (CPace discards v).
///
/// Constant time: the input is derived from the password, so nothing here branches, returns
/// early or indexes memory on it; the two candidate coordinates are both computed and one is
/// chosen with a mask (`Field25519.select`).
package enum Elligator2 {
  /// Curve25519's Montgomery coefficient A (B = 1, so RFC 9380's J = A and K = 1).
  static let curveA = Field25519(small: 486_662)
  /// The non-square Z the draft's find_z_ell2 gives for GF(2²⁵⁵ − 19).
  static let nonSquareZ = Field25519(small: 2)

  /// The u-coordinate (32 bytes, canonical) that Elligator 2 maps the field element encoded in
  /// `bytes` to, after RFC 7748's decodeUCoordinate (bit 255 ignored, values ≥ p reduced).
  package static func map(_ bytes: [UInt8]) -> [UInt8] {
    map(Field25519(decoding: bytes)).encoded
  }

  /// The u-coordinate Elligator 2 maps `r` to.
  package static func map(_ r: Field25519) -> Field25519 {
    // 1. x1 = −(J/K) · inv0(1 + Z·u²)
    let denominator = Field25519.one + nonSquareZ * r.squared()
    var x1 = -curveA * denominator.inverted()
    // 2. If x1 == 0, set x1 = −(J/K). (1 + 2u² is never 0 mod p, −1/2 being a non-square, so
    // this never applies; it is kept, by mask, to follow the RFC step by step.)
    x1 = Field25519.select(x1, -curveA, if: x1.isZero)
    // 3. gx1 = x1³ + (J/K)·x1² + x1/K² = x1·(x1·(x1 + A) + 1)
    let gx1 = x1 * (x1 * (x1 + curveA) + .one)
    // 4. x2 = −x1 − (J/K)
    let x2 = -x1 - curveA
    // 5.–7. x = x1 if gx1 is square, else x2. (y is not needed.)
    return Field25519.select(x2, x1, if: gx1.isSquare)
  }
}
