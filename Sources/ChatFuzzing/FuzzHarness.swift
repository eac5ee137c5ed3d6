public import ChatProtocol
import NIOCore

/// One fuzz input run through the pure protocol core: the frame decoder on the bytes, cut
/// into reads of varying sizes, and the session machine fed what decodes (after a valid
/// handshake when the input asks for one, so the fuzzer reaches the established states).
///
/// It checks properties as it goes and traps when one fails, like a crash: every decoded
/// frame encodes to the very bytes it came from; nothing the machine sends exceeds the
/// peer's limit or fails to decode; a session ends at most once. libFuzzer (`chat-fuzz`
/// built by scripts/fuzz.sh), the built-in mutation fuzzer and the regression tests all
/// call ``run(_:)``.
///
/// Input layout: byte 0 selects the scenario (role, secrets, handshake done or not),
/// byte 1 the read sizes, the rest is the byte stream from the peer.
public enum FuzzHarness {
  static let maximumPayload = 4096

  /// Returns how the session ended (nil for an input too short to be one).
  @discardableResult
  public static func run(_ input: [UInt8]) -> SessionEnd? {
    guard input.count >= 2 else { return nil }
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
        while let frame = try decoder.decode(&buffer) {
          checkRoundTrip(frame, from: stream)
          now += 250_000_000
          driver.receive(frame, now: now)
          if driver.ended { break }
        }
        driver.afterRead(now: now)
      } catch {
        precondition(!error.message.isEmpty, "a decoding error says what is wrong")
        driver.decodingFailed(error)
        break
      }
    }
    return driver.finish(now: now + 60_000_000_000)
  }

  /// The decoder only returns frames whose encoding is well-formed and decodes back to
  /// the same frame.
  static func checkRoundTrip(_ frame: Frame, from stream: [UInt8]) {
    var encoded = frame.encoded()
    precondition(encoded.readableBytes == frame.wireLength, "wireLength matches the encoding of \(frame.type)")
    precondition(frame.payloadLength <= maximumPayload, "no frame above the maximum")
    var decoder = FrameDecoder(maximumPayloadLength: maximumPayload)
    let again = try? decoder.decode(&encoded)
    precondition(again == frame, "\(frame.type) survives an encode/decode round trip")
  }
}

/// A session machine in the scenario the input chose, with checks on what it does.
struct MachineDriver {
  private var machine: SessionMachine
  private(set) var ended = false
  private var endReports = 0
  private var end: SessionEnd?
  private let peerLimit = Int(FuzzHarness.maximumPayload)

  init(scenario: UInt8) {
    let role: Role = scenario & 1 == 0 ? .listener : .connector
    let secret = scenario & 2 == 0 ? nil : SharedSecret(bytes: "fuzz".utf8)
    var capabilities = [Capability.room]
    if scenario & 4 != 0 { capabilities.append(Capability.resume) }
    machine = SessionMachine(
      configuration: .init(
        role: role, name: "fuzz", secret: secret, maximumPayloadLength: FuzzHarness.maximumPayload,
        capabilities: capabilities, pingInterval: 1_000_000_000, deadAfter: 30_000_000_000,
        keepsUndelivered: scenario & 16 != 0),
      nonce: [UInt8](repeating: 7, count: Hello.nonceLength))
    check(machine.start())
    // Half the scenarios start from an established session: a valid hello from the peer
    // (no secret on either side), then the session frame when it is a `resume` session.
    if scenario & 8 != 0, secret == nil {
      let hello = Hello(
        offersAuth: false, maximumPayloadLength: UInt32(FuzzHarness.maximumPayload),
        nonce: [UInt8](repeating: 9, count: Hello.nonceLength), name: "peer", capabilities: capabilities)
      check(machine.receive(.hello(hello), now: 0))
      if capabilities.contains(Capability.resume) {
        if role == .connector {
          let id = SessionID(bytes: [UInt8](repeating: 3, count: SessionID.length))
          check(
            machine.receive(.sessionAccept(SessionAcceptance(sessionID: id, resumed: false, lastReceived: 0)), now: 0))
        } else {
          check(machine.receive(.session(SessionRequest(sessionID: .none, lastReceived: 0)), now: 0))
          let id = SessionID(bytes: [UInt8](repeating: 4, count: SessionID.length))
          check(machine.acceptSession(SessionAcceptance(sessionID: id, resumed: false, lastReceived: 0)))
        }
      }
      check(machine.send(text: "hello from the harness"))
    }
  }

  mutating func receive(_ frame: Frame, now: UInt64) {
    check(machine.receive(frame, now: now))
    // Whatever the peer sent, the local side goes on using the machine.
    if case .text(let message) = frame { check(machine.send(text: String(message.text.prefix(16)))) }
  }

  mutating func afterRead(now: UInt64) {
    check(machine.acknowledge())
    check(machine.tick(now: now))
    if let next = machine.nextTick { precondition(next > 0, "a next tick is a time") }
  }

  mutating func decodingFailed(_ error: FrameError) {
    check(machine.decodingFailed(error))
    precondition(machine.hasEnded, "a decoding error ends the session")
  }

  mutating func finish(now: UInt64) -> SessionEnd? {
    check(machine.transportClosed(reason: "fuzz input over"))
    // After the end, the heartbeat and a goodbye do nothing more.
    check(machine.tick(now: now))
    check(machine.close(Goodbye(code: .userQuit, reason: "done")))
    precondition(endReports == 1, "a session ends exactly once (\(endReports))")
    precondition(machine.nextTick == nil, "no heartbeat after the end")
    return end
  }

  private mutating func check(_ actions: [SessionAction]) {
    for action in actions {
      switch action {
      case .send(let frame):
        if case .text = frame {
          precondition(frame.payloadLength <= peerLimit, "never send more than the peer accepts")
        }
        FuzzHarness.checkRoundTrip(frame, from: [])
      case .report(.ended(let how)):
        end = how
        endReports += 1
        precondition(endReports == 1, "a session ends once")
        ended = true
      case .report, .close:
        break
      }
    }
  }
}
