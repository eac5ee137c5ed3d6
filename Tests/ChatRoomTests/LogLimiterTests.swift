import ChatRoom
import Testing

@Suite("LogLimiter: what one peer can put in the relay's log is bounded")
struct LogLimiterTests {
  let second: UInt64 = 1_000_000_000

  @Test func aBurstPassesThenOneLineASecondAndTheRestIsCounted() {
    var limiter = LogLimiter(perAddressBurst: 3, perAddressRate: 1)
    var written = 0
    for _ in 0..<100 where limiter.admit(address: "10.0.0.1", now: 0) != .suppress { written += 1 }
    #expect(written == 3)
    // A second later, one line more, with the count of what was left out.
    #expect(limiter.admit(address: "10.0.0.1", now: second) == .write(suppressedFromAddress: 97, suppressedOverall: 0))
    #expect(limiter.admit(address: "10.0.0.1", now: second) == .suppress)
    // Another address is not held back by the first one's flood.
    #expect(limiter.admit(address: "10.0.0.2", now: second) == .write(suppressedFromAddress: 0, suppressedOverall: 0))
  }

  @Test func theSameMachineIsOneAddressHoweverWritten() {
    var limiter = LogLimiter(perAddressBurst: 2, perAddressRate: 1)
    _ = limiter.admit(address: "2001:db8::1", now: 0)
    _ = limiter.admit(address: "2001:db8::2", now: 0)
    #expect(limiter.admit(address: "2001:db8::3", now: 0) == .suppress)
    _ = limiter.admit(address: "127.0.0.1", now: 0)
    _ = limiter.admit(address: "::ffff:127.0.0.1", now: 0)
    #expect(limiter.admit(address: "127.0.0.1", now: 0) == .suppress)
  }

  @Test func aSprayOfAddressesIsHeldByTheSharedLimit() throws {
    var limiter = LogLimiter(perAddressBurst: 20, perAddressRate: 1, totalBurst: 50, totalRate: 10, capacity: 100)
    var written = 0
    var reported = 0
    // 10,000 addresses, one line each, within one second: the shared bucket holds.
    for index in 0..<10_000 {
      let address = "127.0.\(index >> 8).\(index & 255)"
      if case .write(_, let overall) = limiter.admit(address: address, now: UInt64(index) * 100_000) {
        written += 1
        reported += overall
      }
    }
    #expect(written <= 50 + 10)
    #expect(limiter.count <= 100, "the table of addresses stays bounded")
    // The next line written reports what was left out.
    let overall = try #require(
      limiter.admit(address: nil, now: 10 * second).suppressedOverall, "a room line after the flood was not written")
    #expect(reported + overall == 10_000 - written, "every line left out is reported once")
  }
}

extension LogLimiter.Verdict {
  /// The lines left out in all, reported with a line that is written.
  var suppressedOverall: Int? { if case .write(_, let overall) = self { overall } else { nil } }
}
