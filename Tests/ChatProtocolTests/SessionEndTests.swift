import ChatProtocol
import Testing

@Suite("Session ends: which are worth connecting again, and when")
struct SessionEndTests {
  /// A relay that makes an address wait after failed authentications says "try again in
  /// 1 s": the connector does, after that long, instead of giving up.
  @Test func anAuthThrottleIsWorthRetryingAfterTheBlock() {
    let throttled = SessionEnd.failed(
      .authThrottled, "peer reported auth throttled: too many failed authentications from ::1; try again in 42 s")
    #expect(throttled.isWorthReconnecting)
    #expect(throttled.retryAfter == 42_000_000_000)
    #expect(SessionEnd.failed(.authThrottled, "try again in 1.5 s").retryAfter == 1_500_000_000)
    #expect(SessionEnd.failed(.authThrottled, "try again in 250 ms").retryAfter == 250_000_000)
  }

  @Test func theWaitAskedForIsBounded() {
    #expect(SessionEnd.failed(.authThrottled, "try again in 999999 s").retryAfter == 3_600_000_000_000)
    #expect(SessionEnd.failed(.authThrottled, "try again in 0 s").retryAfter == 1_000_000)
    #expect(SessionEnd.failed(.authThrottled, "go away").retryAfter == 60_000_000_000)
    #expect(SessionEnd.failed(.authThrottled, "try again in soon").retryAfter == 60_000_000_000)
    #expect(SessionEnd.connectionLost("reset").retryAfter == nil)
  }

  /// A busy relay ("the room is full", "too many handshaking; try again") is tried again
  /// with the usual backoff rather than given up on.
  @Test func aBusyRelayIsWorthRetrying() {
    #expect(SessionEnd.failed(.busy, "peer reported busy: the room is full (10000 connections)").isWorthReconnecting)
  }

  @Test func aProtocolErrorOrAuthFailureIsNot() {
    #expect(!SessionEnd.failed(.malformedFrame, "x").isWorthReconnecting)
    #expect(!SessionEnd.failed(.invalidName, "x").isWorthReconnecting)
    #expect(!SessionEnd.authFailed("the shared secrets differ").isWorthReconnecting)
  }
}
