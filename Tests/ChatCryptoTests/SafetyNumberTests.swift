import ChatCrypto
import Testing

@Suite("SafetyNumber")
struct SafetyNumberTests {
  let keyA = (0..<32).map { UInt8($0) }
  let keyB = (0..<32).map { UInt8(255 - $0) }

  @Test("both sides get the same number, whichever key is theirs")
  func symmetric() {
    #expect(SafetyNumber.digits(keyA, keyB) == SafetyNumber.digits(keyB, keyA))
    #expect(SafetyNumber.lines(keyA, keyB) == SafetyNumber.lines(keyB, keyA))
  }

  // Computed independently:
  // python3 -c "import hashlib;a=bytes(range(32));b=bytes(range(255,223,-1));s,l=sorted([a,b]);
  //   d=hashlib.sha512(b'chat/2 safety number'+s+l).digest();
  //   print(' '.join('%05d'%(int.from_bytes(d[5*i:5*i+5],'big')%100000) for i in range(12)))"
  @Test("the number for two fixed keys matches an independent computation")
  func pinnedValue() {
    let expected = "09121 00158 50831 14006 48443 11721 59962 25853 94982 50487 90529 53780"
    #expect(SafetyNumber.digits(keyA, keyB) == expected)
    #expect(
      SafetyNumber.lines(keyA, keyB) == [
        "09121 00158 50831 14006",
        "48443 11721 59962 25853",
        "94982 50487 90529 53780",
      ]
    )
  }

  @Test("12 groups of 5 digits; the lines are the same groups, 4 to a line")
  func shape() {
    let digits = SafetyNumber.digits(keyA, keyB)
    let groups = digits.split(separator: " ", omittingEmptySubsequences: false)
    #expect(groups.count == 12)
    #expect(groups.allSatisfy { $0.count == 5 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
    #expect(digits.filter(\.isNumber).count == 60)
    let lines = SafetyNumber.lines(keyA, keyB)
    #expect(lines.count == 3)
    #expect(lines.joined(separator: " ") == digits)
  }

  @Test("flipping any one bit of either key changes the number")
  func bitFlips() {
    let original = SafetyNumber.digits(keyA, keyB)
    for bit in 0..<256 {
      var flippedA = keyA
      flippedA[bit / 8] ^= 1 << UInt8(bit % 8)
      #expect(SafetyNumber.digits(flippedA, keyB) != original, "bit \(bit) of the first key")
      var flippedB = keyB
      flippedB[bit / 8] ^= 1 << UInt8(bit % 8)
      #expect(SafetyNumber.digits(keyA, flippedB) != original, "bit \(bit) of the second key")
    }
  }
}
