import ChatProtocol
import NIOCore
import Testing

@Suite("Protocol vectors from Resources/protocol-vectors.json")
struct ProtocolVectorTests {
  let vectors: ProtocolVectors

  init() throws {
    vectors = try ProtocolVectors.load()
  }

  @Test func everyValidVectorDecodesToItsFrame() throws {
    #expect(vectors.frames.count >= 10)
    for vector in vectors.frames {
      let decoded = decodeStream([decodeHex(vector.hex)[...]])
      #expect(decoded == .success([vector.frame.frame]), "\(vector.name)")
    }
  }

  @Test func everyValidFrameEncodesToItsVector() {
    for vector in vectors.frames {
      let frame = vector.frame.frame
      #expect(hexString(encode([frame])) == vector.hex, "\(vector.name)")
      #expect(frame.wireLength == vector.hex.count / 2, "\(vector.name): wireLength")
    }
  }

  @Test func everyInvalidVectorFailsWithItsCode() {
    #expect(vectors.invalid.count >= 10)
    for vector in vectors.invalid {
      let expected = ErrorCode(vectorName: vector.error)
      #expect(expected != nil, "\(vector.name): unknown code name \(vector.error)")
      switch decodeStream([decodeHex(vector.hex)[...]]) {
      case .success(let frames):
        Issue.record("\(vector.name): decoded \(frames) instead of failing")
      case .failure(let error):
        #expect(error.code == expected, "\(vector.name): \(error.message)")
        #expect(!error.message.isEmpty)
      }
    }
  }

  @Test func nameRulesMatchTheIndependentImplementation() {
    #expect(vectors.names.rules.count >= 20)
    for rule in vectors.names.rules {
      let name = String(decoding: decodeHex(rule.nameHex), as: UTF8.self)
      let problem = Hello.problem(withName: name)
      #expect((problem != nil) == rule.refused, "\(rule.nameHex): \(problem ?? "accepted")")
    }
  }
}
