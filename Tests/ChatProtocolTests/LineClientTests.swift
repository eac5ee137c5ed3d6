import ChatProtocol
import Testing

@Suite("Line clients: telling them from chat, splitting their lines, what they see")
struct LineClientTests {
  @Test(arguments: [
    (UInt8(0x00), LineClientDetection.chat),  // every chat hello begins with 0x00
    (UInt8(ascii: "h"), .lines),
    (UInt8(ascii: "/"), .lines),
    (UInt8(ascii: " "), .lines),
    (UInt8(0x0A), .lines),  // an empty line
    (UInt8(0x0D), .lines),
    (UInt8(0x09), .lines),
    (UInt8(0xE4), .lines),  // 你 begins E4 BD A0
    (UInt8(0x16), .chat),  // a TLS record: left to the chat path, which names it
    (UInt8(0x01), .chat),
    (UInt8(0x7F), .chat),
    (UInt8(0x80), .chat),  // a continuation byte can't begin text
    (UInt8(0xFF), .chat),
  ])
  func detection(_ byte: UInt8, _ verdict: LineClientDetection) {
    #expect(LineClientDetection.classify(firstByte: byte) == verdict)
  }

  @Test(arguments: [
    ("hello", LineClientDetection?.some(.lines)),
    ("GET / HTTP/1.1\r\n", .chat),  // a browser: refused by the chat path, as without --lines
    ("POST /x", .chat),
    ("SSH-2.0-OpenSSH_9.6\r\n", .chat),
    ("GE", nil),  // could still be HTTP: wait for more (or for the wait to end)
    ("S", nil),
    ("Get me a coffee", .lines),  // methods are upper case
    ("GETTING", .lines),
    ("你好", .lines),
    ("\u{0}\u{0}\u{0}\u{2b}\u{1}", .chat),
    ("", nil),
  ])
  func detectionByFirstBytes(_ text: String, _ verdict: LineClientDetection?) {
    #expect(LineClientDetection.classify(Array(text.utf8)) == verdict)
  }

  private func texts(_ lines: [LineBuffer.Line]) -> [String] { lines.map(\.text) }

  @Test func splitsOnNewlineAndAcceptsCRLF() {
    var buffer = LineBuffer(maximumLineBytes: 100)
    #expect(texts(buffer.append(Array("a\nb\r\nc".utf8))) == ["a", "b"])
    #expect(buffer.waitingBytes == 1)
    #expect(texts(buffer.append(Array("d\n\n".utf8))) == ["cd", ""])
    #expect(buffer.finish() == nil)
  }

  @Test func aLineSplitAcrossWritesWaitsForItsEnd() {
    var buffer = LineBuffer(maximumLineBytes: 100)
    let bytes = Array("你好, world\r\n".utf8)
    var lines: [LineBuffer.Line] = []
    // One byte at a time: through the middle of 你 and between \r and \n.
    for byte in bytes { lines += buffer.append([byte]) }
    #expect(lines == [LineBuffer.Line(text: "你好, world", wasCut: false)])
  }

  @Test func aLongLineIsCutAtCharacterBoundariesNeverBufferedWithoutBound() {
    var buffer = LineBuffer(maximumLineBytes: 8)
    // 你 is 3 bytes: 8 bytes hold two, the third would be split.
    let lines = buffer.append(Array(String(repeating: "你", count: 7).utf8))
    #expect(lines.allSatisfy { $0.wasCut && $0.text == "你你" })
    // Cut once 10 bytes wait (one over, for a "\r"), twice in 21: 9 bytes are left.
    #expect(lines.count == 2)
    #expect(buffer.waitingBytes == 9)
    #expect(texts(buffer.append(Array("\n".utf8))) == ["你你你"])
    // However much arrives without a newline, little waits.
    for _ in 0..<1000 { _ = buffer.append(Array("abcdefg".utf8)) }
    #expect(buffer.waitingBytes <= 9)
  }

  @Test func aCRWaitingForItsNewlineIsNotCutOffAsText() {
    var buffer = LineBuffer(maximumLineBytes: 4)
    #expect(texts(buffer.append(Array("abcd\r".utf8))) == [])
    #expect(texts(buffer.append(Array("\n".utf8))) == ["abcd"])
  }

  @Test func notUTF8BecomesReplacementCharacters() {
    var buffer = LineBuffer(maximumLineBytes: 100)
    #expect(texts(buffer.append([0x61, 0xFF, 0x62, 0x0A])) == ["a\u{FFFD}b"])
  }

  @Test func theLastLineWithoutNewlineCountsAtTheEnd() {
    var buffer = LineBuffer(maximumLineBytes: 100)
    #expect(buffer.append(Array("hi".utf8)).isEmpty)
    #expect(buffer.finish()?.text == "hi")
  }

  @Test(arguments: [
    ("hello", LineClientText.Input.message("hello")),
    ("/nick bob", .nick("bob")),
    ("/nick   小明  ", .nick("小明")),
    ("/nick", .nothing),
    ("/nick   ", .nothing),
    ("/nickname x", .message("/nickname x")),
    ("/who", .message("/who")),
    ("", .nothing),
    ("   ", .nothing),
    (" hi ", .message(" hi ")),
  ])
  func parsing(_ line: String, _ input: LineClientText.Input) {
    #expect(LineClientText.parse(line) == input)
  }

  @Test func messagesAreOneLineWithControlsEscaped() {
    #expect(LineClientText.message("你好", from: "小明") == "小明: 你好\n")
    #expect(LineClientText.message("a\nb\u{1b}]52;c\u{7}", from: "x") == "x: a\\nb\\u{1b}]52;c\\u{7}\n")
    #expect(LineClientText.notice("bob joined") == "* bob joined\n")
  }

  @Test func eventsAsLineClientsSeeThem() {
    let joined = RoomEvent(kind: .joined, participantCount: 2, name: "bob", detail: "authenticated")
    #expect(LineClientText.event(joined) == "* bob joined (authenticated)\n")
    let left = RoomEvent(kind: .left, participantCount: 1, name: "bob", detail: "end of input")
    #expect(LineClientText.event(left) == "* bob left: end of input\n")
    let welcome = RoomEvent(kind: .welcome, participantCount: 2, name: "nc", detail: "you are nc; 2 in the room")
    #expect(LineClientText.event(welcome) == "* you are nc; 2 in the room\n")
    #expect(LineClientText.event(RoomEvent(kind: .who, participantCount: 1, name: "a", detail: "")) == nil)
  }

  @Test func defaultNamesAreValidNames() {
    #expect(LineClientText.defaultName(host: "127.0.0.1", port: 53122) == "nc-127.0.0.1-53122")
    #expect(LineClientText.defaultName(host: "::1", port: 53122) == "nc-::1-53122")
    let long = LineClientText.defaultName(host: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", port: 65535)
    #expect(Hello.problem(withName: long) == nil)
    #expect(LineClientText.defaultName(host: String(repeating: "x", count: 80), port: 1) == "nc")
  }
}
