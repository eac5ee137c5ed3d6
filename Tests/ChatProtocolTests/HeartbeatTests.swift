import ChatProtocol
import Testing

@Suite("Heartbeat: pings, lateness, death")
struct HeartbeatTests {
  private let second: UInt64 = 1_000_000_000

  @Test func pingsAtOnceThenEveryIntervalWhileNoneIsOutstanding() throws {
    var heartbeat = Heartbeat(pingInterval: 10 * second, deadAfter: 30 * second)
    #expect(heartbeat.nextTick == 0, "nothing heard yet: tick at once")
    let firstTick = heartbeat.tick(now: second)
    let ping: UInt64? = if case .alive(let value?, nil) = firstTick { value } else { nil }
    let first = try #require(ping, "the first tick pings: \(firstTick)")
    let second2 = heartbeat.tick(now: 2 * second)
    #expect(second2 == .alive(ping: nil, lateFor: nil), "one ping outstanding at a time")
    let roundTrip = heartbeat.pong(first, now: 3 * second)
    #expect(roundTrip == 2 * second)
    let again = heartbeat.pong(first, now: 4 * second)
    #expect(again == nil, "a pong counts once")
    #expect(heartbeat.nextTick == 11 * second)
    let next = heartbeat.tick(now: 11 * second)
    #expect(next == .alive(ping: 11 * second, lateFor: nil), "a ping after the interval")
  }

  @Test func silenceIsLateThenDead() {
    var heartbeat = Heartbeat(pingInterval: 10 * second, deadAfter: 30 * second)
    let wasLate = heartbeat.heard(now: 0)
    #expect(!wasLate)
    #expect(heartbeat.lateAfter == 12 * second, "an interval plus 2 s")
    _ = heartbeat.tick(now: 0)
    let late = heartbeat.tick(now: 13 * second)
    #expect(late == .alive(ping: nil, lateFor: 13 * second))
    #expect(heartbeat.reportedLate)
    #expect(heartbeat.nextTick == 14 * second, "once a second while late")
    let dead = heartbeat.tick(now: 30 * second)
    #expect(dead == .dead)
    let heardAgain = heartbeat.heard(now: 31 * second)
    #expect(heardAgain, "heard again after being reported late")
    #expect(!heartbeat.reportedLate)
  }

  @Test func whileNotReadingTheSilenceIsOurs() {
    var heartbeat = Heartbeat(pingInterval: 10 * second, deadAfter: 30 * second)
    _ = heartbeat.heard(now: 0)
    heartbeat.setPaused(true, for: .pacing, now: 0)
    let paused = heartbeat.tick(now: 100 * second)
    #expect(paused != .dead)
    heartbeat.setPaused(false, for: .pacing, now: 100 * second)
    let soon = heartbeat.tick(now: 129 * second)
    #expect(soon != .dead)
    let later = heartbeat.tick(now: 130 * second)
    #expect(later == .dead)
  }

  /// Pacing ending doesn't make the silence count while the front end still holds the
  /// reading back: each cause is lifted on its own.
  @Test func everyPauseMustBeLiftedBeforeSilenceCounts() {
    var heartbeat = Heartbeat(pingInterval: 10 * second, deadAfter: 30 * second)
    _ = heartbeat.heard(now: 0)
    heartbeat.setPaused(true, for: .pacing, now: 0)
    heartbeat.setPaused(true, for: .frontEndBehind, now: 0)
    heartbeat.setPaused(false, for: .pacing, now: 10 * second)
    let stillHeld = heartbeat.tick(now: 100 * second)
    #expect(stillHeld != .dead, "the front end still holds the reading back")
    heartbeat.setPaused(false, for: .frontEndBehind, now: 100 * second)
    let soon = heartbeat.tick(now: 129 * second)
    #expect(soon != .dead)
    let later = heartbeat.tick(now: 130 * second)
    #expect(later == .dead)
  }
}
