import ChatProtocol
import NIOCore
import Testing

/// A connector with a secret that has sent its proof (Noise msg3, keyed by CPace) and not yet
/// seen the listener's: whatever ends the connection then is an auth failure, never a reason
/// to come back (each proof gives a fake listener one guess of the secret).
@Suite("The window between the connector's proof and the listener's")
struct UnprovenListenerTests {
  /// Runs the handshake until the connector has sent msg3, delivering nothing after it.
  func connectorAfterItsProof(secret: String?) -> SessionMachine {
    var connector = SessionMachine(
      configuration: .init(role: .connector, name: "bob", secret: secret.flatMap { SharedSecret(bytes: $0.utf8) }),
      nonce: randomNonce())
    var listener = SessionMachine(
      configuration: .init(
        role: .listener, name: "mallory", secret: secret.flatMap { SharedSecret(bytes: ("guess " + $0).utf8) }),
      nonce: randomNonce())
    var toListener = connector.start().compactMap(\.sentFrame)
    var toConnector = listener.start().compactMap(\.sentFrame)
    var proofSent = false
    for _ in 0..<10 where !proofSent {
      let forConnector = toConnector
      toConnector = []
      for frame in forConnector {
        let actions = connector.receive(roundTrip(frame), now: 0)
        toListener += actions.compactMap(\.sentFrame)
        if actions.contains(where: { if case .beginSealing = $0 { true } else { false } }) { proofSent = true }
      }
      guard !proofSent else { break }
      let forListener = toListener
      toListener = []
      for frame in forListener { toConnector += listener.receive(roundTrip(frame), now: 0).compactMap(\.sentFrame) }
    }
    #expect(proofSent, "the connector sent its last handshake message")
    return connector
  }

  func roundTrip(_ frame: Frame) -> Frame {
    var buffer = frame.encoded()
    var decoder = FrameDecoder()
    return try! decoder.decode(&buffer)!
  }

  @Test func aHangUpAfterTheProofIsAnAuthFailureNotARetry() throws {
    var connector = connectorAfterItsProof(secret: "hunter2")
    let actions = connector.transportClosed(reason: "connection reset by peer")
    let end = try #require(actions.compactMap(\.report).compactMap(\.end).first)
    guard case .authFailed(let reason) = end else {
      Issue.record("not an auth failure: \(end)")
      return
    }
    #expect(reason.contains("did not prove it knows the shared secret"))
    #expect(!end.isWorthReconnecting)
  }

  @Test func aBusyErrorOrATimeoutInTheWindowIsOneToo() throws {
    var busy = connectorAfterItsProof(secret: "hunter2")
    let refused = busy.receive(.error(ErrorReport(code: .busy, message: "full")), now: 0)
    #expect(refused.compactMap(\.report).compactMap(\.end).first?.isWorthReconnecting == false)
    var slow = connectorAfterItsProof(secret: "hunter2")
    let timedOut = slow.handshakeDeadlinePassed(limit: "10 s")
    #expect(timedOut.compactMap(\.report).compactMap(\.end).first?.isWorthReconnecting == false)
  }

  @Test func withoutASecretThereIsNothingToGuessAndADropIsADrop() throws {
    var connector = connectorAfterItsProof(secret: nil)
    let end = try #require(
      connector.transportClosed(reason: "connection reset by peer").compactMap(\.report).compactMap(\.end).first)
    #expect(end == .connectionLost("connection reset by peer"))
    #expect(end.isWorthReconnecting)
  }
}
