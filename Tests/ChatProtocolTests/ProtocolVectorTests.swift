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

  @Test func authProofsMatchTheIndependentImplementation() throws {
    let auth = vectors.auth
    let connectorHello = try #require(
      decodeStream([decodeHex(auth.connectorHelloHex)[...]]).value?.first?.hello, "the connector's hello decodes")
    let listenerHello = try #require(
      decodeStream([decodeHex(auth.listenerHelloHex)[...]]).value?.first?.hello, "the listener's hello decodes")
    let transcript = AuthTranscript(connectorHello: connectorHello, listenerHello: listenerHello)
    let secret = try #require(SharedSecret(bytes: Array(auth.secret.utf8)))
    #expect(hexString(transcript.proof(for: .connector, secret: secret)) == auth.connectorProof)
    #expect(hexString(transcript.proof(for: .listener, secret: secret)) == auth.listenerProof)
    #expect(transcript.verify(decodeHex(auth.listenerProof), from: .listener, secret: secret))
    // A proof is bound to its role: the connector's proof is no good as the listener's.
    #expect(!transcript.verify(decodeHex(auth.connectorProof), from: .listener, secret: secret))
    let wrong = try #require(SharedSecret(bytes: Array("correct horse battery stapler".utf8)))
    #expect(!transcript.verify(decodeHex(auth.connectorProof), from: .connector, secret: wrong))
  }
}
