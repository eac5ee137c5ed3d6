import ChatProtocol
import NIOCore
import Testing

@Suite("Session machine: hello, auth, messages, goodbye")
struct SessionMachineTests {
  @Test func matchingSecretsAuthenticateBothSides() throws {
    var pair = MachinePair(connectorSecret: "s3cret", listenerSecret: "s3cret")
    pair.start()
    #expect(pair.connectorReports.authStatus == .authenticated)
    #expect(pair.listenerReports.authStatus == .authenticated)
    #expect(pair.connector.isEstablished && pair.listener.isEstablished)
    #expect(
      pair.connectorReports.contains(
        .established(
          PeerIdentity(
            name: "alice", capabilities: [Capability.room, Capability.resume],
            maximumPayloadLength: FrameHeader.defaultMaximumPayloadLength),
          .authenticated)) == false, "the report carries what the channel established")
    let security = try #require(pair.connectorReports.peer?.security, "the channel's security")
    #expect(security.secretProved && security.cipher == .chaChaPoly && security.trust == .unpinned)
    #expect(security.peerKey.count == 32 && security.localKey.count == 32 && security.peerKey != security.localKey)
    // The secret itself never crosses the wire.
    let wire = encode(pair.connectorSent + pair.listenerSent)
    #expect(!wire.containsSubsequence(Array("s3cret".utf8)))
  }

  @Test func differentSecretsFailOnBothSidesAndClose() throws {
    var pair = MachinePair(connectorSecret: "one", listenerSecret: "two")
    pair.start()
    let (connectorReason, listenerReason) = try #require(
      pair.authFailureReasons, "auth did not fail on both sides: \(pair.connectorReports) / \(pair.listenerReports)")
    #expect(connectorReason.contains("secrets differ"))
    #expect(listenerReason.contains("secrets differ"))
    #expect(pair.connectorClosed && pair.listenerClosed)
    #expect(pair.connectorReports.authStatus == nil && pair.listenerReports.authStatus == nil)
  }

  @Test func secretOnTheListenerOnlyFailsOnBothSides() throws {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: "s3cret")
    pair.start()
    let (connectorReason, listenerReason) = try #require(pair.authFailureReasons, "auth failure on both sides")
    #expect(connectorReason.contains("alice requires a shared secret"))
    #expect(!connectorReason.contains("CHAT_SECRET"), "the protocol does not speak of command-line options")
    #expect(listenerReason.contains("bob has no shared secret"))
  }

  @Test func secretOnTheConnectorOnlyFailsOnBothSides() throws {
    var pair = MachinePair(connectorSecret: "s3cret", listenerSecret: nil)
    pair.start()
    let (connectorReason, listenerReason) = try #require(pair.authFailureReasons, "auth failure on both sides")
    #expect(connectorReason.contains("alice has no shared secret"))
    #expect(listenerReason.contains("bob requires a shared secret"))
  }

  @Test func noSecretsMeansUnauthenticatedOnBothSides() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    #expect(pair.connectorReports.authStatus == .unauthenticated)
    #expect(pair.listenerReports.authStatus == .unauthenticated)
    #expect(!pair.connectorSent.contains { $0.type == .cpace }, "no CPace without a secret")
    #expect(pair.connectorSent.contains { $0.type == .noise }, "always Noise")
  }

  @Test func aReplayedHandshakeFromAnEarlierConnectionIsRejected() {
    // Record everything the connector sent on one authenticated connection...
    var first = MachinePair(connectorSecret: "s3cret", listenerSecret: "s3cret")
    first.start()
    let recorded = first.connectorSent.filter { [.hello, .cpace, .noise].contains($0.type) }
    #expect(recorded.map(\.type) == [.hello, .cpace, .noise, .noise])

    // ...and replay it, byte for byte, to a fresh listener: its nonce, CPace share and
    // ephemeral key are new, so the recorded final message no longer authenticates.
    var listener = SessionMachine(
      configuration: .init(role: .listener, name: "alice", secret: SharedSecret(bytes: "s3cret".utf8)),
      nonce: randomNonce()
    )
    _ = listener.start()
    var actions: [SessionAction] = []
    for frame in recorded { actions += listener.receive(frame, now: 0) }
    #expect(actions.contains(.close))
    // The first recorded Noise message was made for another prologue (the old nonces):
    // it does not authenticate, long before the secret comes into it.
    #expect(
      actions.contains {
        if case .send(.error(let report)) = $0 { report.code == .tampered } else { false }
      })
    #expect(!listener.isEstablished)
  }

  @Test func chatTextBeforeAuthIsRefused() throws {
    var listener = SessionMachine(
      configuration: .init(role: .listener, name: "alice", secret: SharedSecret(bytes: "s3cret".utf8)),
      nonce: randomNonce()
    )
    _ = listener.start()
    let actions = listener.receive(.text(TextMessage(sequence: 1, text: "sneaky")), now: 0)
    #expect(!actions.contains { if case .report(.messageReceived) = $0 { true } else { false } })
    #expect(actions.contains(.close))
    let report = try #require(actions.first?.sentFrame?.errorReport, "no error frame sent: \(actions)")
    #expect(report.code == .unexpectedFrame)
  }

  @Test func handshakeTimeoutEndsTheSessionWithAReason() {
    var machine = SessionMachine(
      configuration: .init(role: .listener, name: "alice", secret: nil), nonce: randomNonce())
    _ = machine.start()
    let actions = machine.handshakeDeadlinePassed(limit: "10 s")
    #expect(
      actions.first
        == .send(.error(ErrorReport(code: .handshakeTimeout, message: "hello and auth did not finish within 10 s"))))
    #expect(actions.contains(.report(.ended(.failed(.handshakeTimeout, "hello and auth did not finish within 10 s")))))
    #expect(actions.last == .close)
    // Once established, the deadline is moot.
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    #expect(pair.listener.handshakeDeadlinePassed(limit: "10 s").isEmpty)
  }

  @Test func versionMismatchIsClearOnBothSides() throws {
    // A version-3 peer: only the version field is fixed across versions.
    var machine = SessionMachine(configuration: .init(role: .connector, name: "bob", secret: nil), nonce: randomNonce())
    _ = machine.start()
    var decoder = FrameDecoder()
    var buffer = ByteBuffer(bytes: [0, 0, 0, 4, 0x01, 0, 3, 0, 0] as [UInt8])
    let error = try #require(throws: FrameError.self, "a version-3 hello decoded") { try decoder.decode(&buffer) }
    let failed = machine.decodingFailed(error)
    let report = try #require(failed.first?.sentFrame?.errorReport, "unexpected actions \(failed)")
    let end = try #require(failed.dropFirst().first?.report?.end, "unexpected actions \(failed)")
    #expect(report.code == .unsupportedVersion)
    #expect(report.message.contains("version 3") && report.message.contains("version 2"))
    #expect(end.description.hasPrefix("incompatible peer"))
    // And the side that receives the error frame reports it too.
    var peer = SessionMachine(configuration: .init(role: .listener, name: "alice", secret: nil), nonce: randomNonce())
    _ = peer.start()
    let actions = peer.receive(
      .error(
        ErrorReport(
          code: .unsupportedVersion, message: "peer speaks chat protocol version 1; this program speaks version 2")),
      now: 0)
    let (code, reason) = try #require(actions.first?.report?.end?.failure, "unexpected actions \(actions)")
    #expect(code == .unsupportedVersion)
    #expect(reason.contains("unsupported protocol version"))
  }

  @Test func messagesFlowBothWaysWithByteCounts() {
    var pair = MachinePair(connectorSecret: "k", listenerSecret: "k")
    pair.start()
    pair.run(connector: pair.connector.send(text: "你好"), listener: pair.listener.send(text: "hi"))
    #expect(pair.listenerReports.received == ["你好"])
    #expect(pair.connectorReports.received == ["hi"])
    // The text's 6 bytes of UTF-8 on both sides; the wire adds the 8-byte number and the
    // 5-byte header.
    #expect(
      pair.connectorReports.contains(
        .messageSent(TextMessage(sequence: 1, text: "你好"), textBytes: 6, wireBytes: 19)))
    #expect(
      pair.listenerReports.contains(
        .messageReceived(TextMessage(sequence: 1, text: "你好"), from: "bob", textBytes: 6, wireBytes: 19)))
  }

  @Test func messagesSentDuringTheHandshakeGoOutInOrderAfterIt() {
    var pair = MachinePair(connectorSecret: "k", listenerSecret: "k")
    let early = pair.connector.start() + pair.connector.send(text: "one") + pair.connector.send(text: "two")
    #expect(!early.contains { if case .send(.text) = $0 { true } else { false } })
    pair.run(connector: early, listener: pair.listener.start())
    #expect(pair.listenerReports.received == ["one", "two"])
  }

  @Test func aMessageTooLargeForThePeerIsRefusedHereNotLost() throws {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    let big = String(repeating: "x", count: FrameHeader.defaultMaximumPayloadLength)
    let actions = pair.connector.send(text: big)
    #expect(actions.count == 1, "one report, nothing sent: \(actions)")
    let report = try #require(actions.first?.report, "unexpected actions for an oversize message")
    #expect(report.notSent?.text == big)
    #expect(report.notSent?.reason.contains("accepts at most") == true)
  }

  @Test func duplicatesAreDroppedAndGapsAreErrors() throws {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    let first = pair.listenerReceives(.text(TextMessage(sequence: 1, text: "a")), now: 0)
    #expect(first.count == 1)
    #expect(pair.listenerReceives(.text(TextMessage(sequence: 1, text: "a")), now: 0).isEmpty)
    let gap = pair.listenerReceives(.text(TextMessage(sequence: 5, text: "e")), now: 0)
    #expect(gap.contains(.close))
    let report = try #require(gap.first?.sentFrame?.errorReport, "no error for a gap: \(gap)")
    #expect(report.code == .sequenceGap)
  }

  @Test func pingPongMeasuresTheRoundTrip() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    let ping = pair.connector.tick(now: 5_000)
    #expect(ping == [.send(.ping(5_000))])
    #expect(pair.connector.tick(now: 6_000).isEmpty, "one probe at a time")
    let pong = pair.listenerReceives(.ping(5_000), now: 0)
    #expect(pong == [.send(.pong(5_000))])
    #expect(pair.connectorReceives(.pong(4_000), now: 7_500).isEmpty, "a pong for no ping is ignored")
    #expect(pair.connectorReceives(.pong(5_000), now: 7_500) == [.report(.roundTrip(nanoseconds: 2_500))])
  }

  @Test func goodbyeIsOrderlyOnBothSides() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    let bye = Goodbye(code: .userQuit, reason: "end of input")
    pair.run(connector: pair.connector.close(bye), listener: [])
    #expect(pair.connectorReports.end == .localClose(bye))
    #expect(pair.listenerReports.end == .peerClosed(bye))
    #expect(pair.connectorReports.end?.isOrderly == true && pair.listenerReports.end?.isOrderly == true)
    #expect(pair.connector.send(text: "late") == [.report(.messageNotSent("late", reason: "the session has ended"))])
  }

  @Test func transportLossIsReportedOnceAndPendingMessagesAreNamed() {
    var machine = SessionMachine(configuration: .init(role: .connector, name: "bob", secret: nil), nonce: randomNonce())
    _ = machine.start()
    _ = machine.send(text: "unsent")
    let actions = machine.transportClosed(reason: "connection reset by peer")
    #expect(
      actions == [
        .report(.ended(.connectionLost("connection reset by peer"))),
        .report(.messageNotSent("unsent", reason: "the connection was lost: connection reset by peer")),
      ])
    #expect(machine.transportClosed(reason: "again").isEmpty)
  }

  @Test func aBadPeerNameIsAProtocolError() {
    var machine = SessionMachine(
      configuration: .init(role: .listener, name: "alice", secret: nil), nonce: randomNonce())
    _ = machine.start()
    let hello = Hello(offersAuth: false, maximumPayloadLength: 1024, nonce: randomNonce(), name: "bad\u{7}name")
    let actions = machine.receive(.hello(hello), now: 0)
    #expect(actions.contains(.close))
    #expect(!machine.isEstablished)
  }
  @Test func roomTextIsNumberedRoomWideAndDuplicatesAreDropped() {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil)
    pair.start()
    #expect(pair.connector.supportsRoom)
    // A member joining late starts wherever the room is: 41, then 42.
    let first = pair.connectorReceives(.roomText(RoomText(sequence: 41, sender: "ann", text: "hi")), now: 0)
    #expect(
      first == [
        .report(
          .messageReceived(
            TextMessage(sequence: 41, text: "hi"), from: "ann", textBytes: 2, wireBytes: 5 + 8 + 1 + 3 + 2))
      ])
    #expect(pair.connectorReceives(.roomText(RoomText(sequence: 41, sender: "ann", text: "hi")), now: 0).isEmpty)
    #expect(pair.connectorReceives(.roomText(RoomText(sequence: 42, sender: "bo", text: "yo")), now: 0).count == 1)
  }

  @Test func aPeerWithoutTheRoomCapabilityGetsTextLines() throws {
    var pair = MachinePair(connectorSecret: nil, listenerSecret: nil, connectorCapabilities: [])
    pair.start()
    var listener = pair.listener
    #expect(!listener.supportsRoom)
    #expect(listener.relay("hi", from: "ann") == [.send(.text(TextMessage(sequence: 1, text: "ann: hi")))])
    let joined = listener.announce(RoomEvent(kind: .joined, participantCount: 2, name: "bo", detail: "1.2.3.4:5"))
    #expect(joined == [.send(.text(TextMessage(sequence: 2, text: "* bo joined (1.2.3.4:5)")))])
    #expect(listener.announce(RoomEvent(kind: .welcome, participantCount: 2, name: "old", detail: "")).isEmpty)
  }
}

extension Array where Element: Equatable {
  func containsSubsequence(_ needle: [Element]) -> Bool {
    guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
    return (0...(count - needle.count)).contains { Array(self[$0..<$0 + needle.count]) == needle }
  }
}
