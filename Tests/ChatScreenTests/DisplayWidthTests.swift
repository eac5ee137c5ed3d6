import ChatProtocol
import ChatScreen
import Testing

@Suite("Display width of characters")
struct DisplayWidthTests {
  @Test(
    arguments: [
      ("A", 1), (" ", 1), ("~", 1), ("é", 1), ("Ω", 1), ("€", 1), ("ｱ", 1),  // half-width katakana
      ("你", 2), ("好", 2), ("，", 2), ("！", 2), ("〇", 2), ("あ", 2), ("カ", 2), ("한", 2), ("Ａ", 2),
      ("𠀀", 2),  // CJK Extension B, outside the BMP
      // Emoji sequences as ncurses (wcwidth of each cell's first code point) and tmux draw
      // them: ZWJ sequences and flags 2, a keycap or VS16 after a narrow base 1, a skin
      // tone a cell of its own.
      ("😀", 2), ("🇨🇳", 2), ("👨‍👩‍👧", 2), ("1️⃣", 1), ("❤️", 1), ("👍🏽", 4),
      ("❤", 1),  // text presentation without VS16
      ("e\u{301}", 1), ("\u{301}", 0), ("\u{200B}", 0), ("\u{200D}", 0), ("\u{7}", 0), ("\u{1b}", 0),
      ("\u{1160}", 0),  // Hangul medial vowel jamo
    ] as [(String, Int)])
  func knownCharacters(text: String, expected: Int) {
    #expect(text.count == 1, "test data: \(text.unicodeScalars.map { String($0.value, radix: 16) }) is one character")
    #expect(DisplayWidth.of(Character(text)) == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
  }

  @Test func everyCommonCJKIdeographIsTwoColumns() {
    for value in stride(from: 0x4E00, through: 0x9FFF, by: 7) {
      #expect(DisplayWidth.of(Unicode.Scalar(UInt32(value))!) == 2)
    }
    for value in stride(from: 0xAC00, through: 0xD7A3, by: 11) {  // Hangul syllables
      #expect(DisplayWidth.of(Unicode.Scalar(UInt32(value))!) == 2)
    }
  }

  @Test func stringsAddUp() {
    #expect(DisplayWidth.of("hello 你好") == 10)
    #expect(DisplayWidth.of("") == 0)
    #expect(DisplayWidth.of("a\u{301}b") == 2)
  }

  @Test func controlCharactersAreMadeVisibleAndHarmless() {
    #expect("a\u{1b}[31mb".terminalSafe == "a␛[31mb")
    #expect("tab\there".terminalSafe == "tab here")
    #expect("你好".terminalSafe == "你好")
    #expect(
      !"\u{7}\u{0}\u{9b}".terminalSafe.unicodeScalars.contains { $0.value < 0x20 || (0x7f..<0xa0).contains($0.value) })
  }

  @Test func c1BidiAndSeparatorsAreEscapedOnTheScreen() {
    let hostile = "a\u{85}b\u{9b}c\u{2028}d\u{2029}e\u{202e}f\u{2066}g\u{200f}h\u{61c}i\u{7f}"
    let safe = hostile.terminalSafe
    #expect(safe == "a\\u{85}b\\u{9b}c\\u{2028}d\\u{2029}e\\u{202e}f\\u{2066}g\\u{200f}h\\u{61c}i␡")
    #expect(!safe.unicodeScalars.contains { SafeText.isUnsafe($0) })
  }

  @Test func clustersAreDrawnInTheCellsTheyAreCounted() {
    func cells(_ text: String) -> [String] {
      DisplayWidth.cells(of: Character(text)).map { String($0.scalars) + ":\($0.width)" }
    }
    #expect(cells("👍🏽") == ["👍:2", "🏽:2"])
    #expect(cells("👨‍👩‍👧") == ["👨‍👩‍👧:2"])
    #expect(cells("🇫🇷") == ["🇫:1", "🇷:1"])
    #expect(cells("e\u{301}") == ["e\u{301}:1"])
    // Seven code points don't fit in one cell (ncurses holds five): the rest starts anew.
    #expect(cells("👨‍👩‍👧‍👦") == ["👨‍👩‍👧:2", "👦:2"])
    for text in ["👍🏽", "👨‍👩‍👧", "🇫🇷", "e\u{301}", "👨‍👩‍👧‍👦", "1️⃣", "你"] {
      let character = Character(text)
      #expect(DisplayWidth.cells(of: character).reduce(0) { $0 + $1.width } == DisplayWidth.of(character))
    }
  }
}
