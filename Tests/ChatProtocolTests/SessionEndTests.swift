import ChatProtocol
import Testing

@Suite("Session ends: which are worth connecting again")
struct SessionEndTests {
  /// A relay that makes an address wait after failed authentications says "try again in
  /// 1 s": the connector does, with its backoff, instead of giving up.
  @Test func anAuthThrottleIsWorthRetrying() {
    #expect(SessionEnd.failed(.authThrottled, "too many failed authentications; try again in 1 s").isWorthReconnecting)
  }

  @Test func aProtocolErrorOrAuthFailureIsNot() {
    #expect(!SessionEnd.failed(.malformedFrame, "x").isWorthReconnecting)
    #expect(!SessionEnd.failed(.invalidName, "x").isWorthReconnecting)
    #expect(!SessionEnd.authFailed("the shared secrets differ").isWorthReconnecting)
  }
}
