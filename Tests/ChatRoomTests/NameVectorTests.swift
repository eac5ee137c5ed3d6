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
        var a: String
        var b: String
        var lookAlike: Bool
      }
      var pairs: [Pair]
    }
    var names: Names
  }

  @Test func everyPairIsJudgedAsThePythonImplementationJudgesIt() throws {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    let data = try Data(contentsOf: root.appendingPathComponent("Resources/protocol-vectors.json"))
    let pairs = try JSONDecoder().decode(Vectors.self, from: data).names.pairs
    #expect(pairs.count >= 10)
    for pair in pairs {
      let (a, b) = (pair.a, pair.b)
      #expect(NameKey(a).looksLike(NameKey(b)) == pair.lookAlike, "\(a) / \(b)")
      var registry = NameRegistry()
      _ = registry.claim(a)
      #expect((registry.claim(b).name != b) == pair.lookAlike, "\(a) then \(b)")
    }
  }
}
