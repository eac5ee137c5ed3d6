import ChatProtocol
import Testing

@Suite("How a session ended, and whether to try again")
struct SessionEndTests {
  @Test func anAuthThrottledClientTriesAgainAfterTheBlock() {
    let throttled = SessionEnd.failed(
      .authThrottled, "peer reported auth throttled: too many failed authentications from ::1; try again in 42 s")
    #expect(throttled.isWorthReconnecting)
    #expect(throttled.retryAfter == 42_000_000_000)
  }

  @Test func theWaitAskedForIsBounded() {
    #expect(SessionEnd.failed(.authThrottled, "try again in 999999 s").retryAfter == 3_600_000_000_000)
    #expect(SessionEnd.failed(.authThrottled, "try again in 0 s").retryAfter == 1_000_000_000)
    #expect(SessionEnd.failed(.authThrottled, "go away").retryAfter == 60_000_000_000)
    #expect(SessionEnd.connectionLost("reset").retryAfter == nil)
  }

  @Test func anAuthFailureIsStillFinal() {
    #expect(!SessionEnd.authFailed("the shared secrets differ").isWorthReconnecting)
    #expect(!SessionEnd.failed(.busy, "full").isWorthReconnecting)
  }
}
