import ChatProtocol
import ChatRoom
import Testing

@Suite("Room: sessions to resume, history, the host's receipts")
struct ResumeStateTests {
  let ann = SessionID(bytes: [UInt8](repeating: 1, count: 16))
  let ben = SessionID(bytes: [UInt8](repeating: 2, count: 16))

  @Test func aParkedSessionCanBeResumedUntilItExpires() {
    var directory = SessionDirectory(keepFor: 100, maximumParked: 10)
    directory.attach(ann, to: ParticipantID(1), name: "n", lastReceived: 0)
    #expect(directory.park(ann, from: ParticipantID(1), lastReceived: 42, now: 1_000).isEmpty)
    #expect(directory[ann]?.participant == nil && directory[ann]?.lastReceived == 42)
    // Resumed in time: attached again, not expired later.
    directory.attach(ann, to: ParticipantID(2), name: "n", lastReceived: 42)
    #expect(directory.expire(now: 2_000).isEmpty)
    #expect(directory[ann]?.participant == ParticipantID(2))
    // Parked again and left too long: forgotten.
    _ = directory.park(ann, from: ParticipantID(2), lastReceived: 50, now: 3_000)
    #expect(directory.expire(now: 3_100) == [ann])
    #expect(directory[ann] == nil)
  }

  @Test func onlyTheNameASessionBeganWithCanResumeIt() {
    var directory = SessionDirectory()
    directory.attach(ann, to: ParticipantID(1), name: "ann", lastReceived: 0)
    _ = directory.park(ann, from: ParticipantID(1), lastReceived: 9, now: 0)
    #expect(directory.resumable(ann, name: "ann")?.lastReceived == 9)
    #expect(directory.resumable(ann, name: "mallory") == nil)
    #expect(directory.resumable(.none, name: "ann") == nil)
    #expect(directory.resumable(ben, name: "ann") == nil)
  }

  @Test func parkingFromAnOldConnectionDoesNotDetachTheNewOne() {
    var directory = SessionDirectory()
    directory.attach(ann, to: ParticipantID(2), name: "n", lastReceived: 5)
    _ = directory.park(ann, from: ParticipantID(1), lastReceived: 3, now: 0)
    #expect(directory[ann]?.participant == ParticipantID(2))
    #expect(directory[ann]?.lastReceived == 5)
  }

  @Test func theOldestParkedSessionsGoBeyondTheLimit() {
    var directory = SessionDirectory(keepFor: 1_000_000, maximumParked: 1)
    directory.attach(ann, to: ParticipantID(1), name: "n", lastReceived: 0)
    directory.attach(ben, to: ParticipantID(2), name: "n", lastReceived: 0)
    _ = directory.park(ann, from: ParticipantID(1), lastReceived: 0, now: 1)
    #expect(directory.park(ben, from: ParticipantID(2), lastReceived: 0, now: 2) == [ann])
  }

  @Test func historyReplaysWhatWasMissedAndCountsWhatIsNoLongerKept() {
    var history = RoomHistory(maximumCount: 3)
    for sequence in UInt64(1)...5 { history.append(RoomText(sequence: sequence, sender: "a", text: "m\(sequence)")) }
    let (kept, forgotten) = history.messages(after: 1, last: 5)
    #expect(kept.map(\.sequence) == [3, 4, 5])
    #expect(forgotten == 1)
    #expect(history.messages(after: 4, last: 5).kept.map(\.sequence) == [5])
    #expect(history.messages(after: 5, last: 5).kept.isEmpty)
  }

  @Test func historyIsBoundedByBytes() {
    var history = RoomHistory(maximumCount: 100, maximumBytes: 100)
    for sequence in UInt64(1)...10 {
      history.append(RoomText(sequence: sequence, sender: "a", text: String(repeating: "x", count: 30)))
    }
    let kept = history.messages(after: 0, last: 10).kept
    #expect(kept.count == 2 && kept.last?.sequence == 10)
  }

  @Test func aHostMessageIsDeliveredWhenEveryMemberHasIt() {
    var receipts = HostReceipts()
    let message = TextMessage(sequence: 7, text: "hi all")
    #expect(receipts.sent(message, to: [ann, ben], others: 2) == nil)
    #expect(receipts.acknowledged(by: ann, through: 7).isEmpty, "ben has not confirmed yet")
    #expect(receipts.acknowledged(by: ben, through: 9) == [.delivered([7])])
    #expect(receipts.count == 0)
  }

  @Test func aHostMessageNobodyCanConfirmIsSaidSo() {
    var receipts = HostReceipts()
    let message = TextMessage(sequence: 1, text: "anyone?")
    #expect(receipts.sent(message, to: [], others: 0) == .notDelivered(message, reason: "no one else is in the room"))
    #expect(receipts.sent(message, to: [ann], others: 1) == nil)
    #expect(
      receipts.forget(ann) == [.notDelivered(message, reason: "everyone it was for left before receiving it")])
  }
}
