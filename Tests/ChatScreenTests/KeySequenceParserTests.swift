import ChatScreen
import Testing

@Suite("Key sequences, whatever TERM says")
struct KeySequenceParserTests {
  func keys(_ input: String) -> [Key] {
    var parser = KeySequenceParser()
    var keys = parser.feed(input)
    if parser.isWaiting { KeySequenceParser.append(parser.timeout(), to: &keys) }
    return keys
  }

  @Test(
    arguments: [
      // Home and End: vt220/screen/tmux, rxvt, xterm (normal and application mode).
      ("\u{1b}[1~", Key.home), ("\u{1b}[7~", .home), ("\u{1b}[H", .home), ("\u{1b}OH", .home),
      ("\u{1b}[4~", .end), ("\u{1b}[8~", .end), ("\u{1b}[F", .end), ("\u{1b}OF", .end),
      ("\u{1b}[2~", .insert), ("\u{1b}[3~", .delete), ("\u{1b}[5~", .pageUp), ("\u{1b}[6~", .pageDown),
      ("\u{1b}[A", .up), ("\u{1b}OA", .up), ("\u{1b}[B", .down), ("\u{1b}[C", .right), ("\u{1b}OD", .left),
      // Ctrl and Alt arrows: xterm, rxvt, and rxvt's ESC-prefixed Alt.
      ("\u{1b}[1;5C", .wordRight), ("\u{1b}[1;5D", .wordLeft), ("\u{1b}[1;3C", .wordRight), ("\u{1b}[1;3D", .wordLeft),
      ("\u{1b}Oc", .wordRight), ("\u{1b}Od", .wordLeft), ("\u{1b}\u{1b}[C", .wordRight), ("\u{1b}\u{1b}[D", .wordLeft),
      ("\u{1b}[5C", .wordRight), ("\u{1b}b", .wordLeft), ("\u{1b}f", .wordRight),
      // Ctrl-Home and Ctrl-End: xterm, vt220 with a modifier, rxvt.
      ("\u{1b}[1;5H", .scrollTop), ("\u{1b}[1;5F", .scrollBottom), ("\u{1b}[1;5~", .scrollTop),
      ("\u{1b}[4;5~", .scrollBottom), ("\u{1b}[7^", .scrollTop), ("\u{1b}[8^", .scrollBottom),
      // Shift forms move like the plain key.
      ("\u{1b}[1;2H", .home), ("\u{1b}[7$", .home), ("\u{1b}[3;2~", .delete), ("\u{1b}[5;5~", .pageUp),
      ("\u{1b}OM", .enter),
    ] as [(String, Key)])
  func recognisesCommonEncodings(sequence: String, expected: Key) {
    #expect(keys(sequence) == [expected], "\(sequence.debugDescription)")
  }

  @Test(
    arguments: [
      "\u{1b}[15~", "\u{1b}OP", "\u{1b}[[A", "\u{1b}[1;2P", "\u{1b}[Z", "\u{1b}[I", "\u{1b}[<0;3;4M",
      "\u{1b}]11;rgb:0000/0000/0000\u{7}", "\u{1b}]0;title\u{1b}\\", "\u{1b}P1$r0m\u{1b}\\", "\u{1b}[201~",
      "\u{1b}x", "\u{1b}[?1;2c",
    ])
  func dropsOtherSequencesWhole(sequence: String) {
    #expect(keys("a" + sequence + "b") == [.text("ab")], "\(sequence.debugDescription)")
  }

  @Test func textAndKeysInterleave() {
    #expect(keys("ab\u{1b}[1~c\u{1b}[4~\r") == [.text("ab"), .home, .text("c"), .end, .enter])
    #expect(keys("中文\u{7f}") == [.text("中文"), .backspace])
    #expect(keys("\u{3}\u{4}\u{1a}\u{9}") == [.control("c"), .control("d"), .control("z"), .tab])
  }

  @Test func aLoneEscapeIsAKeyOnlyAfterTheWait() {
    var parser = KeySequenceParser()
    #expect(parser.feed("\u{1b}").isEmpty)
    #expect(parser.isWaiting)
    #expect(parser.timeout() == [.escape])
    #expect(!parser.isWaiting)
  }

  @Test func aSequenceSplitAcrossReadsStillDecodes() {
    var parser = KeySequenceParser()
    #expect(parser.feed("\u{1b}[").isEmpty)
    #expect(parser.isWaiting)
    #expect(parser.feed("5") == [])
    #expect(parser.feed("~x") == [.pageUp, .text("x")])
  }

  @Test func aPartialSequenceIsDroppedNotTyped() {
    var parser = KeySequenceParser()
    #expect(parser.feed("\u{1b}[1;5").isEmpty)
    #expect(parser.timeout().isEmpty)
    #expect(parser.feed("\u{1b}[12\r") == [.enter])
  }

  @Test func aBracketedPasteIsOneKeyWithItsLineBreaks() {
    #expect(keys("\u{1b}[200~line one\r第二行\r\nthree\u{1b}[201~") == [.paste("line one\n第二行\nthree")])
    // Inside a paste, Ctrl characters and escape sequences are text's, not keys.
    #expect(keys("\u{1b}[200~a\u{3}b\u{1b}[1~c\u{1b}[201~\r") == [.paste("ab[1~c"), .enter])
  }

  @Test func aPasteMaySpanManyReads() {
    var parser = KeySequenceParser()
    var keys: [Key] = []
    for chunk in ["\u{1b}[20", "0~first", "\rsecond\u{1b}[2", "01~"] {
      KeySequenceParser.append(parser.feed(chunk), to: &keys)
    }
    #expect(keys == [.paste("first\nsecond")])
  }

  @Test func aPasteWhoseEndIsLostEndsOnTheTimeout() {
    var parser = KeySequenceParser()
    #expect(parser.feed("\u{1b}[200~half a paste\rline").isEmpty)
    #expect(parser.isPasting && parser.isWaiting)
    #expect(parser.timeout() == [.paste("half a paste\nline")])
    #expect(!parser.isPasting)
    #expect(parser.feed("x") == [.text("x")])
  }
}
