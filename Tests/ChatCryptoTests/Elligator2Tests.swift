import ChatCrypto
import Testing

/// Elligator 2 against the draft's vector and against values computed independently.
@Suite("Elligator 2")
struct Elligator2Tests {
  /// (input, expected u) computed by scripts/cpace-reference.py, a plain-integer Python
  /// implementation of decodeUCoordinate and RFC 9380's map_to_curve_elligator2 (Z = 2), run as
  /// `python3 scripts/cpace-reference.py`. The inputs cover 0 (which maps to u = 0), ±1 (r and
  /// −r map alike), bit 255 set, non-canonical values (p, p + 1 and 2²⁵⁵ − 1, reduced before
  /// mapping) and hashes.
  static let reference: [(input: String, u: String)] = [
    (
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0000000000000000000000000000000000000000000000000000000000000000"
    ),
    (
      "0100000000000000000000000000000000000000000000000000000000000000",
      "9cdb525555555555555555555555555555555555555555555555555555555555"
    ),
    (
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
      "5f3520001c6c9936a31206afe7c7ac224e8861619bf98872444915899d95f46e"
    ),
    (
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      "1e5942dd97c756040d27755f1e5b11349cd47d796c45d07052f7e5b11541c349"
    ),
    (
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "0000000000000000000000000000000000000000000000000000000000000000"
    ),
    (
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "9cdb525555555555555555555555555555555555555555555555555555555555"
    ),
    (
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "9cdb525555555555555555555555555555555555555555555555555555555555"
    ),
    (
      "ccff9a2345d75dbd066d5f8a56698cb932009592c19457f8a1a45e3c022c5763",
      "303ad7f280c57a905a9199d0c1abb8db4fb98ebfe3f1acda7a2a055df7b57860"
    ),
    (
      "b53cd1e42862cef17f1bd35a9775fffed20bb05e8b5872470a4f7f79e5fbd98c",
      "3aabb8f70fa148a9d7a933f7b34107f19a887ab1e27e060b5abbd5064af95b4d"
    ),
    (
      "e2db5f5263400894fcb6a4ce29b963989ddd612f7617adb99089469a1be030c6",
      "e893c0e6602d4927e3d4971762c3804517996d5fd7b56f2ba682cbc42c7b5434"
    ),
  ]

  @Test("the draft's generator g from the hash of its generator string")
  func draftVector() throws {
    let intermediate = try CPaceVectors.load().intermediate
    let g = try CPaceVectors.load().suite.generator
    #expect(hex(Elligator2.map(bytes(hex: intermediate.generatorHash))) == g.lowercased())
    #expect(hex(Elligator2.map(bytes(hex: intermediate.decodedElement))) == g.lowercased())
  }

  @Test("the reference implementation's values")
  func referenceValues() {
    for (input, u) in Self.reference {
      #expect(hex(Elligator2.map(bytes(hex: input))) == u, "\(input)")
    }
  }

  @Test("the output is on the curve: u³ + A·u² + u is a square")
  func outputIsOnTheCurve() {
    var generator = SplitMix64(seed: 9)
    for _ in 0..<16 {
      let u = Field25519(decoding: Elligator2.map(generator.bytes(32)))
      let a = Field25519(small: 486_662)
      #expect((u * (u * (u + a) + .one)).isSquare.isYes)
    }
  }
}
