import ChatProtocol
import NIOCore
import Testing

/// An outer frame that does not decode is the peer's protocol error before the keys, and
/// tampering once every frame must be a SEALED record (PROTOCOL.md §3).
@Suite("Stream decoding failures before and after the keys")
struct StreamDecodingFailureTests {
  static let errors = [
    FrameError(.unknownFrameType, "unknown frame type 0x0f"),
    FrameError(.malformedFrame, "noise frame: a NOISE frame holds 32 to 4096 bytes, not 29"),
    FrameError(.frameTooLarge, "frame announces 2147483681 bytes of payload, more than the maximum of 1048597"),
  ]

  @Test(arguments: errors)
  func afterTheKeysItIsTampering(error: FrameError) throws {
    var pair = MachinePair(connectorSecret: "k", listenerSecret: "k")
    pair.start()
    #expect(pair.listener.isEstablished && pair.connector.isEstablished)
    for side in [\MachinePair.listener, \MachinePair.connector] {
      var machine = pair[keyPath: side]
      let actions = machine.streamDecodingFailed(error)
      let message = "the connection was tampered with: not a sealed record (\(error.message))"
      #expect(actions.first?.sentFrame == .error(ErrorReport(code: .tampered, message: message)))
      #expect(actions.compactMap(\.report?.end) == [.failed(.tampered, message)])
      #expect(actions.last?.isClose == true)
    }
  }

  @Test(arguments: errors)
  func beforeTheKeysTheCodeStands(error: FrameError) {
    var machine = SessionMachine(
      configuration: .init(role: .listener, name: "alice", secret: nil), nonce: randomNonce())
    _ = machine.start()
    let actions = machine.streamDecodingFailed(error)
    #expect(actions.first?.sentFrame == .error(ErrorReport(error)))
    #expect(actions.compactMap(\.report?.end) == [.failed(error.code, "protocol error from peer: \(error.message)")])
  }
}
