import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

/// The room survives its members: one that stops reading, leaves mid-broadcast, sends
/// what others can't take, or floods it, costs only itself.
@Suite("The room survives its members")
struct RoomSurvivalTests {
  /// Limits that let a test send as fast as it likes: rates play no part here.
  static var unlimited: RoomLimits {
    var limits = RoomLimits()
    limits.bytesPerSecond = 1e12
    limits.byteBurst = 1e12
    limits.messagesPerSecond = 1e9
    limits.messageBurst = 1e9
    return limits
  }

  /// A member that stops reading is dropped in the middle of a broadcast to every member
  /// (it joined first, so the others come after it in the room's list), whether it takes
  /// room frames or TEXT lines: the room goes on, and the reader behind it gets everything.
  @Test(arguments: [[Capability.room], []])
  func aMemberDroppedMidBroadcastDoesNotTakeTheRoomDown(capabilities: [String]) async throws {
    var limits = Self.unlimited
    limits.maximumQueuedBytes = 256 << 10
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: limits)
    let stalled = try await RawClient(port: listener.port, reading: false)
    try await stalled.sendHello(name: "stalled", capabilities: capabilities)
    try await hostLog.first("stalled joined") { $0.isRoom(.joined, "stalled") }
    let (reader, readerLog) = connect(to: listener, SessionOptions(name: "reader"))
    try await readerLog.first("reader welcomed") { $0.roomEvent?.kind == .welcome }
    let big = String(repeating: "x", count: 16 << 10)
    let batches = 40
    for batch in 0..<batches {
      for index in 1...8 { listener.send("\(batch * 8 + index) \(big)") }
      try await readerLog.wait("batch \(batch) at the reader") { events, _ in
        events.filter { $0.receivedFrom == "host" }.count >= (batch + 1) * 8
      }
    }
    let dropped = try await hostLog.first("stalled dropped") { $0.isRoom(.left, "stalled") }
    #expect(dropped.roomEvent?.detail.contains("not reading") == true, "\(dropped)")
    #expect(!(await readerLog.entries.contains { $0.end != nil }), "the reader was not disturbed")
    let received = await readerLog.entries.compactMap { $0.receivedFrom == "host" ? $0.receivedText : nil }
    #expect(received == (1...batches * 8).map { "\($0) \(big)" })
    // The room still works for someone new.
    let (late, lateLog) = connect(to: listener, SessionOptions(name: "late"))
    try await lateLog.first("late welcomed") { $0.roomEvent?.kind == .welcome }
    listener.send("still here")
    try await lateLog.first("a message after the drop") { $0.receivedText == "still here" }
    await late.close(Goodbye(code: .userQuit, reason: ""))
    await reader.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// Before it has finished the handshake a peer can't make the relay hold a large frame:
  /// a header announcing 1 MiB is refused at once, not buffered until the deadline.
  @Test func aLargeFrameBeforeTheHandshakeIsRefusedAtOnce() async throws {
    let (listener, _) = try await startListener(SessionOptions(name: "host"))
    let client = try await RawClient(port: listener.port)
    // A HELLO (type 0x01) header announcing 1,000,000 bytes, and the first few of them.
    try await client.send([0x00, 0x0F, 0x42, 0x40, 0x01] + [UInt8](repeating: 0, count: 100))
    let frames = try await client.framesUntilClosed(seconds: 5)
    let report = try #require(frames.compactMap { if case .error(let report) = $0 { report } else { nil } }.first)
    #expect(report.code == .frameTooLarge)
    #expect(report.message.contains("\(SessionMachine.handshakeFrameLimit)"))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A message larger than one member accepts skips that member only: the member stays,
  /// the author is told, everyone else gets it.
  @Test func aMessageTooLargeForOneMemberSkipsOnlyThatMember() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: Self.unlimited)
    let (small, smallLog) = connect(to: listener, SessionOptions(name: "small", maximumPayloadLength: 65_536))
    let (author, authorLog) = connect(to: listener, SessionOptions(name: "author"))
    try await smallLog.first("small welcomed") { $0.roomEvent?.kind == .welcome }
    try await authorLog.first("author welcomed") { $0.roomEvent?.kind == .welcome }
    let big = String(repeating: "大", count: 70_000 / 3)
    author.send(big)
    author.send("small one after")
    let notice = try await authorLog.first("the author is told") { $0.roomEvent?.kind == .notice }
    #expect(
      notice.roomEvent?.detail.contains("not delivered to small") == true, "\(String(describing: notice.roomEvent))")
    try await hostLog.first("the host got the big one") { $0.receivedText == big }
    try await authorLog.first("the author got its echo") { $0.receivedText == big }
    try await smallLog.first("small got the next one") { $0.receivedText == "small one after" }
    let smallEvents = await smallLog.entries
    #expect(!smallEvents.contains { $0.receivedText == big })
    #expect(!smallEvents.contains { $0.end != nil }, "small was not dropped")
    await small.close(Goodbye(code: .userQuit, reason: ""))
    await author.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// The longest message an honest client may send reaches everyone, its author included;
  /// before, its ROOM_TEXT passed every member's maximum and dropped the whole room.
  @Test func theLargestMessageAClientMaySendReachesEveryone() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: Self.unlimited)
    let (author, authorLog) = connect(
      to: listener, SessionOptions(name: "author-with-a-long-name-" + String(repeating: "n", count: 30)))
    let (reader, readerLog) = connect(to: listener, SessionOptions(name: "reader"))
    let established = try await authorLog.first("established") { $0.isEstablished }
    try await readerLog.first("reader welcomed") { $0.roomEvent?.kind == .welcome }
    let relay = try #require(established.peer)
    // The relay announces what it takes: its maximum less the room's overhead.
    #expect(relay.maximumPayloadLength == FrameHeader.defaultMaximumPayloadLength - RoomText.senderOverhead)
    let largest = String(repeating: "x", count: relay.maximumPayloadLength - 8)
    author.send(largest)
    try await readerLog.first("the reader got it") { $0.receivedText == largest }
    try await authorLog.first("the author got its echo") { $0.receivedText == largest }
    try await hostLog.first("the host got it") { $0.receivedText == largest }
    author.send(largest + "y")
    let refused = try await authorLog.first("one byte more is not sent") {
      if case .messageNotSent = $0 { true } else { false }
    }
    #expect("\(refused)".contains("accepts at most \(relay.maximumPayloadLength)"))
    #expect(!(await readerLog.entries).contains { $0.end != nil })
    #expect(!(await authorLog.entries).contains { $0.end != nil })
    await author.close(Goodbye(code: .userQuit, reason: ""))
    await reader.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A goodbye with a huge reason becomes a short "left" notice, not a frame too large
  /// for everyone.
  @Test func aHugeGoodbyeReasonIsCutForTheOthers() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: Self.unlimited)
    let (reader, readerLog) = connect(to: listener, SessionOptions(name: "reader", maximumPayloadLength: 4096))
    try await readerLog.first("reader welcomed") { $0.roomEvent?.kind == .welcome }
    let rude = try await RawClient(port: listener.port)
    try await rude.sendHello(name: "rude", capabilities: [Capability.room])
    try await hostLog.first("rude joined") { $0.isRoom(.joined, "rude") }
    let bye = Frame.bye(Goodbye(code: .userQuit, reason: String(repeating: "r", count: 900_000)))
    try await rude.send(Array(bye.encoded().readableBytesView))
    let left = try await readerLog.first("rude left, at the reader") { $0.isRoom(.left, "rude") }
    #expect((left.roomEvent?.detail.utf8.count ?? .max) <= RoomEvent.maximumDetailLength)
    listener.send("still there?")
    try await readerLog.first("the reader is still in") { $0.receivedText == "still there?" }
    #expect(!(await readerLog.entries).contains { $0.end != nil })
    await reader.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A member whose connection drops keeps its name while its client reconnects: someone
  /// joining under that name meanwhile gets another, the member resumes under its own,
  /// and the others see neither a leave nor a join.
  @Test func aNameIsKeptWhileItsOwnerReconnectsAndTheResumeIsInvisible() async throws {
    let (listener, _) = try await startListener(SessionOptions(name: "host"), limits: Self.unlimited)
    let (carol, carolLog) = connect(to: listener, SessionOptions(name: "carol"))
    try await carolLog.first("carol welcomed") { $0.roomEvent?.kind == .welcome }
    // The proxy cuts alice's first connection once the handshake is well over.
    let proxy = try await FaultProxy(
      targetPort: listener.port, cuts: 1, minimumBytesBeforeCut: 3_000, maximumBytesBeforeCut: 4_000, seed: 7)
    let alice = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: proxy.port), options: SessionOptions(name: "alice"),
      reconnect: ReconnectPolicy(initialDelay: 1_500_000_000, maximumDelay: 1_500_000_000),
      group: MultiThreadedEventLoopGroup.singleton)
    let aliceLog = collect(alice)
    try await aliceLog.first("alice welcomed") { $0.roomEvent?.kind == .welcome }
    try await carolLog.first("alice joined, at carol") { $0.isRoom(.joined, "alice") }
    var sent = 0
    while !(await aliceLog.entries.contains { if case .reconnecting = $0 { true } else { false } }), sent < 100 {
      sent += 1
      let number = UInt64(sent)
      alice.send("message \(number) " + String(repeating: "a", count: 100))
      try await aliceLog.first("message \(number) sent or the cut") { event in
        switch event {
        case .messageSent(let message, _, _): message.sequence == number
        case .reconnecting: true
        default: false
        }
      }
    }
    try await aliceLog.first("the cut") { if case .reconnecting = $0 { true } else { false } }
    let (impostor, impostorLog) = connect(to: listener, SessionOptions(name: "alice"))
    let welcome = try await impostorLog.first("impostor welcomed") { $0.roomEvent?.kind == .welcome }
    #expect(welcome.roomEvent?.name == "alice-2")
    try await aliceLog.first("alice resumed") { if case .session(_, .resumed) = $0 { true } else { false } }
    let events = try await aliceLog.wait("alice welcomed again") { events, _ in
      events.filter { $0.roomEvent?.kind == .welcome }.count >= 2
    }
    #expect(events.filter { $0.roomEvent?.kind == .welcome }.last?.roomEvent?.name == "alice")
    alice.send("back")
    let fromAlice = try await carolLog.first("alice's message after the resume") { $0.receivedText == "back" }
    #expect(fromAlice.receivedFrom == "alice")
    let carolEvents = await carolLog.entries
    #expect(carolEvents.filter { $0.isRoom(.joined, "alice") }.count == 1, "one join, no rejoin")
    #expect(!carolEvents.contains { $0.isRoom(.left, "alice") }, "no leave")
    let texts = carolEvents.filter { $0.receivedFrom == "alice" }.compactMap(\.receivedText)
    #expect(texts.count == Set(texts).count, "nothing twice")
    #expect(proxy.cutsMade == 1)
    await impostor.close(Goodbye(code: .userQuit, reason: ""))
    await alice.close(Goodbye(code: .userQuit, reason: ""))
    await carol.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// Randomised faults against the room shell: members that stop reading, leave in the
  /// middle of a burst, or lose their connection and resume, while the host and a member
  /// talk. Whatever the seed, the room survives, honest readers get every message once and
  /// in order, and no honest member is dropped.
  @Test(arguments: [UInt64](1...4))
  func randomisedFaultsLeaveTheRoomStanding(seed: UInt64) async throws {
    var random = SeededGenerator(seed: seed)
    var limits = Self.unlimited
    limits.maximumQueuedBytes = 128 << 10
    let (listener, _) = try await startListener(SessionOptions(name: "host"), limits: limits)
    let (reader, readerLog) = connect(to: listener, SessionOptions(name: "reader"))
    try await readerLog.first("reader welcomed") { $0.roomEvent?.kind == .welcome }
    let proxy = try await FaultProxy(
      targetPort: listener.port, cuts: 3, minimumBytesBeforeCut: 2_000, maximumBytesBeforeCut: 60_000, seed: seed)
    let (talker, talkerLog) = connect(to: listener, SessionOptions(name: "talker"))
    let cut = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: proxy.port), options: SessionOptions(name: "cut"),
      reconnect: ReconnectPolicy(initialDelay: 10_000_000, maximumDelay: 50_000_000),
      group: MultiThreadedEventLoopGroup.singleton)
    let cutLog = collect(cut)
    try await talkerLog.first("talker welcomed") { $0.roomEvent?.kind == .welcome }
    try await cutLog.first("cut welcomed") { $0.roomEvent?.kind == .welcome }
    var strangers: [RawClient] = []
    var expected: [String] = []
    for round in 0..<6 {
      // A few members that will stop reading, some joining first in the list.
      for index in 0..<Int.random(in: 1...3, using: &random) {
        let stranger = try await RawClient(port: listener.port, reading: false)
        try await stranger.sendHello(name: "s\(round)-\(index)", capabilities: [Capability.room])
        strangers.append(stranger)
      }
      for index in 0..<Int.random(in: 5...20, using: &random) {
        let size = Int.random(in: 1...(24 << 10), using: &random)
        let text = "r\(round) h\(index) " + String(repeating: "h", count: size)
        listener.send(text)
        expected.append(text)
        if Bool.random(using: &random) {
          let line = "r\(round) t\(index)"
          talker.send(line)
          expected.append(line)
        }
        // Now and then a stranger leaves in the middle of the burst.
        if !strangers.isEmpty, Int.random(in: 0..<4, using: &random) == 0 {
          let leaving = strangers.remove(at: Int.random(in: 0..<strangers.count, using: &random))
          leaving.channel.close(promise: nil)
        }
      }
      let wanted = expected.count
      try await readerLog.wait("round \(round) at the reader", seconds: 20) { events, _ in
        events.filter { $0.receivedFrom == "host" || $0.receivedFrom == "talker" }.count >= wanted
      }
    }
    let got = await readerLog.entries.filter { $0.receivedFrom == "host" || $0.receivedFrom == "talker" }
    // Host and talker lines interleave in the room's one order; each one's own keep theirs.
    let texts = got.compactMap(\.receivedText)
    #expect(texts.filter { $0.contains(" h") } == expected.filter { $0.contains(" h") })
    #expect(texts.filter { $0.contains(" t") } == expected.filter { $0.contains(" t") })
    let total = expected.count
    try await cutLog.wait("cut has everything too", seconds: 20) { events, _ in
      events.filter { $0.receivedFrom == "host" || $0.receivedFrom == "talker" }.count >= total
    }
    let cutTexts = await cutLog.entries.compactMap {
      $0.receivedFrom == "host" || $0.receivedFrom == "talker" ? $0.receivedText : nil
    }
    #expect(cutTexts == texts, "the member that resumed saw the same, once")
    for log in [readerLog, talkerLog] {
      #expect(!(await log.entries).contains { $0.end != nil }, "an honest member was dropped")
    }
    // The member behind the proxy only ever lost its connection (and resumed).
    let cutEnds = await cutLog.entries.compactMap(\.end)
    #expect(cutEnds.allSatisfy { if case .connectionLost = $0 { true } else { false } }, "\(cutEnds)")
    // The room still takes someone new.
    let (late, lateLog) = connect(to: listener, SessionOptions(name: "late"))
    try await lateLog.first("late welcomed") { $0.roomEvent?.kind == .welcome }
    for stranger in strangers { stranger.channel.close(promise: nil) }
    await late.close(Goodbye(code: .userQuit, reason: ""))
    await cut.close(Goodbye(code: .userQuit, reason: ""))
    await talker.close(Goodbye(code: .userQuit, reason: ""))
    await reader.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// Thousands of WHO requests in one write from a member of a big room: the answers come
  /// paced, like messages, so the asker is neither flooded into "too slow" nor able to
  /// pull the roster at the wire's speed.
  @Test func aWhoFloodIsPacedNotAmplified() async throws {
    var limits = RoomLimits()
    limits.maximumConnectionsPerAddress = 1_000
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: limits)
    var members: [RawClient] = []
    for index in 0..<120 {
      let member = try await RawClient(port: listener.port)
      try await member.sendHello(name: "m\(index)", capabilities: [Capability.room])
      members.append(member)
    }
    try await hostLog.wait("120 joined", seconds: 20) { events, _ in
      events.filter { $0.roomEvent?.kind == .joined }.count >= 120
    }
    let asker = try await RawClient(port: listener.port)
    try await asker.sendHello(name: "asker", capabilities: [Capability.room])
    try await hostLog.first("asker joined") { $0.isRoom(.joined, "asker") }
    try await asker.send((0..<20_000).flatMap { _ in [0, 0, 0, 0, 0x51] as [UInt8] })
    // Then a message: it comes back once the asker's allowance allows, after the WHOs.
    try await asker.send(.text(TextMessage(sequence: 1, text: "still here")))
    let received = try await asker.received.wait("the asker's message back", seconds: 20) { chunks, _ in
      RawClient.frames(in: chunks).contains {
        if case .roomText(let message) = $0 { message.text == "still here" } else { false }
      }
    }
    let frames = RawClient.frames(in: received)
    #expect(!frames.contains { if case .error = $0 { true } else { false } }, "the asker was dropped")
    let answers = frames.filter { if case .roomEvent(let event) = $0 { event.kind == .who } else { false } }.count
    // Requests that arrive while the asker is paced are answered once, not once each:
    // about the message burst's worth (200) of answers of 101 entries, not 20,000.
    #expect(answers >= 101 && answers < 1_000 * 101, "\(answers) entries for 20,000 requests")
    for member in members { try? await member.channel.close() }
    try? await asker.channel.close()
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A client that resumes claiming to have nothing (last room message 0) gets what was
  /// said since its session began, never what the room said before it joined.
  @Test func aResumeDoesNotReplayWhatWasSaidBeforeTheSessionBegan() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"))
    for index in 1...5 { listener.send("before \(index)") }
    try await hostLog.wait("five sent") { events, _ in
      events.filter { if case .messageSent = $0 { true } else { false } }.count >= 5
    }
    let first = try await RawClient(port: listener.port)
    try await first.sendHello(name: "latecomer", capabilities: [Capability.room, Capability.resume])
    try await first.send(.session(SessionRequest(sessionID: .none, lastReceived: 0)))
    let chunks = try await first.received.wait("a session") { chunks, _ in
      RawClient.frames(in: chunks).contains { if case .sessionAccept = $0 { true } else { false } }
    }
    let id = try #require(
      RawClient.frames(in: chunks).compactMap {
        if case .sessionAccept(let accept) = $0 { accept.sessionID } else { nil }
      }
      .first)
    try await first.channel.close()
    listener.send("while away")
    let again = try await RawClient(port: listener.port)
    try await again.sendHello(name: "latecomer", capabilities: [Capability.room, Capability.resume])
    try await again.send(.session(SessionRequest(sessionID: id, lastReceived: 0)))
    let received = try await again.received.wait("what was said while away") { chunks, _ in
      RawClient.frames(in: chunks).contains {
        if case .roomText(let text) = $0 { text.text == "while away" } else { false }
      }
    }
    let texts = RawClient.frames(in: received).compactMap {
      if case .roomText(let text) = $0 { text.text } else { nil }
    }
    #expect(texts == ["while away"], "history from before the session began was replayed: \(texts)")
    try await again.channel.close()
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// Connections that never say hello fill the handshake places: an honest client still
  /// gets in (the oldest silent one is let go), and the one let go is told why.
  @Test func silentConnectionsCannotLockHonestClientsOut() async throws {
    var limits = RoomLimits()
    limits.maximumHandshaking = 3
    let (listener, _) = try await startListener(SessionOptions(name: "host"), limits: limits)
    var silent: [RawClient] = []
    for _ in 0..<3 { silent.append(try await RawClient(port: listener.port)) }
    // The relay's own hello reaching each shows it has accepted them all.
    for client in silent {
      try await client.received.wait("the relay's hello") { chunks, _ in
        RawClient.frames(in: chunks).contains { if case .hello = $0 { true } else { false } }
      }
    }
    let (honest, honestLog) = connect(to: listener, SessionOptions(name: "honest"))
    try await honestLog.first("honest welcomed") { $0.roomEvent?.kind == .welcome }
    let oldest = try await silent[0].framesUntilClosed(seconds: 10)
    let report = try #require(oldest.compactMap { if case .error(let report) = $0 { report } else { nil } }.first)
    #expect(report.code == .busy)
    #expect(report.message.contains("the oldest is let go"))
    for client in silent { try? await client.channel.close() }
    await honest.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A member that had not confirmed the host's message leaves without coming back: the
  /// host is told the message was not delivered (when the member's place expires), rather
  /// than waiting for ever.
  @Test func theHostLearnsTheFateOfAMessageItsOnlyReaderLeftWith() async throws {
    var limits = RoomLimits()
    limits.awayGrace = 0.3
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: limits)
    let member = try await RawClient(port: listener.port)
    try await member.sendHello(name: "mute", capabilities: [Capability.room, Capability.resume])
    try await member.send(.session(SessionRequest(sessionID: .none, lastReceived: 0)))
    try await hostLog.first("mute joined") { $0.isRoom(.joined, "mute") }
    listener.send("are you there?")
    try await member.received.wait("the message at the member") { chunks, _ in
      RawClient.frames(in: chunks).contains { if case .roomText = $0 { true } else { false } }
    }
    try await member.channel.close()  // never confirmed it, and gone without a goodbye
    let fate = try await hostLog.first("the message's fate", seconds: 10) {
      if case .notDelivered = $0 { true } else if case .delivered = $0 { true } else { false }
    }
    #expect(
      fate
        == .notDelivered(
          message: TextMessage(sequence: 1, text: "are you there?"),
          reason: "everyone it was for left before receiving it"))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// The host's message larger than its only member accepts is not delivered, and a later
  /// receipt from that member (for other messages) does not make it so.
  @Test func aHostMessageTooLargeForEveryoneIsNotDelivered() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"))
    let (small, smallLog) = connect(to: listener, SessionOptions(name: "small", maximumPayloadLength: 1024))
    try await smallLog.first("small welcomed") { $0.roomEvent?.kind == .welcome }
    let big = String(repeating: "b", count: 2000)
    listener.send(big)
    listener.send("short")
    try await smallLog.first("the short one") { $0.receivedText == "short" }
    let events = try await hostLog.wait("both settled") { events, _ in
      events.contains { if case .notDelivered = $0 { true } else { false } } && events.deliveredSequences.contains(2)
    }
    #expect(
      events.contains(
        .notDelivered(
          message: TextMessage(sequence: 1, text: big), reason: "it is larger than anyone in the room accepts")))
    #expect(!events.deliveredSequences.contains(1), "a receipt for message 2 covers 1 only for those who got it")
    await small.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }
}
