import ChatProtocol
import ChatSession
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("Listener and connector over loopback")
struct LoopbackTests {
  @Test func authenticatedConversationBothWaysWithByteCounts() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice", secret: secret("k")))
    let (connector, connectorLog) = connect(to: listener, SessionOptions(name: "bob", secret: secret("k")))
    try await connectorLog.first("established") { $0.isEstablished }
    connector.send("你好, alice")
    listener.send("hi bob 👋")
    let received = try await listenerLog.first("bob's message") { $0.receivedText != nil }
    #expect(
      received
        == .messageReceived(
          from: "bob", message: TextMessage(sequence: 1, text: "你好, alice"), payloadBytes: 8 + 13, wireBytes: 5 + 8 + 13
        ))
    let reply = try await connectorLog.first("alice's message") { $0.receivedText != nil }
    #expect(reply.receivedText == "hi bob 👋")
    let events = await connectorLog.entries
    #expect(
      events.contains { if case .established(let peer, .authenticated, _) = $0 { peer.name == "alice" } else { false } }
    )
    await connector.close(Goodbye(code: .userQuit, reason: "done"))
    let left = try await listenerLog.first("bob leaving") { $0.end != nil }
    #expect(left.end == .peerClosed(Goodbye(code: .userQuit, reason: "done")))
    try await listenerLog.wait("listening again") { events, _ in events.last?.isListening == true }
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func twoHundredBackToBackMessagesArriveSeparatelyAndInOrder() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice"))
    let (connector, _) = connect(to: listener, SessionOptions(name: "bob"))
    let expected = (1...200).map { "message \($0) 消息" }
    for text in expected { connector.send(text) }  // sent before the handshake is even done
    let events = try await listenerLog.wait("200 messages") { events, _ in
      events.filter { $0.receivedText != nil }.count >= 200
    }
    #expect(events.compactMap(\.receivedText) == expected)
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func wrongSecretIsRefusedAndTheListenerServesTheNextClient() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice", secret: secret("right")))
    let (_, badLog) = connect(to: listener, SessionOptions(name: "mallory", secret: secret("wrong")))
    let badEnd = try await badLog.first("auth failure") { $0.end != nil }
    guard case .authFailed(let reason)? = badEnd.end else {
      Issue.record("expected auth failure, got \(badEnd)")
      return
    }
    #expect(reason.contains("secrets differ"))
    try await badLog.waitForFinish()
    let listenerEnd = try await listenerLog.first("listener-side auth failure") { $0.end != nil }
    guard case .authFailed? = listenerEnd.end else {
      Issue.record("listener did not report auth failure: \(listenerEnd)")
      return
    }
    let (good, goodLog) = connect(to: listener, SessionOptions(name: "bob", secret: secret("right")))
    try await goodLog.first("established after a failed client") { $0.isEstablished }
    await good.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aSecondClientIsToldTheListenerIsBusy() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice"))
    let (first, firstLog) = connect(to: listener, SessionOptions(name: "bob"))
    try await firstLog.first("first client established") { $0.isEstablished }
    let (_, secondLog) = connect(to: listener, SessionOptions(name: "carol"))
    let refused = try await secondLog.first("busy refusal") { $0.end != nil }
    guard case .failed(.busy, let reason)? = refused.end else {
      Issue.record("expected busy, got \(refused)")
      return
    }
    #expect(reason.contains("busy"))
    _ = try await listenerLog.first("refused event") { if case .refused = $0 { true } else { false } }
    // The first conversation is undisturbed.
    first.send("still here")
    let stillHere = try await listenerLog.first("message after refusal") { $0.receivedText != nil }
    #expect(stillHere.receivedText == "still here")
    await first.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aSilentPeerIsDroppedAtTheHandshakeDeadline() async throws {
    let options = SessionOptions(name: "alice", handshakeTimeout: .milliseconds(300))
    let (listener, listenerLog) = try await startListener(options)
    let client = try await RawClient(port: listener.port)
    let frames = try await client.framesUntilClosed()
    #expect(frames.first?.type == .hello)
    #expect(
      frames.last
        == .error(ErrorReport(code: .handshakeTimeout, message: "hello and auth did not finish within 300 ms")))
    let end = try await listenerLog.first("timeout reported") { $0.end != nil }
    #expect(end.end == .failed(.handshakeTimeout, "hello and auth did not finish within 300 ms"))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func anHTTPRequestGetsAClearErrorAndTheListenerCarriesOn() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice"))
    let client = try await RawClient(port: listener.port)
    try await client.send(Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
    let frames = try await client.framesUntilClosed()
    guard case .error(let report) = frames.last else {
      Issue.record("no error frame for HTTP: \(frames)")
      return
    }
    #expect(report.code == .notChatProtocol)
    #expect(report.message.contains("HTTP"))
    try await listenerLog.wait("listening again") { events, _ in events.last?.isListening == true }
    let (next, nextLog) = connect(to: listener, SessionOptions(name: "bob"))
    try await nextLog.first("a real client afterwards") { $0.isEstablished }
    await next.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func connectionRefusedIsOneClearLine() async throws {
    let closed = try ClosedPort()
    let port = closed.port
    let connector = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: port),
      options: SessionOptions(name: "bob"),
      group: MultiThreadedEventLoopGroup.singleton
    )
    let log = collect(connector)
    try await log.waitForFinish()
    let events = await log.entries
    #expect(events.contains(.failed("connection refused: nothing is listening on 127.0.0.1:\(port)")))
    withExtendedLifetime(closed) {}
  }

  @Test func aPortInUseIsReportedAsSuch() async throws {
    let (listener, _) = try await startListener(SessionOptions(name: "alice"))
    do {
      _ = try await ChatListener.start(
        on: HostAndPort(host: "127.0.0.1", port: listener.port),
        options: SessionOptions(name: "again"),
        group: MultiThreadedEventLoopGroup.singleton
      )
      Issue.record("a second listener bound the same port")
    } catch {
      #expect(error.description.hasPrefix("address already in use"))
    }
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aPeerThatVanishesWithoutGoodbyeIsReported() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice"))
    let client = try await RawClient(port: listener.port)
    var hello = ByteBuffer()
    Frame.hello(
      Hello(offersAuth: false, maximumPayloadLength: 1024, nonce: [UInt8](repeating: 1, count: 32), name: "ghost")
    )
    .encode(into: &hello)
    try await client.send(Array(hello.readableBytesView))
    try await listenerLog.first("ghost established") { $0.isEstablished }
    try await client.channel.close()
    let end = try await listenerLog.first("ghost gone") { $0.end != nil }
    guard case .connectionLost(let reason)? = end.end else {
      Issue.record("expected connection lost, got \(end)")
      return
    }
    // A close with unread bytes (say, our ping) is a reset; otherwise it's a plain EOF.
    #expect(reason == "connection reset by peer" || reason.contains("without saying goodbye"), "\(reason)")
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }
}
