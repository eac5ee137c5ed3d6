import ChatFuzzing
import ChatProtocol
import Foundation
import NIOCore
import Testing

/// The fuzz harness in the test suite: a fixed-seed run of the mutation fuzzer, and the
/// named bad inputs of the network.
@Suite("Fuzzing the decoder and the session machine")
struct FuzzTests {
  @Test func theSeedCorpusRunsClean() {
    for input in MutationFuzzer.seedCorpus { expectNoViolation(input) }
  }

  /// Found by libFuzzer in CI's minute: a record holding a FILE_OFFER and then a frame
  /// that ends the session. The machine passed the offer while established with `files`;
  /// the harness asked whether `files` was on only after the whole record, when the session
  /// was already over, and called it a violation (the harness's mistake, not the machine's).
  @Test func aFileFrameAndTheEndInOneRecordIsNoViolation() {
    let input = Array(
      Data(
        base64Encoded:
          "GSgAAAA2QB8fu7AudHR4AAAAHEEfHx8fHx8fHx8fHx8fHx8fAAAAAAAAAAAAQAAAAAAAG0MfHx8fHx8NAQAAAA4QCgAAAAAAAAHkvaDlpb0AAAAIEQIAAAAAAAABAAAAABFDAAAA"
      )!)
    expectNoViolation(input)
  }

  @Test(arguments: [UInt64(1), 2])
  func thousandsOfMutatedInputsBreakNothing(seed: UInt64) {
    var fuzzer = MutationFuzzer(seed: seed)
    var distinct = Set<[UInt8]>()
    var firstFailing: [UInt8]?
    for _ in 0..<2_000 {
      let input = fuzzer.next()
      distinct.insert(input)
      if firstFailing == nil, !FuzzHarness.run(input).violations.isEmpty { firstFailing = input }
    }
    // The first input that broke something fails the test, named (not a thousand issues).
    if let firstFailing { expectNoViolation(firstFailing) }
    #expect(distinct.count > 1_500, "the mutations vary: \(distinct.count) distinct inputs")
  }

  /// The bad inputs the network may send, through the same harness: each ends the
  /// session with the error it deserves. Scenario 0x08: a listener whose peer already
  /// said hello (no secret); 0x00: a listener before any hello; 0x0a: one with a secret.
  @Test(arguments: [
    ("garbage before the hello", "0040" + "deadbeefcafebabe0102030405", ErrorCode.unknownFrameType),
    ("an HTTP request", "0040" + hex("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), .notChatProtocol),
    ("a TLS ClientHello", "0040" + "16030102000100", .notChatProtocol),
    ("a header announcing 4 GiB", "0840" + "ffffffff10", .frameTooLarge),
    ("a zero-length text", "0840" + "0000000010", .malformedFrame),
    ("text that is not UTF-8", "0840" + "0000000a10" + "0000000000000001fffe", .invalidUTF8),
    ("an unknown frame type", "0840" + "000000007f", .unknownFrameType),
    ("a second hello", "0800" + helloHex, .unexpectedFrame),
    ("text before the handshake", "0040" + "0000000a10" + "00000000000000016869", .unexpectedFrame),
    (
      "a version-1 auth proof",
      "0a40" + authHelloHex + "0000002002" + String(repeating: "ab", count: 32), .unexpectedFrame
    ),
  ])
  func badInputEndsTheSessionWithAClearError(name: String, input: String, code: ErrorCode) {
    let end = expectNoViolation(decodeHex(input))
    switch end {
    case .failed(let actual, let reason)?:
      #expect(actual == code, "\(name): \(reason)")
      #expect(!reason.isEmpty)
    case .authFailed(let reason)?:
      #expect(code == .authFailed, "\(name): \(reason)")
    default:
      Issue.record("\(name): ended \(String(describing: end))")
    }
  }

  @Test func aFrameCutShortByTheCloseIsAConnectionLoss() {
    let end = expectNoViolation(decodeHex("0840" + "0000000a10" + "00000000"))
    #expect(end == .connectionLost("fuzz input over"))
  }

  @Test func anInputTooShortForASessionIsNone() {
    let outcome = FuzzHarness.run([0])
    #expect(outcome.end == nil)
    #expect(outcome.violations.isEmpty)
  }

  @Test func aFailingInputIsNamedInHexToReplay() {
    #expect(FuzzHarness.hexString([0x0a, 0xff, 0x00, 0x7]) == "0aff0007")
    #expect(decodeHex(FuzzHarness.hexString(Array(0...255))) == Array(0...255))
  }

  /// Runs one input through the harness; each property it breaks fails this test, with
  /// the input in hex to replay it (`chat-fuzz FILE`, or a regression case above).
  @discardableResult
  func expectNoViolation(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> SessionEnd? {
    let outcome = FuzzHarness.run(input)
    for violation in outcome.violations {
      Issue.record("\(violation); input \(FuzzHarness.hexString(input))", sourceLocation: sourceLocation)
    }
    return outcome.end
  }
}

private func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }

private func frameHex(_ frame: Frame) -> String {
  frame.encoded().readableBytesView.map { String(format: "%02x", $0) }.joined()
}

private let helloHex = frameHex(
  .hello(Hello(offersAuth: false, maximumPayloadLength: 4096, nonce: [UInt8](repeating: 5, count: 32), name: "x")))
private let authHelloHex = frameHex(
  .hello(Hello(offersAuth: true, maximumPayloadLength: 4096, nonce: [UInt8](repeating: 6, count: 32), name: "eve")))
