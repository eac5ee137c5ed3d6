import ChatTestSupport
import Foundation
import Testing

/// A chat whose standard output nobody reads must not grow without bound: it stops reading
/// the network until its output drains, and then catches up.
@Suite("End to end: a front end that falls behind", .serialized)
struct SlowFrontEndEndToEndTests {
  static let lineCount = 2000
  /// 16 KB lines: 32 MB in all, far more than chat may hold back.
  static func text(_ number: Int) -> String {
    "message \(number) " + String(repeating: "x", count: 16 << 10)
  }

  /// Resident memory sampled every 100 ms while `sending` runs, at most `seconds`.
  func peakResident(of process: ChatProcess, seconds: Double, until done: @Sendable () async -> Bool) async throws
    -> Int
  {
    var peak = try process.residentKilobytes()
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline, !(await done()) {
      peak = max(peak, try process.residentKilobytes())
      try await Task.sleep(for: .milliseconds(100))
    }
    return max(peak, try process.residentKilobytes())
  }

  /// Waits until `count` lines match, as long as each 45 s brings at least one more: a
  /// loaded machine may be slow to catch up, but a stall fails with how far it got.
  func awaitCatchingUp(_ process: ChatProcess, count: Int, where matches: @escaping @Sendable ([String]) -> Bool)
    async throws -> [[String]]
  {
    var seen = 0
    while true {
      let before = seen
      let lines = try await process.lines.wait("more than \(before) of \(count) lines (stalled?)", seconds: 45) {
        lines, _ in
        lines.lazy.filter(matches).count > before
      }
      seen = lines.filter(matches).count
      if seen >= count { return lines }
    }
  }

  @Test func aClientWhoseOutputIsNotReadStaysBoundedAndCatchesUp() async throws {
    // The relay may hold all of it for bob (--max-queue), so that bob is slow, not gone.
    let alice = try ChatProcess([
      "--listen", "127.0.0.1:0", "--name", "alice", "--rate", "100000", "--byte-rate", "1073741824",
      "--max-queue", "134217728",
    ])
    let port = try await alice.listeningPort()
    let bob = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"], readsOutput: false)
    try await alice.line("joined") { $0[1] == "bob" }
    let carol = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "carol"])
    try await alice.line("joined") { $0[1] == "carol" }
    let baseline = try bob.residentKilobytes()

    let lines = (1...Self.lineCount).map { Self.text($0) + "\n" }.joined()
    Task.detached { carol.write(Data(lines.utf8)) }
    let peak = try await peakResident(of: bob, seconds: 30) {
      await alice.lines.entries.filter { $0.first == "recv" && $0[1] == "carol" }.count >= Self.lineCount
    }
    // The room has relayed all 32 MB; bob holds back about 1 MB of it (33 MB before).
    let growth = peak - baseline
    #expect(growth < 8 << 10, "bob grew by \(growth) KB")

    bob.startReadingOutput()
    let caughtUp = try await awaitCatchingUp(bob, count: Self.lineCount) { $0.first == "recv" && $0[1] == "carol" }
    let received = caughtUp.filter { $0.first == "recv" && $0[1] == "carol" }.map { $0.last!.prefix(14) }
    #expect(received == (1...Self.lineCount).map { Self.text($0).prefix(14) })
    #expect(!caughtUp.contains { $0.first == "disconnected" })
  }

  @Test func aHostWhoseOutputIsNotReadStaysBoundedAndCatchesUp() async throws {
    // The host's output is not read, so its listening line can't be: give it a free port.
    let free = try ClosedPort()
    free.release()
    let alice = try ChatProcess(
      [
        "--listen", "127.0.0.1:\(free.port)", "--name", "alice", "--rate", "100000", "--byte-rate", "1073741824",
      ], readsOutput: false)
    // Four senders of 350 lines (5.7 MB) each: 23 MB in all, while no sender has more
    // waiting than its own 8 MiB limit for a peer that does not read.
    let senders = try (1...4).map { try ChatProcess(["--connect", "127.0.0.1:\(free.port)", "--name", "s\($0)"]) }
    for sender in senders { try await sender.line("welcome") }
    let baseline = try alice.residentKilobytes()
    for (index, sender) in senders.enumerated() {
      let lines = (1...350).map { "s\(index + 1) " + Self.text($0) + "\n" }.joined()
      Task.detached { sender.write(Data(lines.utf8)) }
    }
    // Long enough for all of it to have arrived, were the host reading.
    let peak = try await peakResident(of: alice, seconds: 8) { false }
    let growth = peak - baseline
    #expect(growth < 8 << 10, "alice grew by \(growth) KB")

    alice.startReadingOutput()
    let caughtUp = try await awaitCatchingUp(alice, count: 1400) { $0.first == "recv" }
    // Each message exactly once.
    let received = caughtUp.filter { $0.first == "recv" }.map { $0.last!.prefix(20) }
    #expect(received.count == 1400)
    #expect(Set(received).count == 1400)
  }
}
