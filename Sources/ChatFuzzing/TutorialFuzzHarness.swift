public import ChatProtocol
import NIOCore

/// One fuzz input run through the tutorials' framing (`--framing tutorial`): the
/// ``TutorialMachine`` fed the bytes in reads of varying sizes, with lines sent between
/// reads.
///
/// Properties checked: nothing received is larger than the limit, and its wire size is its
/// size plus the 4-byte header; a refused length is refused as soon as its header is in (no
/// read waits for a payload it will refuse); every frame sent decodes back to its text's
/// bytes; the connection ends exactly once, and nothing follows the end.
///
/// Input layout: byte 0 selects the scenario (role, secret, encoding), byte 1 the read
/// sizes, the rest is the byte stream from the peer.
public enum TutorialFuzzHarness {
  static let maximumPayload = 256
  static let secret = SharedSecret(bytes: Array("wan yifei".utf8))!

  /// Runs one input; returns how it ended (nil if it did not) and the properties it broke.
  public static func run(_ input: [UInt8]) -> (end: SessionEnd?, violations: [String]) {
    guard input.count >= 2 else { return (nil, []) }
    let scenario = input[0]
    let cut = Int(input[1] % 32) + 1
    let stream = Array(input.dropFirst(2))
    let role: TutorialMachine.Role = scenario & 1 == 0 ? .listener : .connector
    let encoding = TutorialTextEncoding.allCases[Int(scenario >> 2) % TutorialTextEncoding.allCases.count]
    var machine = TutorialMachine(
      configuration: .init(
        role: role, secret: scenario & 2 == 0 ? nil : secret, maximumPayloadLength: maximumPayload,
        encoding: encoding),
      challenge: Array(repeating: 0x5a, count: TutorialHMAC.challengeSize))
    var violations: [String] = []
    var ends: [SessionEnd] = []
    func check(_ actions: [TutorialMachine.Action]) {
      for action in actions {
        if !ends.isEmpty { violations.append("an action after the end: \(action)") }
        switch action {
        case .received(_, let textBytes, let wireBytes):
          if textBytes > maximumPayload { violations.append("received \(textBytes) bytes, over the limit") }
          if wireBytes != textBytes + TutorialFrameDecoder.headerSize { violations.append("wire bytes miscounted") }
        case .send(let frame, _, let textBytes):
          var buffer = ByteBuffer(bytes: frame)
          let decoder = TutorialFrameDecoder(maximumPayloadLength: Int(Int32.max))
          let payload = try? decoder.decode(&buffer)
          if payload?.count != textBytes || buffer.readableBytes != 0 { violations.append("a sent frame misdecodes") }
        case .close(let end):
          ends.append(end)
        default:
          break
        }
      }
    }
    check(machine.start())
    var buffer = ByteBuffer()
    var offset = 0
    while offset < stream.count {
      let end = min(stream.count, offset + cut + (offset % 5))
      buffer.writeBytes(stream[offset..<end])
      offset = end
      check(machine.receive(&buffer))
      if !ends.isEmpty { break }
      if let length = try? TutorialFrameDecoder(maximumPayloadLength: maximumPayload).announcedLength(in: buffer),
        machine.isOpen, buffer.readableBytes >= TutorialFrameDecoder.headerSize + length
      {
        violations.append("a whole frame was left in the buffer")
      }
      check(machine.send("回复 \(offset)"))
    }
    check(machine.inputEnded(leftover: buffer.readableBytes))
    check(machine.localClose(Goodbye(code: .userQuit, reason: "done")))
    if ends.count != 1 { violations.append("the connection ended \(ends.count) times") }
    return (ends.first, violations)
  }
}
