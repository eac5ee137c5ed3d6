import ChatProtocol
import NIOCore
import Testing

/// The machine's part in a relay: receipts for what the room passed on, pacing, the
/// handshake's small frames, and which frames flow which way.
@Suite("Session machine on a relay")
struct RelaySideTests {
  private let second: UInt64 = 1_000_000_000

  @Test func aRelayConfirmsOnlyWhatTheRoomPassedOn() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil, relay: true)
    pair.start()
    pair.run(connector: pair.connector.send(text: "one") + pair.connector.send(text: "two"), listener: [])
    #expect(pair.listenerReports.received == ["one", "two"])
    #expect(pair.listener.acknowledge().isEmpty, "received is not relayed: no receipt yet")
    pair.listener.relayed(through: 1)
    pair.run(connector: [], listener: pair.listener.acknowledge())
    #expect(pair.connectorReports.contains(.delivered([1])))
    #expect(!pair.connectorReports.contains(.delivered([2])))
    pair.listener.relayed(through: 5)
    #expect(pair.listener.lastRelayedSequence == 1, "nothing beyond what arrived can be confirmed")
    pair.listener.relayed(through: 2)
    pair.run(connector: [], listener: pair.listener.acknowledge())
    #expect(pair.connectorReports.contains(.delivered([2])))
  }

  @Test func aPausedPeerIsNotDeclaredDeadForOurSilence() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil, relay: true)
    pair.start()
    _ = pair.listener.tick(now: 0)
    pair.listener.readingPaused(for: .pacing)
    let later = pair.listener.tick(now: 100 * second)
    #expect(!later.contains(.close), "the silence was ours")
    #expect(!later.contains { if case .report(.peerSilent) = $0 { true } else { false } })
    pair.listener.readingResumed(for: .pacing, now: 100 * second)
    #expect(!pair.listener.tick(now: 110 * second).contains(.close))
    #expect(pair.listener.tick(now: 131 * second).contains(.close), "silence after reading again counts")
  }

  @Test func beforeTheHandshakeOnlySmallFramesAreAccepted() {
    var pair = MachinePair(connectorSecret: "s", listenerSecret: "s")
    #expect(pair.listener.acceptedPayloadLength == SessionMachine.handshakeFrameLimit)
    pair.start()
    #expect(
      pair.listener.acceptedPayloadLength == FrameHeader.defaultMaximumPayloadLength + SessionMachine.recordExpansion)
    #expect(pair.connector.peerMaximumPayloadLength == FrameHeader.defaultMaximumPayloadLength)
    // The largest handshake frame fits well within the limit.
    let hello = Frame.hello(
      Hello(
        offersAuth: true, maximumPayloadLength: 1, nonce: randomNonce(),
        name: String(repeating: "n", count: Hello.maximumNameLength),
        capabilities: (0..<Hello.maximumCapabilityCount).map { _ in
          String(repeating: "c", count: Hello.maximumCapabilityLength)
        }))
    #expect(hello.payloadLength < SessionMachine.handshakeFrameLimit)
  }

  @Test func roomFramesFlowOnlyFromTheRelay() {
    for frame in [
      Frame.roomText(RoomText(sequence: 1, sender: "x", text: "forged")),
      Frame.roomEvent(RoomEvent(kind: .joined, participantCount: 2, name: "x", detail: "")),
    ] {
      var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
      pair.start()
      let actions = pair.listenerReceives(frame, now: 0)
      #expect(actions.contains(.close), "\(frame.type) from a client")
      #expect(
        actions.contains { if case .send(.error(let report)) = $0 { report.code == .unexpectedFrame } else { false } })
    }
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    #expect(pair.connectorReceives(.whoRequest, now: 0).contains(.close), "WHO goes to the relay, not from it")
  }

  @Test func resumeWithoutRoomGetsNoReceiptsOrSessions() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil, connectorCapabilities: [Capability.resume])
    pair.start()
    #expect(pair.connector.isEstablished && pair.listener.isEstablished)
    #expect(!pair.connector.usesReceipts && !pair.listener.usesReceipts)
    #expect(!pair.connectorSent.contains { $0.type == .session })
  }

  @Test func anAbortConfirmsWhatArrivedFirst() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    pair.run(connector: pair.connector.send(text: "one"), listener: [])
    let actions = pair.listener.abort(FrameError(.tooSlow, "too slow"))
    let sent = actions.compactMap { if case .send(let frame) = $0 { frame } else { nil } }
    #expect(sent.map(\.type) == [.ack, .error], "the receipt goes before the error")
  }
}
