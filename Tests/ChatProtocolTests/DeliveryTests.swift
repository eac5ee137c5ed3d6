import ChatProtocol
import NIOCore
import Testing

@Suite("Receipts, resume and the heartbeat")
struct DeliveryTests {
  private let second: UInt64 = 1_000_000_000

  @Test func receiptsConfirmWhatTheListenerReceived() {
    var pair = MachinePair(connectorSecret: "s", listenerSecret: "s")
    pair.start()
    #expect(pair.connector.usesReceipts && pair.listener.usesReceipts)
    #expect(pair.connectorReports.contains(.sessionStarted(pair.connector.conversation.sessionID, .new)))
    pair.run(connector: pair.connector.send(text: "one") + pair.connector.send(text: "二"), listener: [])
    #expect(pair.listenerReports.received == ["one", "二"])
    #expect(pair.connector.conversation.unacknowledged.count == 2)
    pair.run(connector: [], listener: pair.listener.acknowledge())
    #expect(pair.connectorReports.contains(.delivered([1, 2])))
    #expect(pair.connector.conversation.unacknowledged.isEmpty)
    #expect(pair.listener.acknowledge().isEmpty, "one receipt per batch")
  }

  @Test func aRefusedMessageIsNotDelivered() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    pair.run(connector: pair.connector.send(text: "spam"), listener: [])
    pair.run(connector: [], listener: pair.listener.refuse(sequence: 1, reason: "over the rate limit"))
    #expect(
      pair.connectorReports.contains(
        .notDelivered(TextMessage(sequence: 1, text: "spam"), reason: "refused: over the rate limit")))
    pair.run(connector: [], listener: pair.listener.acknowledge())
    #expect(!pair.connectorReports.contains { if case .delivered = $0 { true } else { false } })
  }

  @Test func anAckBeyondWhatWasSentIsAProtocolError() throws {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    let actions = pair.connectorReceives(.ack(7), now: 0)
    #expect(actions.contains(.close))
    let report = try #require(actions.first?.sentFrame?.errorReport, "no error frame: \(actions)")
    #expect(report.code == .malformedFrame)
  }

  @Test func aSessionFrameBeforeAuthIsUnexpected() {
    var listener = SessionMachine(
      configuration: .init(role: .listener, name: "relay", secret: SharedSecret(bytes: "s".utf8)), nonce: randomNonce())
    _ = listener.start()
    let hello = Hello(
      offersAuth: true, maximumPayloadLength: 1024, nonce: randomNonce(), name: "eve",
      capabilities: [Capability.room, Capability.resume])
    _ = listener.receive(.hello(hello), now: 0)
    let actions = listener.receive(.session(SessionRequest(sessionID: .none, lastReceived: 0)), now: 0)
    #expect(actions.contains(.close))
    #expect(!actions.contains { if case .report(.sessionRequested) = $0 { true } else { false } })
  }

  /// Sends three messages of which the listener only gets the first, then reconnects with
  /// the conversation the first connection left: the other two go again, exactly once.
  @Test func resumingResendsWhatWasNotAcknowledged() {
    var first = MachinePair(connectorSecret: "s", listenerSecret: "s")
    first.start()
    let sessionID = first.connector.conversation.sessionID
    var sent: [Frame] = []
    for text in ["a", "b", "c"] {
      for case .send(let frame) in first.connector.send(text: text) { sent.append(frame) }
    }
    _ = first.listenerReceives(sent[0], now: 0)
    let receivedBefore = first.listener.lastReceivedSequence
    #expect(receivedBefore == 1)
    #expect(
      first.connector.transportClosed(reason: "reset").allSatisfy {
        if case .report(.ended) = $0 { true } else { false }
      })
    let carried = first.connector.conversation
    #expect(carried.unacknowledged.map(\.text) == ["a", "b", "c"])

    var second = MachinePair(connectorSecret: "s", listenerSecret: "s", conversation: carried)
    second.acceptance = { request in
      #expect(request.sessionID == sessionID)
      return SessionAcceptance(sessionID: sessionID, resumed: true, lastReceived: receivedBefore)
    }
    // Messages typed while disconnected wait in the conversation and go after the resent ones.
    _ = second.connector.send(text: "d")
    second.start()
    #expect(second.connectorReports.contains(.delivered([1])))
    #expect(second.connectorReports.contains(.sessionStarted(sessionID, .resumed(resent: 2))))
    #expect(second.listenerReports.received == ["b", "c", "d"])
    #expect(
      second.connectorSent.compactMap { frame -> UInt64? in if case .text(let m) = frame { m.sequence } else { nil } }
        == [2, 3, 4])
  }

  @Test func aListenerThatForgotTheSessionStartsANewOne() {
    var first = MachinePair(connectorSecret: nil, listenerSecret: nil)
    first.start()
    _ = first.connector.send(text: "lost?")
    _ = first.connector.transportClosed(reason: "reset")
    var second = MachinePair(connectorSecret: nil, listenerSecret: nil, conversation: first.connector.conversation)
    let newID = SessionID(bytes: [UInt8](repeating: 9, count: 16))
    second.acceptance = { _ in SessionAcceptance(sessionID: newID, resumed: false, lastReceived: 0) }
    second.start()
    #expect(second.connectorReports.contains(.sessionStarted(newID, .replaced(unconfirmed: 1))))
    #expect(
      second.connectorReports.contains { report in
        if case .notDelivered(let message, let reason) = report {
          message.text == "lost?" && reason.contains("restart")
        } else {
          false
        }
      })
    // Numbering starts again: the new session's first message is number 1.
    second.run(connector: second.connector.send(text: "again"), listener: [])
    #expect(second.connectorSent.contains(.text(TextMessage(sequence: 1, text: "again"))))
    #expect(second.listenerReports.received == ["again"])
  }

  @Test func aSilentPeerIsReportedLateThenDeclaredDead() {
    let start: UInt64 = 100 * second
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.now = start
    pair.start()
    #expect(pair.connector.nextTick == start, "the first ping is due at once")
    #expect(pair.connector.tick(now: start) == [.send(.ping(start))])
    #expect(pair.connector.nextTick == start + 10 * second + 2 * second, "late after a ping interval and 2 s")
    #expect(pair.connector.tick(now: start + 5 * second).isEmpty)
    #expect(pair.connector.tick(now: start + 12 * second) == [.report(.peerSilent(nanoseconds: 12 * second))])
    #expect(pair.connector.nextTick == start + 13 * second, "once a second while late")
    // Heard again: responsive, and the pong gives the round trip.
    let heard = pair.connectorReceives(.pong(start), now: start + 12 * second + 1)
    #expect(heard.first == .report(.peerResponsive))
    #expect(pair.connector.tick(now: start + 22 * second + 1) == [.send(.ping(start + 22 * second + 1))])
    let dead = pair.connector.tick(now: start + 42 * second + 1)
    #expect(dead.contains(.report(.ended(.peerSilent("no answer from alice for 30 s: the connection is dead")))))
    #expect(dead.contains(.close))
    #expect(dead.contains { if case .send(.error(let report)) = $0 { report.code == .peerSilent } else { false } })
    #expect(pair.connector.nextTick == nil)
  }

  @Test func aMessageTypedAsTheConnectionDropsWaitsForTheNextOne() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    _ = pair.connector.transportClosed(reason: "reset")
    let actions = pair.connector.send(text: "just in time?")
    #expect(
      actions == [
        .report(.messagePending("just in time?", reason: "the connection dropped; it goes out on the next one"))
      ])
    #expect(pair.connector.conversation.queued == ["just in time?"])
  }

  @Test func receiptsAfterOurGoodbyeStillCount() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    pair.run(connector: pair.connector.send(text: "last words"), listener: [])
    _ = pair.connector.close(Goodbye(code: .userQuit, reason: "bye"))
    #expect(pair.connectorReceives(.ack(1), now: 0) == [.report(.delivered([1]))])
  }

  @Test func aWithoutResumePeerGetsNoReceiptFrames() throws {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil, connectorCapabilities: [Capability.room])
    pair.start()
    #expect(pair.listenerReports.contains { if case .established = $0 { true } else { false } })
    #expect(pair.connector.isEstablished, "the listener's first record (a ping) confirmed the keys")
    let text = try #require(pair.connector.send(text: "hi").first?.sentFrame, "the text goes out at once")
    _ = pair.listenerReceives(text, now: 0)
    #expect(pair.listener.acknowledge().isEmpty)
    #expect(!pair.listener.usesReceipts)
  }

}
