import ChatProtocol
import Testing

@Suite("SafeText: what a peer controls is neutralised before it reaches a terminal or a log")
struct SafeTextTests {
  /// One representative, and the edges, of every class that must be escaped.
  static let unsafe: [(String, UInt32)] = [
    ("NUL", 0x00), ("BEL", 0x07), ("ESC", 0x1B), ("US", 0x1F), ("DEL", 0x7F),
    ("C1 PAD", 0x80), ("C1 CSI", 0x9B), ("C1 OSC", 0x9D), ("C1 APC", 0x9F),
    ("line separator", 0x2028), ("paragraph separator", 0x2029),
    ("Arabic letter mark", 0x061C), ("LRM", 0x200E), ("RLM", 0x200F),
    ("LRE", 0x202A), ("RLE", 0x202B), ("PDF", 0x202C), ("LRO", 0x202D), ("RLO", 0x202E),
    ("LRI", 0x2066), ("RLI", 0x2067), ("FSI", 0x2068), ("PDI", 0x2069),
  ]

  @Test(arguments: unsafe)
  func everyUnsafeClassIsEscaped(_ name: String, _ value: UInt32) throws {
    let scalar = try #require(Unicode.Scalar(value))
    #expect(SafeText.isUnsafe(scalar), "\(name)")
    let text = "a" + String(Character(scalar)) + "b"
    let escaped = SafeText.escaped(text)
    #expect(!escaped.unicodeScalars.contains(scalar), "\(name) passed through")
    let expected: String =
      switch value {
      case 0x09: "a\\tb"
      case 0x0A: "a\\nb"
      case 0x0D: "a\\rb"
      default: "a\\u{\(String(value, radix: 16))}b"
      }
    #expect(escaped == expected, "\(name)")
  }

  @Test func ordinaryTextIsKeptAsItIs() {
    for text in ["hello", "你好，世界", "é", "e\u{301}", "😀", "👨‍👩‍👧", "עברית", "العربية", "ｂｏｂ", " "] {
      #expect(SafeText.escaped(text) == text, "\(text)")
    }
    // The joiner inside an emoji sequence and a soft hyphen are not controls of the terminal.
    #expect(!SafeText.isUnsafe("\u{200D}"))
    #expect(!SafeText.isUnsafe("\u{A0}"))
  }

  @Test func shortFormsAndTheBackslash() {
    #expect(SafeText.escaped("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e")
  }

  @Test func terminalAttacksComeOutInert() {
    let attack = "\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZWNobyBoaQ==\u{7}\u{1b}[2J\u{9b}31m\u{202e}txt.exe"
    let escaped = SafeText.escaped(attack)
    #expect(!escaped.unicodeScalars.contains { SafeText.isUnsafe($0) })
    #expect(escaped == "\\u{1b}]0;pwned\\u{7}\\u{1b}]52;c;ZWNobyBoaQ==\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}txt.exe")
  }

  @Test func aLimitCutsLongTextWithAnEllipsis() {
    let long = String(repeating: "x", count: 1_000_000)
    let cut = SafeText.escaped(long, limit: 200)
    #expect(cut == String(repeating: "x", count: 200) + "…")
    #expect(SafeText.escaped("short", limit: 200) == "short")
    #expect(SafeText.escaped(String(repeating: "y", count: 200), limit: 200) == String(repeating: "y", count: 200))
    // The limit counts the characters of the text, not of their escapes.
    #expect(SafeText.escaped(String(repeating: "\u{1b}", count: 3), limit: 2) == "\\u{1b}\\u{1b}…")
  }
}
