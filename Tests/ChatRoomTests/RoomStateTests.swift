import ChatProtocol
import ChatRoom
import Testing

@Suite("Room state: names, order, limits")
struct RoomStateTests {
  let second: UInt64 = 1_000_000_000

  func room(_ configure: (inout RoomLimits) -> Void = { _ in }) -> RoomState {
    var limits = RoomLimits()
    configure(&limits)
    return RoomState(limits: limits, host: (name: "host", since: "12:00:00"))
  }

  /// The messages passed on: sender, text, room sequence number.
  func deliveries(_ actions: [RoomAction]) -> [(String, String, UInt64)] {
    actions.compactMap { action in
      if case .broadcast(_, let sender, let text, let sequence) = action { return (sender, text, sequence) }
      return nil
    }
  }

  func announcements(_ actions: [RoomAction]) -> [(ParticipantID, RoomEvent)] {
    actions.compactMap { action in
      if case .announce(let to, let event) = action { return (to, event) }
      return nil
    }
  }

  @Test func joiningWelcomesTheNewcomerAndTellsEveryoneElse() {
    var state = room()
    let actions = state.join(
      ParticipantID(1), requestedName: "bob", address: "10.0.0.2:5000", authenticated: true, since: "t")
    let told = announcements(actions)
    #expect(told.count == 2)
    #expect(told[0].0 == ParticipantID(1))
    #expect(told[0].1.kind == .welcome && told[0].1.name == "bob" && told[0].1.participantCount == 2)
    // The host learns the address and the auth result; the other members only the latter.
    #expect(told[1].0 == .host)
    #expect(
      told[1].1 == RoomEvent(kind: .joined, participantCount: 2, name: "bob", detail: "10.0.0.2:5000, authenticated"))
    #expect(
      actions.contains(
        .announceAll(
          RoomEvent(kind: .joined, participantCount: 2, name: "bob", detail: "authenticated"),
          except: [ParticipantID(1), .host])))
  }

  @Test func withShownAddressesEveryoneSeesThem() {
    var state = room { $0.showsAddresses = true }
    let actions = state.join(
      ParticipantID(1), requestedName: "bob", address: "10.0.0.2:5000", authenticated: false, since: "t")
    #expect(
      actions.contains(
        .announceAll(
          RoomEvent(kind: .joined, participantCount: 2, name: "bob", detail: "10.0.0.2:5000, unauthenticated"),
          except: [ParticipantID(1)])))
    let who = announcements(state.who(for: ParticipantID(1)))
    #expect(who[1].1.detail.hasPrefix("10.0.0.2:5000, "))
  }

  @Test func namesAreUniqueIgnoringCase() {
    var state = room()
    _ = state.join(ParticipantID(1), requestedName: "bob", address: "a", authenticated: false, since: "t")
    let second = announcements(
      state.join(ParticipantID(2), requestedName: "BOB", address: "b", authenticated: false, since: "t"))
    #expect(second[0].1.name == "BOB-2")
    #expect(second[0].1.detail.contains("BOB was taken"))
    let third = announcements(
      state.join(ParticipantID(3), requestedName: "Host", address: "c", authenticated: false, since: "t"))
    #expect(third[0].1.name == "Host-2")
  }

  @Test func everyMessageIsBroadcastInOneNumberedOrder() {
    var state = room()
    for id in 1...3 {
      _ = state.join(ParticipantID(id), requestedName: "p\(id)", address: "a", authenticated: false, since: "t")
    }
    let first = deliveries(state.message(from: ParticipantID(2), number: 1, text: "hi", payloadBytes: 10, now: 0))
    #expect(first.count == 1)
    #expect(first[0] == ("p2", "hi", 1))
    let next = deliveries(state.message(from: .host, number: 1, text: "yo", payloadBytes: 10, now: 0))
    #expect(next.map(\.2) == [2])
    // Everyone present got both; someone joining now gets neither in their counters.
    #expect(state.received(by: ParticipantID(1)).messages == 2)
    _ = state.join(ParticipantID(4), requestedName: "late", address: "a", authenticated: false, since: "t")
    #expect(state.received(by: ParticipantID(4)).messages == 0)
  }

  @Test func leavingTellsTheOthersWithTheReason() {
    var state = room()
    _ = state.join(ParticipantID(1), requestedName: "bob", address: "a", authenticated: false, since: "t")
    let actions = state.leave(ParticipantID(1), reason: "connection reset by peer")
    #expect(
      actions.contains(
        .announceAll(
          RoomEvent(kind: .left, participantCount: 1, name: "bob", detail: "connection reset by peer"), except: [])))
    #expect(state.leave(ParticipantID(1), reason: "again").isEmpty)
    let result = state.message(from: ParticipantID(1), number: 1, text: "ghost", payloadBytes: 5, now: 0)
    #expect(deliveries(result).isEmpty)
  }

  /// The actions' pauses: how long not to read from whom.
  func pauses(_ actions: [RoomAction]) -> [(ParticipantID, UInt64)] {
    actions.compactMap { action in
      if case .pause(let id, let nanoseconds) = action { return (id, nanoseconds) }
      return nil
    }
  }

  @Test func aFastSenderIsPacedNeverRefusedOrDropped() {
    var state = room {
      $0.messagesPerSecond = 2
      $0.messageBurst = 3
    }
    _ = state.join(ParticipantID(1), requestedName: "fast", address: "a", authenticated: false, since: "t")
    for number in UInt64(1)...3 {
      let actions = state.message(from: ParticipantID(1), number: number, text: "x", payloadBytes: 9, now: 0)
      #expect(deliveries(actions).count == 1)
      #expect(pauses(actions).isEmpty, "within the burst")
    }
    // Over the burst: still relayed (it has arrived), and reading from it stops until the
    // allowance is back above zero: one message's worth at 2 per second is half a second.
    let over = state.message(from: ParticipantID(1), number: 4, text: "x", payloadBytes: 9, now: 0)
    #expect(deliveries(over).count == 1)
    #expect(pauses(over).map(\.0) == [ParticipantID(1)])
    #expect(pauses(over).first?.1 == second / 2)
    let more = state.message(from: ParticipantID(1), number: 5, text: "x", payloadBytes: 9, now: 0)
    #expect(pauses(more).first?.1 == second)
    #expect(state.pauseRemaining(for: ParticipantID(1), now: second / 2) == second / 2)
    #expect(state.pauseRemaining(for: ParticipantID(1), now: second) == 0)
    #expect(!over.contains { if case .alert = $0 { true } else { false } }, "pacing is not a defence acting")
  }

  @Test func theByteRateAlsoPaces() {
    var state = room {
      $0.bytesPerSecond = 1000
      $0.byteBurst = 1000
    }
    _ = state.join(ParticipantID(1), requestedName: "big", address: "a", authenticated: false, since: "t")
    let first = state.message(from: ParticipantID(1), number: 1, text: "x", payloadBytes: 3000, now: 0)
    #expect(deliveries(first).count == 1)
    #expect(pauses(first).first?.1 == 2 * second, "2000 bytes of debt at 1000 per second")
  }

  @Test func connectionLimitsTotalAndPerAddress() {
    var state = room {
      $0.maximumConnections = 3
      $0.maximumConnectionsPerAddress = 2
    }
    let result8 = state.admit(address: "10.0.0.1", now: 0)
    #expect(result8 == nil)
    let result9 = state.admit(address: "10.0.0.1", now: 0)
    #expect(result9 == nil)
    let result10 = state.admit(address: "10.0.0.1", now: 0)
    #expect(result10?.message.contains("too many connections from 10.0.0.1") == true)
    let result11 = state.admit(address: "10.0.0.2", now: 0)
    #expect(result11 == nil)
    let result12 = state.admit(address: "10.0.0.3", now: 0)
    #expect(result12?.message.contains("the room is full") == true)
    state.connectionClosed(address: "10.0.0.1")
    let result13 = state.admit(address: "10.0.0.1", now: 0)
    #expect(result13 == nil)
  }

  @Test func repeatedAuthFailuresMakeTheAddressWait() {
    var state = room {
      $0.authFailuresAllowed = 3
      $0.authFailureWindow = 60
      $0.authFailureBlock = 30
    }
    let result14 = state.authenticationFailed(address: "10.0.0.9", now: 0)
    #expect(result14.isEmpty)
    let result15 = state.authenticationFailed(address: "10.0.0.9", now: second)
    #expect(result15.isEmpty)
    let waiting = state.authenticationFailed(address: "10.0.0.9", now: 2 * second)
    #expect(
      waiting.contains { if case .alert(let line) = $0 { line.contains("next attempt waits 1 s") } else { false } })
    let refusal = state.admit(address: "10.0.0.9", now: 2 * second + second / 2)
    #expect(refusal?.code == .authThrottled)
    #expect(refusal?.message.contains("try again in 500 ms") == true)
    let result16 = state.admit(address: "10.0.0.8", now: 2 * second)
    #expect(result16 == nil, "other addresses are unaffected")
    let result17 = state.admit(address: "10.0.0.9", now: 3 * second)
    #expect(result17 == nil, "the wait ends")
  }

  @Test func oldAuthFailuresFallOutOfTheWindow() {
    var state = room {
      $0.authFailuresAllowed = 2
      $0.authFailureWindow = 10
    }
    _ = state.authenticationFailed(address: "a", now: 0)
    let result18 = state.authenticationFailed(address: "a", now: 11 * second)
    #expect(result18.isEmpty)
    let result19 = state.admit(address: "a", now: 12 * second)
    #expect(result19 == nil)
  }

  @Test func whoListsEveryoneWithCounters() {
    var state = room()
    _ = state.join(
      ParticipantID(1), requestedName: "bob", address: "10.0.0.2:1", authenticated: true, since: "12:01:02")
    _ = state.message(from: ParticipantID(1), number: 1, text: "hello", payloadBytes: 13, now: 0)
    let lines = announcements(state.who(for: ParticipantID(1)))
    #expect(lines.map(\.1.name) == ["host", "bob"])
    #expect(lines.allSatisfy { $0.0 == ParticipantID(1) && $0.1.kind == .who })
    // A member is not shown others' addresses; the host is. Bytes are of text; what one
    // receives excludes its own messages (as its /stats counts them).
    #expect(lines[1].1.detail == "authenticated, since 12:01:02, sent 1 (5 B), received 0 (0 B)")
    #expect(lines[0].1.detail.hasPrefix("host, since 12:00:00, sent 0 (0 B), received 1 (5 B)"), "the host is the host")
    state.recordRoundTrip(ParticipantID(1), nanoseconds: 340_000)
    let hostLines = announcements(state.who(for: .host))
    #expect(hostLines[1].1.detail.hasPrefix("10.0.0.2:1, authenticated, "))
    #expect(hostLines[1].1.detail.hasSuffix(", rtt 0.34 ms"))
  }

  @Test func whoIsCappedAndRateLimited() {
    var state = room {
      $0.maximumWhoEntries = 3
      $0.whoPerSecond = 1
      $0.whoBurst = 1
    }
    for id in 1...5 {
      _ = state.join(ParticipantID(id), requestedName: "p\(id)", address: "a", authenticated: false, since: "t")
    }
    #expect(state.whoWait(for: ParticipantID(1), now: 0) == 0)
    let told = announcements(state.who(for: ParticipantID(1), now: 0))
    #expect(told.count == 4)
    #expect(told.prefix(3).allSatisfy { $0.1.kind == .who })
    #expect(told[3].1.kind == .notice && told[3].1.detail.hasPrefix("and 3 more"))
    #expect(state.whoWait(for: ParticipantID(1), now: 0) == 0, "a burst of one plus the one in hand")
    _ = state.who(for: ParticipantID(1), now: 0)
    #expect(state.whoWait(for: ParticipantID(1), now: 0) == second, "then one a second")
    #expect(state.whoWait(for: ParticipantID(2), now: 0) == 0, "each member has its own allowance")
    #expect(state.whoWait(for: .host, now: 0) == 0, "the host is never kept waiting")
  }

  /// Many members asking at once share one answer: the roster is built again only when
  /// something it shows has changed.
  @Test func membersAskingAtOnceShareOneAnswer() {
    var state = room()
    for id in 1...50 {
      _ = state.join(ParticipantID(id), requestedName: "p\(id)", address: "a", authenticated: false, since: "t")
    }
    let first = announcements(state.who(for: ParticipantID(1), now: 0)).map(\.1)
    for id in 2...50 { _ = state.who(for: ParticipantID(id), now: 0) }
    #expect(state.whoAnswersBuilt == 1)
    let host = announcements(state.who(for: .host, now: 0))
    #expect(state.whoAnswersBuilt == 2, "the host's answer shows addresses: built apart")
    #expect(host.allSatisfy { $0.0 == .host })
    _ = state.message(from: ParticipantID(3), number: 1, text: "hi", payloadBytes: 10, now: 0)
    let after = announcements(state.who(for: ParticipantID(1), now: 0)).map(\.1)
    #expect(state.whoAnswersBuilt == 3, "a message changes the counters shown")
    #expect(after != first)
    #expect(after.first { $0.name == "p3" }?.detail.contains("sent 1 (2 B)") == true)
  }

  @Test func aLongLeaveReasonIsCut() {
    var state = room()
    _ = state.join(ParticipantID(1), requestedName: "bob", address: "a", authenticated: false, since: "t")
    let actions = state.leave(ParticipantID(1), reason: String(repeating: "長", count: 500_000))
    let detail = actions.compactMap { action -> String? in
      if case .announceAll(let event, _) = action { return event.detail }
      return nil
    }.first
    #expect((detail?.utf8.count ?? .max) <= RoomEvent.maximumDetailLength)
    #expect(detail?.hasSuffix("長…") == true)
  }

  /// Past the limit of connections still handshaking, a newcomer is admitted and the
  /// shell lets the oldest handshake go (a flood that never says hello can't lock others out).
  @Test func pastTheHandshakeLimitTheOldestIsLetGo() {
    var state = room { $0.maximumHandshaking = 2 }
    #expect(state.admit(address: "10.0.0.1", now: 0) == nil)
    #expect(state.admit(address: "10.0.0.2", now: 0) == nil)
    #expect(!state.handshakesOverLimit)
    #expect(state.admit(address: "10.0.0.3", now: 0) == nil, "the newcomer is not turned away")
    #expect(state.handshakesOverLimit, "one must go")
    state.handshakeEnded()  // the shell let the oldest go
    #expect(!state.handshakesOverLimit)
    #expect(state.handshakingCount == 2)
    #expect(state.connectionCount == 3, "until the one let go has closed")
  }

  /// Joining and dropping can't grow the room without end: past the cap on kept places,
  /// the member away longest leaves at once.
  @Test func keptPlacesAreCapped() {
    var state = room { $0.maximumAway = 2 }
    for id in 1...3 {
      _ = state.join(ParticipantID(id), requestedName: "p\(id)", address: "a", authenticated: false, since: "t")
    }
    _ = state.depart(ParticipantID(1), reason: "lost")
    _ = state.depart(ParticipantID(2), reason: "lost")
    #expect(state.awayCount == 2)
    let third = state.depart(ParticipantID(3), reason: "lost")
    #expect(
      third.contains(.announceAll(RoomEvent(kind: .left, participantCount: 3, name: "p1", detail: "lost"), except: [])))
    #expect(state.awayCount == 2)
    #expect(state.participants[ParticipantID(1)] == nil)
    // One coming back frees its place.
    _ = state.resume(
      ParticipantID(4), replacing: ParticipantID(2), name: "p2", address: "b", authenticated: false, since: "t", now: 0)
    #expect(state.awayCount == 1)
  }

  @Test func aDroppedMemberKeepsItsPlaceQuietlyAndResumes() {
    var state = room { $0.awayGrace = 60 }
    _ = state.join(ParticipantID(1), requestedName: "alice", address: "a", authenticated: true, since: "t")
    let departed = state.depart(ParticipantID(1), reason: "connection reset by peer")
    #expect(!departed.contains { if case .announceAll = $0 { true } else { false } }, "the others are not told")
    #expect(announcements(departed).map(\.0) == [.host], "the host is")
    // Someone else asking for the name while alice is away gets another.
    let impostor = announcements(
      state.join(ParticipantID(2), requestedName: "Alice", address: "b", authenticated: true, since: "t"))
    #expect(impostor[0].1.name == "Alice-2")
    // Alice resumes on a new connection: same name, no notice to anyone else.
    let resumed = state.resume(
      ParticipantID(3), replacing: ParticipantID(1), name: "alice", address: "c", authenticated: true, since: "t",
      now: second)
    #expect(announcements(resumed).map(\.0) == [ParticipantID(3)])
    #expect(announcements(resumed).first?.1.kind == .welcome)
    #expect(announcements(resumed).first?.1.name == "alice")
    #expect(!resumed.contains { if case .announceAll = $0 { true } else { false } })
    #expect(state.participants[ParticipantID(3)]?.name == "alice")
    #expect(state.participants[ParticipantID(1)] == nil)
    #expect(state.awayExpired(ParticipantID(1), now: 100 * second).isEmpty, "no stale expiry")
  }

  @Test func anAwayMemberLeavesAfterTheGraceButKeepsItsName() {
    var state = room {
      $0.awayGrace = 60
      $0.nameReservation = 600
    }
    _ = state.join(ParticipantID(1), requestedName: "alice", address: "a", authenticated: true, since: "t")
    _ = state.depart(ParticipantID(1), reason: "no answer for 30 s")
    let expired = state.awayExpired(ParticipantID(1), now: 60 * second)
    #expect(
      expired.contains(
        .announceAll(
          RoomEvent(kind: .left, participantCount: 1, name: "alice", detail: "no answer for 30 s"), except: [])))
    let other = announcements(
      state.join(
        ParticipantID(2), requestedName: "alice", address: "b", authenticated: true, since: "t", now: 61 * second))
    #expect(other[0].1.name == "alice-2", "the name is kept for the session")
    // The session comes back within its window: it gets its name.
    let back = state.resume(
      ParticipantID(3), replacing: ParticipantID(1), name: "alice", address: "c", authenticated: true, since: "t",
      now: 120 * second)
    #expect(announcements(back).first?.1.name == "alice")
    // A reservation ends with its window: once alice-2's expires, that name is free again.
    _ = state.depart(ParticipantID(2), reason: "x")
    _ = state.awayExpired(ParticipantID(2), now: 200 * second)
    let later = announcements(
      state.join(
        ParticipantID(4), requestedName: "alice-2", address: "d", authenticated: true, since: "t", now: 801 * second))
    #expect(later[0].1.name == "alice-2")
  }

  @Test func aHeadlessRelayHasNoHost() {
    var state = RoomState(host: nil)
    #expect(state.participantCount == 0)
    let told = announcements(
      state.join(ParticipantID(1), requestedName: "a", address: "x", authenticated: false, since: "t"))
    #expect(told.map(\.0) == [ParticipantID(1)], "no host to tell")
  }

  /// The defaults fit together (README, "Why these numbers fit together"): what one
  /// member may legally put in a reader's queue at once, its burst plus one largest
  /// message, fits the queue twice over, so a reader that keeps up with the sustained rate
  /// is never dropped because of another member's burst.
  @Test func theDefaultBurstFitsAReadersQueueTwice() {
    let limits = RoomLimits()
    let oneMembersBurst = Int(limits.byteBurst) + FrameHeader.defaultMaximumPayloadLength
    #expect(2 * oneMembersBurst <= limits.maximumQueuedBytes)
    #expect(limits.bytesPerSecond <= 1_048_576, "8 Mbit/s: an ordinary link keeps up")
  }

  @Test func tokenBucket() {
    var bucket = TokenBucket(capacity: 10, rate: 5)
    bucket.spend(10, now: 0)
    #expect(bucket.nanosecondsUntilRepaid(now: 0) == 0)
    bucket.spend(5, now: 0)
    #expect(bucket.nanosecondsUntilRepaid(now: 0) == second, "5 tokens of debt at 5 per second")
    #expect(bucket.nanosecondsUntilRepaid(now: second / 2) == second / 2)
    #expect(bucket.nanosecondsUntilRepaid(now: second) == 0)
    #expect(bucket.nanosecondsUntilRepaid(now: 100 * second) == 0)
    #expect(bucket.tokens == 10, "never above capacity")
  }
}
