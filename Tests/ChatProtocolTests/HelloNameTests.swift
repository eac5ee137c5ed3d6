import ChatProtocol
import Testing

@Suite("Hello names: invisible, format, bidi and control characters and edge spaces are refused")
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

  /// Full-width and mixed-script names pass the hello: the room compares them (NameKey).
  @Test(arguments: ["bob", "小明", "Zoë", "e\u{301}", "bob smith", "ｂｏｂ", "b\u{43E}b", "😀"])
  func accepted(_ name: String) {
    #expect(Hello.problem(withName: name) == nil, "\(name)")
  }

  @Test func theReasonNamesTheCharacter() {
    #expect(
      Hello.problem(withName: "bob\u{200B}")
        == "a name can't contain an invisible or bidi formatting character (U+200B)")
    #expect(Hello.problem(withName: "bob ") == "a name can't begin or end with a space")
    #expect(Hello.problem(withName: "x\u{2028}") == "a name can't contain a line or paragraph separator (U+2028)")
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
