import ChatProtocol
import NIOCore
import Testing

@Suite("Tutorial machine: the hmac client check, framing both ways, how it ends")
struct TutorialMachineTests {
  static let secret = SharedSecret(bytes: Array("wan yifei".utf8))!
  static let challenge = Array(0..<32).map { UInt8($0) }

  static func machine(
    _ role: TutorialMachine.Role, secret: SharedSecret? = nil, encoding: TutorialTextEncoding = .utf8
  ) -> TutorialMachine {
    TutorialMachine(
      configuration: .init(role: role, secret: secret, maximumPayloadLength: 1 << 20, encoding: encoding),
      challenge: challenge)
  }

  /// The bytes the actions write, in order.
  static func written(_ actions: [TutorialMachine.Action]) -> [UInt8] {
    actions.flatMap { action -> [UInt8] in
      switch action {
      case .write(let bytes): bytes
      case .send(let frame, _, _): frame
      default: []
      }
    }
  }

  static func received(_ actions: [TutorialMachine.Action]) -> [String] {
    actions.compactMap { if case .received(let message, _, _) = $0 { message.text } else { nil } }
  }

  static func feed(_ machine: inout TutorialMachine, _ bytes: [UInt8], buffer: inout ByteBuffer) -> [TutorialMachine
    .Action]
  {
    buffer.writeBytes(bytes)
    return machine.receive(&buffer)
  }

  @Test func hmacMatchesPythonsHmacNewWithMD5() {
    // python3 -c "import hmac; print(hmac.new(b'wan yifei', bytes(range(32)), 'md5').hexdigest())"
    let answer = TutorialHMAC.answer(secret: Self.secret, challenge: Self.challenge)
    let expected: [UInt8] = [
      0xe8, 0x21, 0x7d, 0x4e, 0x5a, 0xa5, 0x81, 0x44, 0x9e, 0x52, 0x92, 0xb2, 0xd4, 0x73, 0x94, 0x9c,
    ]
    #expect(answer == expected)
    #expect(TutorialHMAC.verify(answer, secret: Self.secret, challenge: Self.challenge))
    #expect(!TutorialHMAC.verify(answer.dropLast() + [0], secret: Self.secret, challenge: Self.challenge))
    #expect(!TutorialHMAC.verify(Array(answer.dropLast()), secret: Self.secret, challenge: Self.challenge))
  }

  @Test func withoutASecretMessagesFlowAtOnce() {
    var listener = Self.machine(.listener)
    #expect(listener.start() == [.established(.tutorial(secret: false))])
    var connector = Self.machine(.connector)
    var early = connector.send("typed before connecting")
    #expect(early.isEmpty)
    early = connector.start()
    #expect(early.first == .established(.tutorial(secret: false)))
    var buffer = ByteBuffer()
    #expect(Self.received(Self.feed(&listener, Self.written(early), buffer: &buffer)) == ["typed before connecting"])
  }

  @Test func theCheckPassesWithTheSameSecretEvenWhenBytesAreSplitAndMerged() {
    var listener = Self.machine(.listener, secret: Self.secret)
    var connector = Self.machine(.connector, secret: Self.secret)
    #expect(connector.start().isEmpty)
    #expect(connector.send("你好").isEmpty)  // kept until the check is done
    let challenge = Self.written(listener.start())
    #expect(challenge == Self.challenge)
    // The challenge arrives in two pieces.
    var toConnector = ByteBuffer()
    #expect(Self.feed(&connector, Array(challenge.prefix(20)), buffer: &toConnector).isEmpty)
    let answered = Self.feed(&connector, Array(challenge.dropFirst(20)), buffer: &toConnector)
    #expect(answered.contains(.established(.tutorial(secret: true))))
    // The answer and the first frame arrive stuck together, then a split second frame.
    let bytes = Self.written(answered) + Self.written(connector.send("second")) + Self.written(connector.send("third"))
    var toListener = ByteBuffer()
    let first = Self.feed(&listener, Array(bytes.dropLast(3)), buffer: &toListener)
    #expect(first.first == .established(.tutorial(secret: true)))
    #expect(Self.received(first) == ["你好", "second"])
    #expect(Self.received(Self.feed(&listener, Array(bytes.suffix(3)), buffer: &toListener)) == ["third"])
    // And back.
    var back = ByteBuffer()
    let reply = Self.written(listener.send("回复"))
    #expect(Self.received(Self.feed(&connector, reply, buffer: &back)) == ["回复"])
  }

  @Test func aWrongSecretIsRefusedByTheListener() {
    var listener = Self.machine(.listener, secret: Self.secret)
    var connector = Self.machine(.connector, secret: SharedSecret(bytes: Array("alex_s".utf8))!)
    _ = connector.start()
    var buffer = ByteBuffer()
    let answer = Self.written(Self.feed(&connector, Self.written(listener.start()), buffer: &buffer))
    var toListener = ByteBuffer()
    let actions = Self.feed(&listener, answer, buffer: &toListener)
    guard case .close(.authFailed(let reason)) = actions.last else {
      Issue.record("a wrong answer was not refused: \(actions)")
      return
    }
    #expect(reason.contains("secret differs"))
    #expect(!listener.isOpen)
  }

  @Test func aConnectorClosedOnAfterItsAnswerSaysTheSecretIsProbablyWrong() {
    var connector = Self.machine(.connector, secret: Self.secret)
    _ = connector.start()
    var buffer = ByteBuffer()
    _ = Self.feed(&connector, Self.challenge, buffer: &buffer)
    guard case .close(.authFailed(let reason)) = connector.inputEnded(leftover: 0).last else {
      Issue.record("a silent close after the answer was not taken for a refusal")
      return
    }
    #expect(reason.contains("secret is probably wrong"))
  }

  @Test func endsAreToldApart() {
    var open = Self.machine(.connector)
    _ = open.start()
    #expect(
      open.inputEnded(leftover: 0) == [.close(.peerClosed(Goodbye(code: .userQuit, reason: "closed the connection")))])
    var cut = Self.machine(.connector)
    _ = cut.start()
    guard case .close(.connectionLost(let reason)) = cut.inputEnded(leftover: 3).last else {
      Issue.record("a cut frame was not a lost connection")
      return
    }
    #expect(reason.contains("middle of a frame"))
    var waiting = Self.machine(.listener, secret: Self.secret)
    _ = waiting.start()
    #expect(waiting.send("kept").isEmpty)
    let timedOut = waiting.handshakeTimedOut(after: "10 s")
    #expect(
      timedOut.first
        == .notSent(
          text: "kept",
          reason: "the connection ended before the peer was checked: no answer to the hmac challenge within 10 s"))
    guard case .close(.failed(.handshakeTimeout, _)) = timedOut.last else {
      Issue.record("no timeout")
      return
    }
    #expect(waiting.send("late") == [.notSent(text: "late", reason: "the connection is closed")])
  }

  @Test func badLengthsCloseWithAClearError() {
    var machine = Self.machine(.listener)
    _ = machine.start()
    var buffer = ByteBuffer()
    let actions = Self.feed(&machine, Array("HELLO".utf8), buffer: &buffer)
    guard case .close(.failed(.frameTooLarge, let reason)) = actions.last else {
      Issue.record("an unframed text was taken for a frame: \(actions)")
      return
    }
    #expect(reason.contains("without a length header"))
    var negative = Self.machine(.connector)
    _ = negative.start()
    var other = ByteBuffer()
    guard case .close(.failed(.malformedFrame, _)) = Self.feed(&negative, [0, 0, 0, 0x80], buffer: &other).last else {
      Issue.record("a negative length was accepted")
      return
    }
  }

  @Test func countsAreTheEncodedBytes() {
    var machine = Self.machine(.connector, encoding: .gbk)
    _ = machine.start()
    guard case .send(let frame, let message, let textBytes) = machine.send("你好").first else {
      Issue.record("not sent")
      return
    }
    #expect(frame == [4, 0, 0, 0, 0xc4, 0xe3, 0xba, 0xc3])
    #expect(message == TextMessage(sequence: 1, text: "你好"))
    #expect(textBytes == 4)
    var buffer = ByteBuffer()
    let actions = Self.feed(&machine, [5, 0, 0, 0, 0xc4, 0xe3, 0xff, 0x41, 0xba], buffer: &buffer)
    #expect(actions == [.received(TextMessage(sequence: 1, text: "你\\xFFA\\xBA"), textBytes: 5, wireBytes: 9)])
  }
}
