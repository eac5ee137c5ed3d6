import ChatProtocol
import Testing

@Suite(
  "Hello names: invisible, blank, format, bidi, control, unassigned and private-use characters, odd spaces and baseless marks are refused"
)
struct HelloNameTests {
  @Test(arguments: [
    "bob\u{200B}",  // zero-width space (Cf)
    "\u{202E}bob",  // right-to-left override (Cf, bidi)
    "bob\u{2028}x",  // line separator (Zl)
    "bob\u{2029}x",  // paragraph separator (Zp)
    "bob ",  // trailing space
    " bob",  // leading space
    "bob\u{3000}",  // trailing ideographic space
    "bob\u{A0}",  // trailing no-break space
    "b\u{200D}ob",  // zero-width joiner (Cf)
    "b\u{2066}ob\u{2069}",  // isolates (Cf, bidi)
    "\u{61C}bob",  // Arabic letter mark (Cf, bidi)
    "bob\u{FEFF}",  // BOM (Cf)
    "bo\u{AD}b",  // soft hyphen (Cf)
    "b\u{3164}ob",  // Hangul filler: Lo, but default-ignorable (invisible)
    "bob\u{FE0F}",  // variation selector: Mn, default-ignorable
    "bob\u{E0062}",  // tag character (Cf)
    "bob\u{85}",  // C1 NEL (Cc)
    "bob\u{9B}",  // C1 CSI (Cc)
    "bob\u{1B}[2J",  // ESC (Cc)
    "bob\u{7F}",  // DEL (Cc)
    "👩‍💻",  // an emoji ZWJ sequence: one visible character, but ZWJ is Cf, so refused too
  ])
  func refused(_ name: String) {
    #expect(Hello.problem(withName: name) != nil, "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
  }

  /// Names that look blank, or like another name with a mark or a space that hides, and
  /// characters no font draws the same for everyone: refused too.
  @Test(arguments: [
    "bob\u{2800}",  // Braille pattern blank: So, but renders as nothing
    "\u{2800}",  // a name that is only a blank
    "bo\u{200A}b",  // hair space (Zs)
    "b\u{3000}ob",  // ideographic space inside (Zs)
    "bob\u{A0}smith",  // no-break space inside (Zs)
    "bob\u{202F}x",  // narrow no-break space (Zs)
    "bob\u{1680}x",  // Ogham space mark (Zs)
    "\u{301}",  // only a combining mark
    "\u{301}bob",  // begins with a combining mark
    "bob \u{301}x",  // a combining mark on a space
    "b\u{332}\u{332}ob",  // the same nonspacing mark twice in a row (UTS #39 §5.4)
    "b\u{300}\u{301}\u{302}\u{303}\u{304}ob",  // five nonspacing marks in a row
    "bob\u{1CBC}",  // unassigned
    "bob" + String(Unicode.Scalar(0xFDD0)!),  // a noncharacter (unassigned; no literal for it)
    "bob\u{E000}",  // private use (Co)
    "bob\u{F0000}",  // supplementary private use (Co)
    "bob\u{16FE4}",  // Khitan small script filler: blank
    "bob  smith",  // two spaces in a row
  ])
  func refusedAsBlankOrHidden(_ name: String) {
    #expect(Hello.problem(withName: name) != nil, "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
  }

  /// Full-width and mixed-script names pass the hello: the room compares them (NameKey).
  @Test(arguments: [
    "bob", "小明", "Zoë", "e\u{301}", "bob smith", "ｂｏｂ", "b\u{43E}b", "😀", "👍🏽",
    "bob\u{332}", "b\u{323}ob", "bob\u{20DD}",  // marks on a letter: the room compares them (NameKey)
    "Nguye\u{302}\u{303}n", "がんばる", "अंकित", "สมชาย",
  ])
  func accepted(_ name: String) {
    #expect(Hello.problem(withName: name) == nil, "\(name)")
  }

  @Test func theReasonNamesTheCharacter() {
    #expect(
      Hello.problem(withName: "bob\u{200B}")
        == "a name can't contain an invisible or bidi formatting character (U+200B)")
    #expect(Hello.problem(withName: "bob ") == "a name can't begin or end with a space")
    #expect(Hello.problem(withName: "x\u{2028}") == "a name can't contain a line or paragraph separator (U+2028)")
    #expect(Hello.problem(withName: "bob\u{2800}") == "a name can't contain a blank character (U+2800)")
    #expect(Hello.problem(withName: "b\u{3164}ob") == "a name can't contain a blank character (U+3164)")
    #expect(
      Hello.problem(withName: "bo\u{200A}b") == "a name can't contain a space other than U+0020 (U+200A)")
    #expect(Hello.problem(withName: "bob\u{1CBC}") == "a name can't contain an unassigned code point (U+1CBC)")
    #expect(Hello.problem(withName: "bob\u{E000}") == "a name can't contain a private-use character (U+E000)")
    #expect(
      Hello.problem(withName: "\u{301}")
        == "a name can't begin with a combining mark (U+0301): a mark must follow a visible character")
    #expect(
      Hello.problem(withName: "bob \u{301}x")
        == "a combining mark (U+0301) must follow a visible character, not a space")
    #expect(
      Hello.problem(withName: "b\u{332}\u{332}ob") == "a name can't repeat a combining mark (U+0332) in a row")
    #expect(
      Hello.problem(withName: "b\u{300}\u{301}\u{302}\u{303}\u{304}ob")
        == "a name can't stack more than 4 combining marks (U+0304)")
    #expect(Hello.problem(withName: "bob  smith") == "a name can't contain two spaces in a row")
  }

  @Test func aRefusedNameEndsTheHandshakeWithInvalidName() {
    var machine = SessionMachine(configuration: .init(role: .listener, name: "alice", secret: nil), nonce: nonce(1))
    _ = machine.start()
    let hello = Hello(offersAuth: false, maximumPayloadLength: 1024, nonce: nonce(2), name: "\u{202E}bob")
    let actions = machine.receive(.hello(hello), now: 0)
    let sentError = actions.contains { action in
      if case .send(.error(let report)) = action { return report.code == .invalidName }
      return false
    }
    #expect(sentError, "\(actions)")
    #expect(!machine.isEstablished)
  }

  func nonce(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: Hello.nonceLength) }
}
