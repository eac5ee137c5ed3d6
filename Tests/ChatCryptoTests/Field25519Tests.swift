import ChatCrypto
import Testing

/// Field arithmetic mod p = 2²⁵⁵ − 19 by its algebraic properties, with random elements from a
/// fixed-seed generator (reproducible failures).
@Suite("Field25519")
struct Field25519Tests {
  /// p, little-endian.
  static let pBytes = bytes(hex: "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")

  /// `count` pseudo-random elements, each decoded from 32 random bytes (so some have bit 255
  /// set, which decoding ignores).
  static func randomElements(_ count: Int, seed: UInt64) -> [Field25519] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in Field25519(decoding: generator.bytes(32)) }
  }

  static func encode(_ value: UInt64) -> [UInt8] {
    (0..<32).map { index in index < 8 ? UInt8(truncatingIfNeeded: value >> (UInt64(index) * 8)) : 0 }
  }

  @Test("a · a⁻¹ = 1 for random non-zero elements, and inv0(0) = 0")
  func inverse() {
    for a in Self.randomElements(64, seed: 1) {
      #expect((a * a.inverted()).equals(.one).isYes, "\(hex(a.encoded))")
    }
    #expect(Field25519.zero.inverted().isZero.isYes)
    #expect(Field25519(decoding: Self.pBytes).inverted().isZero.isYes)
  }

  @Test("canonical values round-trip through encoding")
  func roundTrip() {
    var generator = SplitMix64(seed: 2)
    for _ in 0..<64 {
      var encoding = generator.bytes(32)
      encoding[31] &= 0x3F  // below 2²⁵⁴ < p: canonical
      #expect(Field25519(decoding: encoding).encoded == encoding)
    }
    let pMinusOne = bytes(hex: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
    #expect(Field25519(decoding: pMinusOne).encoded == pMinusOne)
    for a in Self.randomElements(64, seed: 3) {
      #expect(Field25519(decoding: a.encoded).encoded == a.encoded)
      #expect(a.encoded[31] & 0x80 == 0)
    }
  }

  @Test("non-canonical encodings (p to 2²⁵⁵ − 1) decode reduced, and bit 255 is ignored")
  func nonCanonicalDecoding() {
    #expect(Field25519(decoding: Self.pBytes).encoded == Self.encode(0))
    for k in UInt8(1)...18 {
      var encoding = Self.pBytes
      encoding[0] &+= k  // p + k, k ≤ 18: still below 2²⁵⁵
      #expect(Field25519(decoding: encoding).encoded == Self.encode(UInt64(k)), "p + \(k)")
    }
    // 2²⁵⁶ − 1 with bit 255 cleared is 2²⁵⁵ − 1 = p + 18.
    #expect(Field25519(decoding: [UInt8](repeating: 0xFF, count: 32)).encoded == Self.encode(18))
    var high = Self.encode(5)
    high[31] |= 0x80
    #expect(Field25519(decoding: high).encoded == Self.encode(5))
  }

  @Test("p − 1 + 1 = 0, 0 − 1 = p − 1, and −a + a = 0")
  func wrapAround() {
    let pMinusOne = Field25519(decoding: bytes(hex: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))
    #expect((pMinusOne + .one).isZero.isYes)
    #expect((pMinusOne + .one).encoded == Self.encode(0))
    #expect((Field25519.zero - .one).equals(pMinusOne).isYes)
    #expect((pMinusOne * pMinusOne).equals(.one).isYes)  // (−1)² = 1
    for a in Self.randomElements(32, seed: 4) {
      #expect((-a + a).isZero.isYes)
    }
  }

  @Test("ring laws on random elements: commutativity, associativity, distributivity, squaring")
  func ringLaws() {
    let elements = Self.randomElements(96, seed: 5)
    for index in stride(from: 0, to: elements.count, by: 3) {
      let (a, b, c) = (elements[index], elements[index + 1], elements[index + 2])
      #expect((a * b).equals(b * a).isYes)
      #expect(((a * b) * c).equals(a * (b * c)).isYes)
      #expect((a * (b + c)).equals(a * b + a * c).isYes)
      #expect(((a - b) + b).equals(a).isYes)
      #expect(a.squared().equals(a * a).isYes)
      #expect(!a.equals(a + .one).isYes)
    }
  }

  @Test("small products agree with integer arithmetic")
  func smallProducts() {
    let a = Field25519(small: 486_662)
    let b = Field25519(small: 1_000_003)
    #expect((a * b).encoded == Self.encode(486_662 * 1_000_003))
    #expect((b - a).encoded == Self.encode(1_000_003 - 486_662))
    // 2¹²⁸ · 2¹²⁸ = 2²⁵⁶ ≡ 38 (mod p).
    var twoTo128 = Self.encode(0)
    twoTo128[16] = 1
    let x = Field25519(decoding: twoTo128)
    #expect((x * x).encoded == Self.encode(38))
    #expect(x.squared().encoded == Self.encode(38))
  }

  @Test("Euler's criterion: squares give 1, 2 (Curve25519's Z) gives −1, 0 gives 0")
  func eulerCriterion() {
    for a in Self.randomElements(16, seed: 6) {
      #expect(a.squared().powPMinusOneOverTwo().equals(.one).isYes)
      #expect(a.squared().isSquare.isYes)
    }
    let two = Field25519(small: 2)
    #expect(two.powPMinusOneOverTwo().equals(-.one).isYes)
    #expect(!two.isSquare.isYes)
    #expect(Field25519.zero.powPMinusOneOverTwo().isZero.isYes)
    #expect(Field25519.zero.isSquare.isYes)
  }

  @Test("a^((p−5)/8) gives square roots: (a·a^((p−5)/8))² = ±a for a square a")
  func squareRootExponent() {
    for b in Self.randomElements(16, seed: 7) {
      let a = b.squared()
      let candidate = a * a.powPMinusFiveOverEight()
      let square = candidate.squared()
      #expect((square.equals(a) | square.equals(-a)).isYes)
    }
  }

  @Test("select and swap follow the choice")
  func selectAndSwap() {
    let elements = Self.randomElements(2, seed: 8)
    let (a, b) = (elements[0], elements[1])
    #expect(Field25519.select(a, b, if: .no).encoded == a.encoded)
    #expect(Field25519.select(a, b, if: .yes).encoded == b.encoded)
    var (x, y) = (a, b)
    Field25519.swap(&x, &y, if: .no)
    #expect(x.encoded == a.encoded && y.encoded == b.encoded)
    Field25519.swap(&x, &y, if: .yes)
    #expect(x.encoded == b.encoded && y.encoded == a.encoded)
  }

  @Test("constant-time choices")
  func choices() {
    #expect(ConstantTimeChoice(isZero: 0).isYes)
    for value: UInt64 in [1, 2, 1 << 63, .max, 0x8000_0000] {
      #expect(!ConstantTimeChoice(isZero: value).isYes)
    }
    #expect(ConstantTimeChoice(bit: 1).mask == .max)
    #expect(ConstantTimeChoice(bit: 0).mask == 0)
    #expect((ConstantTimeChoice.yes & .no).mask == 0)
    #expect((ConstantTimeChoice.yes | .no).mask == .max)
    #expect((!ConstantTimeChoice.no).mask == .max)
  }
}
