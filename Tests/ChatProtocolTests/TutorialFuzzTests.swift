import ChatFuzzing
import ChatProtocol
import Testing

@Suite("Fuzzing the tutorials' framing")
struct TutorialFuzzTests {
  /// Inputs around the interesting shapes: frames, a challenge and answer, bad lengths.
  static let seeds: [[UInt8]] = [
    [0x00, 0x03] + [5, 0, 0, 0] + Array("hello".utf8) + [0, 0, 0, 0],
    [0x01, 0x07] + [6, 0, 0, 0] + Array("你好".utf8),
    [0x03, 0x10] + [UInt8](repeating: 0x5a, count: 32) + [2, 0, 0, 0, 0x68, 0x69],
    [0x02, 0x01] + [UInt8](repeating: 0x11, count: 16) + [1, 0, 0, 0, 0x41],
    [0x04, 0x02] + [4, 0, 0, 0, 0xc4, 0xe3, 0xff, 0x80],
    [0x00, 0x00] + [0xff, 0xff, 0xff, 0xff],
    [0x01, 0x05] + [0x00, 0x10, 0x00, 0x00],
  ]

  @Test func theSeedsRunClean() {
    for input in Self.seeds {
      #expect(TutorialFuzzHarness.run(input).violations == [], "input \(FuzzHarness.hexString(input))")
    }
  }

  @Test func thousandsOfMutatedInputsBreakNothing() {
    var fuzzer = MutationFuzzer(seed: 15, corpus: Self.seeds)
    for _ in 0..<3_000 {
      let input = fuzzer.next()
      let violations = TutorialFuzzHarness.run(input).violations
      if !violations.isEmpty {
        Issue.record("\(violations) for input \(FuzzHarness.hexString(input))")
        return
      }
    }
  }
}
