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
      if case .broadcast(let sender, let text, let sequence) = action { return (sender, text, sequence) }
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
    #expect(told.count == 1)
    #expect(told[0].0 == ParticipantID(1))
    #expect(told[0].1.kind == .welcome && told[0].1.name == "bob" && told[0].1.participantCount == 2)
    #expect(
      actions.contains(
        .announceAll(
          RoomEvent(kind: .joined, participantCount: 2, name: "bob", detail: "10.0.0.2:5000"), except: ParticipantID(1))
      ))
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
          RoomEvent(kind: .left, participantCount: 1, name: "bob", detail: "connection reset by peer"), except: nil)))
    #expect(state.leave(ParticipantID(1), reason: "again").isEmpty)
    let result = state.message(from: ParticipantID(1), number: 1, text: "ghost", payloadBytes: 5, now: 0)
    #expect(deliveries(result).isEmpty)
  }

  @Test func aFlooderIsWarnedOnceThenDropped() {
    var state = room {
      $0.messagesPerSecond = 1
      $0.messageBurst = 3
      $0.refusedMessagesBeforeDisconnect = 5
    }
    _ = state.join(ParticipantID(1), requestedName: "flood", address: "a", authenticated: false, since: "t")
    for _ in 1...3 {
      let result2 = state.message(from: ParticipantID(1), number: 1, text: "x", payloadBytes: 9, now: 0)
      #expect(!deliveries(result2).isEmpty)
    }
    let warned = state.message(from: ParticipantID(1), number: 1, text: "x", payloadBytes: 9, now: 0)
    #expect(announcements(warned).first?.1.kind == .notice)
    #expect(deliveries(warned).isEmpty)
    #expect(
      warned.first
        == .refuse(
          ParticipantID(1), number: 1, reason: "over the room's rate limit (1 messages, 1048576 bytes per second)"))
    for number in UInt64(2)...4 {
      let result3 = state.message(from: ParticipantID(1), number: number, text: "x", payloadBytes: 9, now: 0)
      #expect(
        result3 == [
          .refuse(
            ParticipantID(1), number: number,
            reason: "over the room's rate limit (1 messages, 1048576 bytes per second)")
        ], "refused, without another notice")
    }
    let dropped = state.message(from: ParticipantID(1), number: 1, text: "x", payloadBytes: 9, now: 0)
    #expect(
      dropped.contains {
        if case .disconnect(ParticipantID(1), let report) = $0 { report.code == .rateLimited } else { false }
      })
  }

  @Test func theRateRefillsWithTime() {
    var state = room {
      $0.messagesPerSecond = 2
      $0.messageBurst = 2
    }
    _ = state.join(ParticipantID(1), requestedName: "p", address: "a", authenticated: false, since: "t")
    let result4 = state.message(from: ParticipantID(1), number: 1, text: "1", payloadBytes: 9, now: 0)
    #expect(!deliveries(result4).isEmpty)
    let result5 = state.message(from: ParticipantID(1), number: 1, text: "2", payloadBytes: 9, now: 0)
    #expect(!deliveries(result5).isEmpty)
    let result6 = state.message(from: ParticipantID(1), number: 1, text: "3", payloadBytes: 9, now: 0)
    #expect(deliveries(result6).isEmpty)
    let result7 = state.message(from: ParticipantID(1), number: 1, text: "4", payloadBytes: 9, now: second / 2)
    #expect(!deliveries(result7).isEmpty)
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
    #expect(
      lines[1].1.detail
        == "10.0.0.2:1, authenticated, since 12:01:02, sent 1 (13 B), received 1 (\(5 + 8 + 1 + 3 + 5) B)")
  }

  @Test func aHeadlessRelayHasNoHost() {
    var state = RoomState(host: nil)
    #expect(state.participantCount == 0)
    let told = announcements(
      state.join(ParticipantID(1), requestedName: "a", address: "x", authenticated: false, since: "t"))
    #expect(told.map(\.0) == [ParticipantID(1)])
  }

  @Test func tokenBucket() {
    var bucket = TokenBucket(capacity: 10, rate: 5)
    let result20 = bucket.take(10, now: 0)
    #expect(result20)
    let result21 = bucket.take(1, now: 0)
    #expect(!result21)
    let result22 = bucket.take(5, now: second)
    #expect(result22)
    let result23 = bucket.take(1, now: second)
    #expect(!result23)
    let result24 = bucket.take(10, now: 10 * second)
    #expect(result24)
    let result25 = bucket.take(0.5, now: 10 * second)
    #expect(!result25)
  }
}
