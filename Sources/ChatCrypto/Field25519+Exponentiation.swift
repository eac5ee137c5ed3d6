extension Field25519 {
  /// `self^(2²⁵⁰ − 1)` and `self^11`, the shared start of every fixed exponent below.
  ///
  /// The classic addition chain (curve25519-donna, ref10): a fixed sequence of 11
  /// multiplications and 249 squarings whatever the value, so its time tells nothing.
  private func powTwo250MinusOne() -> (result: Field25519, eleven: Field25519, two: Field25519) {
    let z2 = squared()  // 2
    let z9 = z2.squared(times: 2) * self  // 9
    let z11 = z9 * z2  // 11
    let z2to5 = z11.squared() * z9  // 31 = 2⁵ − 1
    let z2to10 = z2to5.squared(times: 5) * z2to5  // 2¹⁰ − 1
    let z2to20 = z2to10.squared(times: 10) * z2to10  // 2²⁰ − 1
    let z2to40 = z2to20.squared(times: 20) * z2to20  // 2⁴⁰ − 1
    let z2to50 = z2to40.squared(times: 10) * z2to10  // 2⁵⁰ − 1
    let z2to100 = z2to50.squared(times: 50) * z2to50  // 2¹⁰⁰ − 1
    let z2to200 = z2to100.squared(times: 100) * z2to100  // 2²⁰⁰ − 1
    let z2to250 = z2to200.squared(times: 50) * z2to50  // 2²⁵⁰ − 1
    return (z2to250, z11, z2)
  }

  /// The multiplicative inverse by Fermat, `self^(p − 2)`; 0 for 0 (RFC 9380's inv0).
  ///
  /// p − 2 = 2²⁵⁵ − 21 = (2²⁵⁰ − 1)·2⁵ + 11.
  package func inverted() -> Field25519 {
    let (z2to250, z11, _) = powTwo250MinusOne()
    return z2to250.squared(times: 5) * z11
  }

  /// Euler's criterion, `self^((p − 1)/2)`: 1 for a non-zero square, p − 1 for a non-square,
  /// 0 for 0. Elligator 2 chooses its candidate by it.
  ///
  /// (p − 1)/2 = 2²⁵⁴ − 10 = (2²⁵⁰ − 1)·2⁴ + 6.
  package func powPMinusOneOverTwo() -> Field25519 {
    let (z2to250, _, z2) = powTwo250MinusOne()
    let z6 = z2.squared() * z2
    return z2to250.squared(times: 4) * z6
  }

  /// `self^((p − 5)/8)`, the exponent square roots mod p use (RFC 8032, RFC 9380's sqrt_ratio
  /// for q ≡ 5 mod 8): the square root of a square `a` is `a·a^((p−5)/8)` times 1 or √−1.
  ///
  /// (p − 5)/8 = 2²⁵² − 3 = (2²⁵⁰ − 1)·2² + 1.
  package func powPMinusFiveOverEight() -> Field25519 {
    let (z2to250, _, _) = powTwo250MinusOne()
    return z2to250.squared(times: 2) * self
  }

  /// Whether the element is a square (0 counts as one, as RFC 9380's is_square says), in
  /// constant time.
  package var isSquare: ConstantTimeChoice {
    let legendre = powPMinusOneOverTwo()
    return legendre.isZero | legendre.equals(.one)
  }
}
