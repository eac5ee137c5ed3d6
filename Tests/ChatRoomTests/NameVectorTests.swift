import ChatRoom
import Foundation
import Testing

/// The look-alike pairs of Resources/protocol-vectors.json, computed by the independent Python
/// implementation (scripts/make-protocol-vectors.py).
@Suite("Look-alike name vectors from Resources/protocol-vectors.json")
struct NameVectorTests {
  struct Vectors: Decodable {
    struct Names: Decodable {
      struct Pair: Decodable {
        var aHex: String
        var bHex: String
        var lookAlike: Bool
      }
      var pairs: [Pair]
    }
    var names: Names
  }

  func text(_ hex: String) -> String {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      bytes.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  @Test func everyPairIsJudgedAsThePythonImplementationJudgesIt() throws {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    let data = try Data(contentsOf: root.appendingPathComponent("Resources/protocol-vectors.json"))
    let pairs = try JSONDecoder().decode(Vectors.self, from: data).names.pairs
    #expect(pairs.count >= 10)
    for pair in pairs {
      let (a, b) = (text(pair.aHex), text(pair.bHex))
      #expect(NameKey(a).looksLike(NameKey(b)) == pair.lookAlike, "\(a) / \(b)")
      var registry = NameRegistry()
      _ = registry.claim(a)
      #expect((registry.claim(b).name != b) == pair.lookAlike, "\(a) then \(b)")
    }
  }
}
