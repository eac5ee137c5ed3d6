public import ChatProtocol
import NIOCore

/// One fuzz input run through the pure protocol core: the frame decoder on the bytes, cut
/// into reads of varying sizes, and the session machine fed what decodes (after a valid
/// handshake when the input asks for one, so the fuzzer reaches the established states).
///
/// It checks properties as it goes and returns those that failed: every decoded frame
/// encodes to the very bytes it came from; nothing the machine sends exceeds the peer's
/// limit or fails to decode; a session ends exactly once. The tests and the built-in
/// mutation fuzzer call ``run(_:)`` and report a failing input; libFuzzer (`chat-fuzz`
/// built by scripts/fuzz.sh) calls ``runTrapping(_:)``, which traps on a violation so that
/// libFuzzer records the input as a crash.
///
/// Input layout: byte 0 selects the scenario (role, secrets, handshake done or not, and
/// once done, whether the stream's frames are sealed as a genuine peer's would be or go to
/// the decryptor raw), byte 1 the read sizes, the rest is the byte stream from the peer.
public enum FuzzHarness {
  static let maximumPayload = 4096

  /// What one input did: how the session ended, and the properties it broke.
  public struct Outcome: Sendable {
    /// How the session ended (nil for an input too short to be one).
    public var end: SessionEnd?
    /// Each property that failed, in the order it failed; empty when all held.
    public var violations: [String] = []
  }

  /// Runs one input and returns how it ended and which properties failed.
  public static func run(_ input: [UInt8]) -> Outcome {
    guard input.count >= 2 else { return Outcome(end: nil) }
    let scenario = input[0]
    let cut = Int(input[1] % 64) + 1
    let stream = Array(input.dropFirst(2))
    var driver = MachineDriver(scenario: scenario)
    var decoder = FrameDecoder(maximumPayloadLength: maximumPayload)
    var buffer = ByteBuffer()
    var offset = 0
    var now: UInt64 = 1_000_000_000
    while offset < stream.count, !driver.ended {
      let end = min(stream.count, offset + cut + (offset % 7))
      buffer.writeBytes(stream[offset..<end])
      offset = end
      do {
        var frames: [Frame] = []
        while let frame = try decoder.decode(&buffer) {
          checkRoundTrip(frame, violations: &driver.violations)
          frames.append(frame)
        }
        now += 250_000_000
        driver.receive(frames, now: now)
        driver.afterRead(now: now)
      } catch {
        driver.violations.check(!error.message.isEmpty, "a decoding error says what is wrong")
        driver.decodingFailed(error)
        break
      }
    }
    let end = driver.finish(now: now + 60_000_000_000)
    return Outcome(end: end, violations: driver.violations.list)
  }

  /// Runs one input and traps on the first property that failed, naming it and the input
  /// (libFuzzer records an input by its crash).
  public static func runTrapping(_ input: [UInt8]) {
    let outcome = run(input)
    if let first = outcome.violations.first {
      fatalError("property violated: \(first) (input \(hexString(input)))")
    }
  }

  /// The input in hex, as a failing test or `chat-fuzz` prints it.
  public static func hexString(_ input: [UInt8]) -> String {
    String(input.flatMap { byte in [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xf)]] })
  }

  private static let hexDigits = Array("0123456789abcdef")

  /// The decoder only returns frames whose encoding is well-formed and decodes back to
  /// the same frame.
  static func checkRoundTrip(_ frame: Frame, violations: inout Violations) {
    var encoded = frame.encoded()
    violations.check(encoded.readableBytes == frame.wireLength, "wireLength matches the encoding of \(frame.type)")
    violations.check(frame.payloadLength <= maximumPayload, "no frame above the maximum")
    var decoder = FrameDecoder(maximumPayloadLength: maximumPayload)
    let again = try? decoder.decode(&encoded)
    violations.check(again == frame, "\(frame.type) survives an encode/decode round trip")
  }
}

/// The properties that failed during one input.
struct Violations {
  private(set) var list: [String] = []

  mutating func check(_ holds: Bool, _ property: @autoclosure () -> String) {
    if !holds { list.append(property()) }
  }
}

/// A session machine in the scenario the input chose, with checks on what it does.
struct MachineDriver {
  private var machine: SessionMachine
  private(set) var ended = false
  private var endReports = 0
  private var end: SessionEnd?
  private let peerLimit = Int(FuzzHarness.maximumPayload)
  var violations = Violations()

  /// Seals the stream's frames, as the handshaken peer would, before the machine sees them.
  private var peerSealer: RecordSealer?
  /// Whether the session was handshaken with both hellos listing `files`.
  private var filesNegotiated = false

  init(scenario: UInt8) {
    let shape = HandshakenSession.Scenario(
      role: scenario & 1 == 0 ? .listener : .connector, secret: scenario & 2 != 0, resume: scenario & 4 != 0,
      keepsUndelivered: scenario & 16 != 0)
    // Half the scenarios start from an established session: a real handshake (CPace too
    // with a secret) with a peer machine; the stream's frames are then sealed with the
    // peer's keys, or (bit 5) go to the decryptor as they are.
    if scenario & 8 != 0 {
      let session = HandshakenSession.cached(shape)
      machine = session.machine
      filesNegotiated = machine.supportsFiles
      if scenario & 32 == 0 { peerSealer = session.peerSealer }
      check(machine.send(text: "hello from the harness"))
    } else {
      machine = HandshakenSession.fresh(shape)
      check(machine.start())
    }
  }

  /// The frames of one read, sealed into one record when the peer seals.
  mutating func receive(_ frames: [Frame], now: UInt64) {
    guard !frames.isEmpty else { return }
    guard peerSealer != nil else {
      for frame in frames where !ended { receive(frame, now: now) }
      return
    }
    var plaintext = ByteBuffer()
    for frame in frames { frame.encode(into: &plaintext) }
    var records = peerSealer!.sealed(plaintext)
    var decoder = FrameDecoder(maximumPayloadLength: FuzzHarness.maximumPayload + SessionMachine.recordExpansion)
    while !ended, let record = try? decoder.decode(&records) {
      check(machine.receive(record, now: now))
    }
    for case .text(let message) in frames where !ended { check(machine.send(text: String(message.text.prefix(16)))) }
  }

  mutating func receive(_ frame: Frame, now: UInt64) {
    check(machine.receive(frame, now: now))
    // Whatever the peer sent, the local side goes on using the machine.
    if case .text(let message) = frame { check(machine.send(text: String(message.text.prefix(16)))) }
  }

  mutating func afterRead(now: UInt64) {
    check(machine.acknowledge())
    check(machine.tick(now: now))
    if let next = machine.nextTick { violations.check(next > 0, "a next tick is a time") }
  }

  mutating func decodingFailed(_ error: FrameError) {
    check(machine.decodingFailed(error))
    violations.check(machine.hasEnded, "a decoding error ends the session")
  }

  mutating func finish(now: UInt64) -> SessionEnd? {
    check(machine.transportClosed(reason: "fuzz input over"))
    // After the end, the heartbeat and a goodbye do nothing more.
    check(machine.tick(now: now))
    check(machine.close(Goodbye(code: .userQuit, reason: "done")))
    violations.check(endReports == 1, "a session ends exactly once (\(endReports))")
    violations.check(machine.nextTick == nil, "no heartbeat after the end")
    return end
  }

  private mutating func check(_ actions: [SessionAction]) {
    for action in actions {
      switch action {
      case .send(let frame):
        switch frame {
        case .text, .file:
          violations.check(frame.payloadLength <= peerLimit, "never send more than the peer accepts")
        default:
          break
        }
        FuzzHarness.checkRoundTrip(frame, violations: &violations)
      case .report(.fileFrame(let file, let wireBytes)):
        violations.check(wireBytes == Frame.file(file).wireLength, "a file frame's report counts its wire bytes")
        // Only the handshaken scenarios negotiate `files` (both hellos list it); a record can
        // hold a file frame and then one that ends the session, so the machine may be over
        // by now, but it was never anything but established with `files` when it passed it.
        violations.check(filesNegotiated, "file frames pass only when `files` was negotiated")
        violations.check(machine.supportsFiles || machine.hasEnded, "a file frame passes in an established session")
        // The transfer layer answers some frames; the machine carries the answer.
        if case .offer(let offer) = file {
          check(machine.sendFile(.reject(offer.id, reason: String(offer.name.prefix(8)))))
        }
      case .report(.ended(let how)):
        end = how
        endReports += 1
        violations.check(endReports == 1, "a session ends once")
        ended = true
      case .report, .close, .beginSealing:
        break
      }
    }
  }
}
