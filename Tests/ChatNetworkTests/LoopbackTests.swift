import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
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
    try await listenerLog.first("bob joined") { $0.isRoom(.joined, "bob") }
    connector.send("你好, alice")
    let received = try await listenerLog.first("bob's message") { $0.receivedFrom == "bob" }
    // The same 13 bytes of text on both sides. The host's copy is the room's frame:
    // header, number, sender's name (5 + 8 + 1 + 3 + 13 bytes); bob's, a TEXT frame (5 + 8 + 13).
    #expect(
      received
        == .messageReceived(
          from: "bob", message: TextMessage(sequence: 1, text: "你好, alice"), textBytes: 13, wireBytes: 30))
    let sent = try await connectorLog.first("bob's sent report") { if case .messageSent = $0 { true } else { false } }
    #expect(sent == .messageSent(message: TextMessage(sequence: 1, text: "你好, alice"), textBytes: 13, wireBytes: 26))
    listener.send("hi bob 👋")
    let reply = try await connectorLog.first("alice's message") { $0.receivedFrom == "alice" }
    #expect(reply.receivedText == "hi bob 👋")
    let events = await connectorLog.entries
    #expect(
      events.contains { if case .established(let peer, .authenticated, _) = $0 { peer.name == "alice" } else { false } }
    )
    await connector.close(Goodbye(code: .userQuit, reason: "done"))
    let left = try await listenerLog.first("bob leaving") { $0.isRoom(.left, "bob") }
    #expect(left.roomEvent?.detail == "done")
    #expect(left.roomEvent?.participantCount == 1)
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func twoHundredBackToBackMessagesArriveSeparatelyAndInOrder() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice"))
    let (connector, _) = connect(to: listener, SessionOptions(name: "bob"))
    let expected = (1...200).map { "message \($0) 消息" }
    for text in expected { connector.send(text) }  // sent before the handshake is even done
    let events = try await listenerLog.wait("200 messages") { events, _ in
      events.filter { $0.receivedFrom == "bob" }.count >= 200
    }
    #expect(events.filter { $0.receivedFrom == "bob" }.compactMap(\.receivedText) == expected)
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func everyoneSeesEveryMessageInTheSameOrder() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"))
    var clients: [(ChatConnector, AwaitableLog<SessionEvent>)] = []
    for name in ["ann", "ben", "cat"] {
      let client = connect(to: listener, SessionOptions(name: name))
      try await client.1.first("\(name) welcomed") { $0.roomEvent?.kind == .welcome }
      clients.append(client)
    }
    // Everyone talks at once: 40 messages each from three clients and the host.
    for index in 1...40 {
      for (client, _) in clients { client.send("m\(index)") }
      listener.send("h\(index)")
    }
    let total = 4 * 40
    func stream(_ log: AwaitableLog<SessionEvent>) async throws -> [String] {
      let events = try await log.wait("\(total) messages") { events, _ in
        events.filter { $0.receivedFrom != nil }.count >= total
      }
      return events.compactMap { event in
        if case .messageReceived(let from, let message, _, _) = event { return "\(from):\(message.text)" }
        return nil
      }
    }
    let hostStream = try await stream(hostLog)
    #expect(hostStream.count == total)
    for (_, log) in clients {
      let clientStream = try await stream(log)
      #expect(clientStream == hostStream, "a client saw another order than the host")
    }
    // Each sender's messages keep their order, and nothing was merged or lost.
    for sender in ["ann", "ben", "cat"] {
      #expect(hostStream.filter { $0.hasPrefix("\(sender):") } == (1...40).map { "\(sender):m\($0)" })
    }
    #expect(hostStream.filter { $0.hasPrefix("host:") } == (1...40).map { "host:h\($0)" })
    for (client, _) in clients { await client.close(Goodbye(code: .userQuit, reason: "")) }
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aTakenNameGetsASuffixAndIsToldSo() async throws {
    let (listener, _) = try await startListener(SessionOptions(name: "alice"))
    let (first, firstLog) = connect(to: listener, SessionOptions(name: "bob"))
    try await firstLog.first("first bob welcomed") { $0.roomEvent?.kind == .welcome }
    let (second, secondLog) = connect(to: listener, SessionOptions(name: "Bob"))
    let welcome = try await secondLog.first("second bob welcomed") { $0.roomEvent?.kind == .welcome }
    #expect(welcome.roomEvent?.name == "Bob-2")
    #expect(welcome.roomEvent?.detail.contains("Bob was taken") == true)
    second.send("hello")
    let seen = try await firstLog.first("message from Bob-2") { $0.receivedFrom == "Bob-2" }
    #expect(seen.receivedText == "hello")
    await first.close(Goodbye(code: .userQuit, reason: ""))
    await second.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func whoListsEveryParticipantWithAddressAuthAndCounters() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice", secret: secret("k")))
    let (bob, bobLog) = connect(to: listener, SessionOptions(name: "bob", secret: secret("k")))
    try await bobLog.first("welcome") { $0.roomEvent?.kind == .welcome }
    bob.send("one")
    try await hostLog.first("bob's message") { $0.receivedFrom == "bob" }
    bob.who()
    let lines = try await bobLog.wait("two who lines") { events, _ in
      events.filter { $0.roomEvent?.kind == .who }.count >= 2
    }.compactMap { $0.roomEvent?.kind == .who ? $0.roomEvent : nil }
    #expect(lines.map(\.name) == ["alice", "bob"])
    #expect(!lines[1].detail.contains("127.0.0.1:"), "members don't see each other's addresses")
    #expect(lines[1].detail.contains("authenticated"))
    #expect(lines[1].detail.contains("since "))
    #expect(lines[1].detail.contains("sent 1 (3 B)"), "three bytes of text: 'one'")
    listener.who()
    let hostLine = try await hostLog.first("host's who") { $0.roomEvent?.kind == .who && $0.roomEvent?.name == "bob" }
    #expect(hostLine.roomEvent?.detail.hasPrefix("127.0.0.1:") == true, "the host does")
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A fast scripted sender over the rate is paced, never refused or dropped: every line
  /// gets through, in order, each confirmed; the relay just reads it more slowly, and the
  /// others' messages are not held up behind it.
  @Test func aFastSenderIsPacedWhileOthersCarryOn() async throws {
    var limits = RoomLimits()
    limits.messagesPerSecond = 200
    limits.messageBurst = 20
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: limits)
    let (fast, fastLog) = connect(to: listener, SessionOptions(name: "fast"))
    let (calm, calmLog) = connect(to: listener, SessionOptions(name: "calm"))
    try await fastLog.first("fast welcomed") { $0.roomEvent?.kind == .welcome }
    try await calmLog.first("calm welcomed") { $0.roomEvent?.kind == .welcome }
    let count = 300
    for index in 1...count { fast.send("line \(index)") }
    try await calmLog.first("some of fast's lines") { $0.receivedFrom == "fast" }
    calm.send("not held up")
    let calmEvents = try await calmLog.wait("all of fast's lines") { events, _ in
      events.filter { $0.receivedFrom == "fast" }.count >= count
    }
    #expect(
      calmEvents.filter { $0.receivedFrom == "fast" }.compactMap(\.receivedText) == (1...count).map { "line \($0)" })
    // calm's message went in while fast was still being paced, not after all 300.
    let fastTexts = calmEvents.compactMap { event -> String? in
      guard let from = event.receivedFrom else { return nil }
      return from == "calm" ? "calm" : (from == "fast" ? "fast" : nil)
    }
    let calmPosition = try #require(fastTexts.firstIndex(of: "calm"))
    #expect(calmPosition < count, "calm's message waited behind the paced sender")
    let delivered = try await fastLog.wait("every line confirmed") { events, _ in
      events.deliveredSequences.count >= count
    }
    #expect(delivered.deliveredSequences == Array(1...UInt64(count)))
    let fastEvents = await fastLog.entries
    #expect(!fastEvents.contains { $0.end != nil }, "fast was not disconnected")
    #expect(!fastEvents.contains { if case .notDelivered = $0 { true } else { false } }, "nothing was refused")
    #expect(!(await hostLog.entries).contains { $0.isRoom(.left, "fast") })
    await fast.close(Goodbye(code: .userQuit, reason: ""))
    await calm.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func connectionsPerAddressAreLimited() async throws {
    var limits = RoomLimits()
    limits.maximumConnectionsPerAddress = 2
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: limits)
    let (one, oneLog) = connect(to: listener, SessionOptions(name: "one"))
    let (two, twoLog) = connect(to: listener, SessionOptions(name: "two"))
    try await oneLog.first("one in") { $0.roomEvent?.kind == .welcome }
    try await twoLog.first("two in") { $0.roomEvent?.kind == .welcome }
    let (_, threeLog) = connect(to: listener, SessionOptions(name: "three"))
    let end = try await threeLog.first("three refused") { $0.end != nil }
    let (code, reason) = try #require(end.end?.failure, "expected busy, got \(end)")
    #expect(code == .busy)
    #expect(reason.contains("too many connections from 127.0.0.1"))
    try await hostLog.first("refusal logged") { $0.refusal?.contains("too many connections") == true }
    await one.close(Goodbye(code: .userQuit, reason: ""))
    await two.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func wrongSecretsAreRefusedThenThrottledWhileTheRoomGoesOn() async throws {
    var limits = RoomLimits()
    limits.authFailuresAllowed = 2
    // A first wait far longer than the test, so the late client always meets it.
    limits.authFailureFirstWait = 60
    let (listener, hostLog) = try await startListener(
      SessionOptions(name: "alice", secret: secret("right")), limits: limits)
    let (member, memberLog) = connect(to: listener, SessionOptions(name: "member", secret: secret("right")))
    try await memberLog.first("member in") { $0.roomEvent?.kind == .welcome }
    for attempt in 1...2 {
      let (_, badLog) = connect(to: listener, SessionOptions(name: "mallory", secret: secret("wrong")))
      let end = try await badLog.first("auth failure \(attempt)") { $0.end != nil }
      let reason = try #require(end.end?.authFailure, "expected auth failure, got \(end)")
      #expect(reason.contains("secrets differ"))
      try await hostLog.wait("refusal \(attempt) reported") { events, _ in
        events.filter { $0.refusal?.contains("auth failed") == true }.count >= attempt
      }
    }
    // Now even the right secret is turned away from that address for a while...
    let (_, blockedLog) = connect(to: listener, SessionOptions(name: "late", secret: secret("right")))
    let blocked = try await blockedLog.first("throttled") { $0.end != nil }
    let (code, reason) = try #require(blocked.end?.failure, "expected auth throttling, got \(blocked)")
    #expect(code == .authThrottled)
    #expect(reason.contains("too many failed authentications"))
    // ...while the member already in the room is undisturbed.
    member.send("still here")
    try await hostLog.first("member's message") { $0.receivedText == "still here" }
    await member.close(Goodbye(code: .userQuit, reason: ""))
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
    let refusal = try await listenerLog.first("timeout reported") { $0.refusal != nil }
    #expect(refusal.refusal == "hello and auth did not finish within 300 ms")
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func anHTTPRequestGetsAClearErrorAndTheListenerCarriesOn() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice"))
    let client = try await RawClient(port: listener.port)
    try await client.send(Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
    let frames = try await client.framesUntilClosed()
    let report = try #require(frames.last?.errorReport, "no error frame for HTTP: \(frames)")
    #expect(report.code == .notChatProtocol)
    #expect(report.message.contains("HTTP"))
    try await listenerLog.first("refusal") { $0.refusal?.contains("HTTP") == true }
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
      reconnect: .never,
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
        hostName: "again",
        group: MultiThreadedEventLoopGroup.singleton
      )
      Issue.record("a second listener bound the same port")
    } catch {
      #expect(error.description.hasPrefix("address already in use"))
    }
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aPeerThatVanishesWithoutGoodbyeLeavesWithTheReason() async throws {
    let (listener, listenerLog) = try await startListener(SessionOptions(name: "alice"))
    let client = try await RawClient(port: listener.port)
    try await client.sendHello(name: "ghost")
    try await listenerLog.first("ghost joined") { $0.isRoom(.joined, "ghost") }
    try await client.channel.close()
    let left = try await listenerLog.first("ghost gone") { $0.isRoom(.left, "ghost") }
    let reason = left.roomEvent?.detail ?? ""
    // A close with unread bytes (say, our ping) is a reset; otherwise it's a plain EOF.
    #expect(reason == "connection reset by peer" || reason.contains("without saying goodbye"), "\(reason)")
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func closingTheRoomSaysGoodbyeToEveryClient() async throws {
    let (listener, _) = try await startListener(SessionOptions(name: "relay"), host: false)
    var logs: [AwaitableLog<SessionEvent>] = []
    for name in ["a", "b", "c"] {
      let (_, log) = connect(to: listener, SessionOptions(name: name))
      try await log.first("\(name) in") { $0.roomEvent?.kind == .welcome }
      logs.append(log)
    }
    await listener.close(Goodbye(code: .shuttingDown, reason: "the relay is shutting down"))
    for log in logs {
      let end = try await log.first("goodbye") { $0.end != nil }
      #expect(end.end == .peerClosed(Goodbye(code: .shuttingDown, reason: "the relay is shutting down")))
    }
  }

  /// When the host leaves, its members are told the room is closed, by whom, and why.
  @Test func theHostLeavingClosesTheRoomInSoManyWords() async throws {
    let (listener, _) = try await startListener(SessionOptions(name: "alice"))
    let (_, log) = connect(to: listener, SessionOptions(name: "bob"))
    try await log.first("bob in") { $0.roomEvent?.kind == .welcome }
    await listener.close(Goodbye(code: .userQuit, reason: "quit"))
    let end = try await log.first("goodbye") { $0.end != nil }
    #expect(end.end == .peerClosed(Goodbye(code: .userQuit, reason: "alice (host) closed the room")))
  }
}
