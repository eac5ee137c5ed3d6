import ChatProtocol
import ChatRoom
import Testing

@Suite("Per-address limits: one address however written, IPv6 by /64, auth guessing slowed not locked out")
struct AddressLimitTests {
  let second: UInt64 = 1_000_000_000

  func room(_ configure: (inout RoomLimits) -> Void = { _ in }) -> RoomState {
    var limits = RoomLimits()
    configure(&limits)
    return RoomState(limits: limits, host: nil)
  }

  @Test func anIPv4MappedAddressIsTheIPv4Address() {
    var state = room { $0.maximumConnectionsPerAddress = 2 }
    #expect(state.admit(address: "127.0.0.1", now: 0) == nil)
    #expect(state.admit(address: "::ffff:127.0.0.1", now: 0) == nil)
    let third = state.admit(address: "::FFFF:7f00:1", now: 0)
    #expect(third?.code == .busy, "the same address written three ways has one budget")
    #expect(third?.message.contains("127.0.0.1") == true)
    state.connectionClosed(address: "::ffff:127.0.0.1")
    #expect(state.admit(address: "127.0.0.1", now: 0) == nil)
  }

  @Test func anIPv6Slash64IsOneAddress() {
    var state = room { $0.maximumConnectionsPerAddress = 2 }
    #expect(state.admit(address: "2001:db8:1:2::1", now: 0) == nil)
    #expect(state.admit(address: "2001:db8:1:2:ffff:ffff:ffff:ffff", now: 0) == nil)
    let third = state.admit(address: "2001:0db8:0001:0002:dead:beef:0:1", now: 0)
    #expect(third?.code == .busy)
    #expect(third?.message.contains("2001:db8:1:2::/64") == true, "\(third?.message ?? "")")
    #expect(state.admit(address: "2001:db8:1:3::1", now: 0) == nil, "the next /64 is another address")
  }

  @Test func authFailuresFromOneSlash64AddUp() {
    var state = room { $0.authFailuresAllowed = 2 }
    _ = state.authenticationFailed(address: "2001:db8::1", now: 0)
    _ = state.authenticationFailed(address: "2001:db8::2", now: 0)
    #expect(state.admit(address: "2001:db8::3", now: 0)?.code == .authThrottled)
    _ = state.authenticationFailed(address: "::ffff:10.0.0.1", now: 0)
    _ = state.authenticationFailed(address: "10.0.0.1", now: 0)
    #expect(state.admit(address: "10.0.0.1", now: 0)?.code == .authThrottled)
  }

  /// Five wrong secrets used to lock the address out for a minute. Now each failure past
  /// the allowance doubles the wait before the next attempt (1 s, 2 s, 4 s, … up to 60 s).
  @Test func guessingIsSlowedByADoublingWaitNotALockout() {
    var state = room()  // 5 failures free, then 1 s doubling to 60 s
    var now: UInt64 = 0
    for _ in 1...4 {
      _ = state.authenticationFailed(address: "10.0.0.9", now: now)
      #expect(state.admit(address: "10.0.0.9", now: now) == nil)
      state.connectionClosed(address: "10.0.0.9")
    }
    // The fifth failure: the next attempt waits 1 s, not a minute.
    _ = state.authenticationFailed(address: "10.0.0.9", now: now)
    let refusal = state.admit(address: "10.0.0.9", now: now)
    #expect(refusal?.code == .authThrottled)
    #expect(refusal?.message.contains("try again in 1 s") == true, "\(refusal?.message ?? "")")
    now += second
    #expect(state.admit(address: "10.0.0.9", now: now) == nil, "an honest retry a second later gets in")
    state.connectionClosed(address: "10.0.0.9")
    // A guesser waits twice as long after every further failure, up to a minute.
    var waits: [UInt64] = []
    for _ in 0..<8 {
      _ = state.authenticationFailed(address: "10.0.0.9", now: now)
      var wait: UInt64 = 0
      while state.admit(address: "10.0.0.9", now: now + wait) != nil { wait += second }
      state.connectionClosed(address: "10.0.0.9")
      waits.append(wait / second)
      now += wait
    }
    #expect(waits == [2, 4, 8, 16, 32, 60, 60, 60])
  }

  /// Opening many connections at once when the wait ends must not buy many guesses: while
  /// an address is past its allowance, each admitted attempt reserves the next wait.
  @Test func parallelAttemptsDoNotBypassTheWait() {
    var state = room()
    for _ in 1...5 { _ = state.authenticationFailed(address: "10.0.0.9", now: 0) }
    let now = 1 * second
    #expect(state.admit(address: "10.0.0.9", now: now) == nil)
    let parallel = (0..<99).compactMap { _ in state.admit(address: "10.0.0.9", now: now) }
    #expect(parallel.count == 99, "the other 99 connections opened at that instant are turned away")
    #expect(parallel.allSatisfy { $0.code == .authThrottled })
    // An address still inside its allowance is not held back at all.
    for _ in 1...3 { _ = state.authenticationFailed(address: "10.0.0.8", now: 0) }
    #expect((0..<10).allSatisfy { _ in state.admit(address: "10.0.0.8", now: 0) == nil })
  }

  @Test func aQuietAddressIsForgotten() {
    var state = room()
    for _ in 1...5 { _ = state.authenticationFailed(address: "10.0.0.9", now: 0) }
    #expect(state.admit(address: "10.0.0.9", now: 0) != nil)
    // A minute after its wait ended, the address starts afresh: 4 more failures are free.
    let later = 62 * second
    for _ in 1...4 { _ = state.authenticationFailed(address: "10.0.0.9", now: later) }
    #expect(state.admit(address: "10.0.0.9", now: later) == nil)
  }

  @Test func theAuthFailureTableStaysBoundedUnderASprayOfAddresses() {
    var state = room()
    // 50,000 addresses fail once each within a second: at most the table's capacity is kept.
    for index in 0..<50_000 {
      let address = "10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)"
      _ = state.authenticationFailed(address: address, now: UInt64(index) * 20_000)
    }
    #expect(state.authFailureRecords <= RoomLimits().maximumAuthFailureRecords)
    // And a minute later (waits over, nothing new), the records expire on the next touch.
    _ = state.authenticationFailed(address: "10.255.255.255", now: 200 * second)
    #expect(state.authFailureRecords == 1)
  }
}
