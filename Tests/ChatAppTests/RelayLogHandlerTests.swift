import ChatApp
import ChatProtocol
import ChatRoom
import Logging
import NIOConcurrencyHelpers
import Testing

@Suite("The relay's log: peer text escaped and capped, lines per peer limited")
struct RelayLogHandlerTests {
  /// Keeps what would have been written.
  struct Capture: LogHandler {
    let lines: NIOLockedValueBox<[(Logger.Level, String)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      lines.withLockedValue { $0.append((event.level, event.message.description)) }
    }
  }

  /// The test's clock, in nanoseconds: time moves only when the test says so.
  let clock = NIOLockedValueBox<UInt64>(0)

  func logger(_ limiter: LogLimiter = LogLimiter()) -> (Logger, NIOLockedValueBox<[(Logger.Level, String)]>) {
    let lines = NIOLockedValueBox<[(Logger.Level, String)]>([])
    let shared = NIOLockedValueBox(limiter)
    let clock = clock
    let logger = Logger(label: "test") { _ in
      RelayLogHandler(wrapping: Capture(lines: lines), limiter: shared, now: { clock.withLockedValue { $0 } })
    }
    return (logger, lines)
  }

  @Test func aHostileReasonIsEscapedAndCapped() {
    let (log, lines) = logger()
    let reason =
      "\u{1b}]0;pwned\u{7}\u{1b}[2J\n2026-01-01T00:00:00Z forged line\u{9b}\u{202e}"
      + String(repeating: "x", count: 1 << 20)
    log.notice("127.0.0.1:5: \(reason)", metadata: ["peer": "127.0.0.1"])
    let written = lines.withLockedValue { $0 }
    #expect(written.count == 1)
    let line = written[0].1
    #expect(!line.unicodeScalars.contains { SafeText.isUnsafe($0) }, "no raw control, C1 or bidi character")
    #expect(
      line.hasPrefix("127.0.0.1:5: \\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\n2026-01-01T00:00:00Z forged line\\u{9b}\\u{202e}x")
    )
    #expect(line.hasSuffix("…"))
    #expect(line.count <= RelayLogHandler.lineLimit + 60)
  }

  @Test func oneFloodingPeerIsLimitedAndTheGapIsReported() {
    let (log, lines) = logger(LogLimiter(perAddressBurst: 5, perAddressRate: 1))
    for index in 0..<10_000 {
      log.notice("127.0.0.1:\(index): handshake timeout", metadata: ["peer": "127.0.0.1"])
    }
    log.notice("a line about another peer", metadata: ["peer": "10.0.0.1"])
    #expect(lines.withLockedValue { $0.count } == 5 + 1, "the burst, and the other peer's line")
    // A second later the flooder gets a line again, after a line saying what was left out.
    clock.withLockedValue { $0 += 1_000_000_000 }
    log.notice("127.0.0.1:1: after", metadata: ["peer": "127.0.0.1"])
    let written = lines.withLockedValue { $0.map(\.1) }
    #expect(written.count == 8)
    #expect(written[6] == "left out 9995 log lines about 127.0.0.1 (more than 1 a second)")
    #expect(written[7] == "127.0.0.1:1: after")
  }
}
