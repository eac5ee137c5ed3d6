import ChatApp
import ChatEvents
import ChatNetwork
import ChatProtocol
import Testing

@Suite("Plain front end: line format, input splitting, exit status")
struct PlainFormatTests {
  @Test func escapingKeepsEachEventOnOneLine() {
    #expect(PlainLineFormat.escape("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re")
    #expect(PlainLineFormat.escape("你好 😀 é") == "你好 😀 é")
    #expect(PlainLineFormat.escape("bell\u{7}") == "bell\\u{7}")
    // C1 controls, line and paragraph separators and bidi controls are escaped too.
    #expect(PlainLineFormat.escape("c1\u{9b}2J\u{85}") == "c1\\u{9b}2J\\u{85}")
    #expect(PlainLineFormat.escape("x\u{2028}y\u{2029}z") == "x\\u{2028}y\\u{2029}z")
    #expect(
      PlainLineFormat.escape("\u{202e}\u{2066}\u{200e}\u{61c}txt") == "\\u{202e}\\u{2066}\\u{200e}\\u{61c}txt")
    let line = PlainLineFormat.line(time: "T", fields: ["recv", "bob", "1", "14", "19", "two\nlines\there"])
    #expect(line == "T\trecv\tbob\t1\t14\t19\ttwo\\nlines\\there")
    #expect(!line.contains("\n"))
  }

  @Test func messageLinesCarrySenderSequenceAndBothByteCounts() {
    let received = SessionEvent.messageReceived(
      from: "bob", message: TextMessage(sequence: 3, text: "你好"), textBytes: 14, wireBytes: 19)
    #expect(PlainLineFormat.fields(for: received, localName: "alice") == ["recv", "bob", "3", "14", "19", "你好"])
    let sent = SessionEvent.messageSent(message: TextMessage(sequence: 4, text: "hi"), textBytes: 10, wireBytes: 15)
    #expect(PlainLineFormat.fields(for: sent, localName: "alice") == ["sent", "alice", "4", "10", "15", "hi"])
  }

  @Test func authFailureHasItsOwnKind() {
    let event = SessionEvent.disconnected(address: "127.0.0.1:1", end: .authFailed("the shared secrets differ"))
    #expect(
      PlainLineFormat.fields(for: event, localName: "a") == ["auth-failed", "127.0.0.1:1", "the shared secrets differ"])
  }

  @Test func timestampsAreUTCWithMilliseconds() throws {
    let stamp = PlainLineFormat.timestamp()
    #expect(stamp.count == 24)
    #expect(try #require(stamp.last) == "Z")
    #expect(stamp.contains("T"))
  }

  @Test func lineSplitterHandlesCRLFPartialLinesAndBadUTF8() {
    var splitter = LineSplitter()
    #expect(splitter.push(Array("one\r\ntw".utf8)) == [.text("one")])
    #expect(splitter.push(Array("o\n\n".utf8)) == [.text("two"), .text("")])
    // A Chinese character split across two reads is put back together.
    let bytes = Array("中文\n".utf8)
    #expect(splitter.push(bytes[..<2]) == [])
    #expect(splitter.push(bytes[2...]) == [.text("中文")])
    #expect(splitter.push([0xff, 0xfe, 0x0a]) == [.invalidUTF8(number: 5)])
    #expect(splitter.push(Array("no newline".utf8)) == [])
    #expect(splitter.finish() == .text("no newline"))
    #expect(splitter.finish() == nil)
  }

  @Test func theSplitterGivesTheSameLinesFromContiguousBytesAndAnySequence() {
    let text = "a\r\n中文 line\n\u{1b}[31m\nlast\r\n"
    var contiguous = LineSplitter()
    var bytewise = LineSplitter()
    var fromBlocks: [InputLine] = []
    var fromSequence: [InputLine] = []
    // In pieces of 3 bytes: lines begin and end inside pieces and across them.
    let bytes = Array(text.utf8)
    for start in stride(from: 0, to: bytes.count, by: 3) {
      let piece = bytes[start..<min(start + 3, bytes.count)]
      fromBlocks += contiguous.push(piece)
      fromSequence += bytewise.push(piece.lazy.map { $0 })
    }
    #expect(fromBlocks == [.text("a"), .text("中文 line"), .text("\u{1b}[31m"), .text("last")])
    #expect(fromSequence == fromBlocks)
  }

  @Test func aLineAppendedAsBytesIsTheLineAndItsNewline() {
    for fields in [["recv", "bob", "1", "你好 world"], ["not-sent", "tab\there", "line\nbreak \u{202e}"], []] {
      var bytes: [UInt8] = []
      PlainLineFormat.appendLine(time: "T", fields: fields, to: &bytes)
      #expect(bytes == Array((PlainLineFormat.line(time: "T", fields: fields) + "\n").utf8))
    }
  }

  @Test func textWithNothingToEscapeIsKeptAndEverythingElseStillEscaped() {
    #expect(SafeText.escaped("plain ASCII and 中文") == "plain ASCII and 中文")
    #expect(SafeText.escaped("é ‘quoted’ \u{202e}x") == "é ‘quoted’ \\u{202e}x")
    #expect(SafeText.escaped("\u{85}") == "\\u{85}")
    #expect(SafeText.escaped("a\u{61c}b") == "a\\u{61c}b")
    #expect(SafeText.escaped("back\\slash") == "back\\\\slash")
    #expect(SafeText.escaped("abcdef", limit: 3) == "abc…")
  }

  @Test func anUnsafeCharacterAnywhereInALongTextIsEscaped() {
    // Bytes next to those the word-at-a-time check looks for: all kept as they are.
    let plain = String(repeating: " ~[]!0Az", count: 5)
    #expect(SafeText.escaped(plain) == plain)
    for unsafe in ["\u{1}", "\u{1f}", "\\", "\u{7f}", "\u{85}", "\u{2028}", "\t"] {
      for offset in 0...plain.count {
        var text = plain
        text.insert(contentsOf: unsafe, at: text.index(text.startIndex, offsetBy: offset))
        #expect(SafeText.escaped(text) != text, "\(unsafe.unicodeScalars.first!.value) at \(offset)")
      }
    }
  }

  @Test func exitStatusTellsSuccessFromFailure() {
    var orderly = ConversationOutcome()
    orderly.observe(.disconnected(address: "x", end: .peerClosed(Goodbye(code: .userQuit, reason: ""))))
    #expect(orderly.exitStatus(listening: false) == 0)
    var reset = ConversationOutcome()
    reset.observe(.disconnected(address: "x", end: .connectionLost("connection reset by peer")))
    #expect(reset.exitStatus(listening: false) == 1)
    var refused = ConversationOutcome()
    refused.observe(.failed("connection refused"))
    #expect(refused.exitStatus(listening: false) == 1)
    #expect(ConversationOutcome().exitStatus(listening: true) == 0)
    #expect(ConversationOutcome().exitStatus(listening: false) == 1)
  }
}
