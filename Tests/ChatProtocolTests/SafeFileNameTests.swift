import ChatProtocol
import PropertyBased
import Testing

@Suite("Safe file names: what a hostile peer may offer")
struct SafeFileNameTests {
  static let hostile: [(String, Result<String, FileNameProblem>)] = [
    ("report.pdf", .success("report.pdf")),
    ("文件.txt", .success("文件.txt")),
    ("👨‍👩‍👧 family.png", .success("👨‍👩‍👧 family.png")),
    ("e\u{301}te\u{301}.txt", .success("e\u{301}te\u{301}.txt")),
    ("../../etc/passwd", .success("passwd")),
    ("/etc/shadow", .success("shadow")),
    ("..\\..\\Windows\\system.ini", .success("system.ini")),
    ("photos/", .failure(.empty)),
    ("a/../b\\..", .failure(.onlyDots)),
    // A separator under a combining mark is one Character, but still a separator.
    ("../\u{301}etc", .success("\u{301}etc")),
    ("..\\\u{301}etc", .success("\u{301}etc")),
    ("x/\u{301}", .success("\u{301}")),
    ("..\u{2215}..\u{2215}etc\u{2215}passwd", .success("_._.._etc_passwd")),
    ("x\u{FF0F}y\u{FF3C}z\u{2044}w\u{2571}v\u{2572}u", .success("x_y_z_w_v_u")),
    ("", .failure(.empty)),
    ("/", .failure(.empty)),
    ("\\\\", .failure(.empty)),
    (".", .failure(.onlyDots)),
    ("..", .failure(.onlyDots)),
    ("...", .failure(.onlyDots)),
    (" . . ", .failure(.onlyDots)),
    ("   ", .failure(.onlyDots)),
    // Escape sequences: only the controls are replaced, the printable rest stays.
    ("\u{1B}", .success("_")),
    ("\u{1B}[2J\u{1B}[H", .success("_[2J_[H")),
    ("evil.txt\u{0}.exe", .success("evil.txt_.exe")),
    ("a\u{1}b\u{1F}c\u{7F}d\u{85}e\u{84}f", .success("a_b_c_d_e_f")),
    ("apc\u{9F}hidden", .success("apc_hidden")),
    ("line\nbreak\r.txt", .success("line_break_.txt")),
    ("tab\there", .success("tab_here")),
    ("a\u{1B}[31mred\u{1B}[0m.txt", .success("a_[31mred_[0m.txt")),
    ("\u{1B}]0;pwned\u{7}title.txt", .success("_]0;pwned_title.txt")),
    ("\u{9B}31mred.txt", .success("_31mred.txt")),
    ("invoice\u{202E}fdp.exe", .success("invoice_fdp.exe")),
    ("\u{2066}a\u{2069}\u{200E}\u{200F}\u{61C}b", .success("_a____b")),
    ("a\u{2028}b\u{2029}c", .success("a_b_c")),
    (".bashrc", .success("_bashrc")),
    ("..hidden", .success("_.hidden")),
    // A leading dot under a combining mark is still the first scalar.
    (".\u{301}x", .success("_\u{301}x")),
    ("  .\u{301}.x", .success("_\u{301}.x")),
    ("  name.txt  ", .success("name.txt")),
    // Only U+0020 is trimmed.
    ("\u{3000}全角空格.txt\u{3000}", .success("\u{3000}全角空格.txt\u{3000}")),
    ("\tname", .success("_name")),
    ("name.txt...", .success("name.txt")),
    ("name. . .", .success("name")),
    ("CON", .success("CON")),
    ("NUL.txt", .success("NUL.txt")),
    ("a:b*c?.txt", .success("a:b*c?.txt")),
  ]

  @Test(arguments: hostile)
  func hostileNamesAreCleanedOrRefused(raw: String, expected: Result<String, FileNameProblem>) {
    #expect(SafeFileName.clean(raw) == expected, "\(raw.debugDescription)")
  }

  @Test func longNamesAreCutKeepingTheirExtension() throws {
    // 250 bytes, not 255: NAME.part must fit in Linux's 255.
    #expect(SafeFileName.maximumLength == 250)
    let fits = String(repeating: "a", count: 246) + ".txt"
    #expect(SafeFileName.clean(fits) == .success(fits))
    let ascii = try #require(SafeFileName.clean(String(repeating: "a", count: 300) + ".txt").value)
    #expect(ascii == String(repeating: "a", count: 246) + ".txt")
    let chinese = try #require(SafeFileName.clean(String(repeating: "文", count: 100) + ".pdf").value)
    #expect(chinese == String(repeating: "文", count: 82) + ".pdf", "cut between characters, not inside one")
    #expect(chinese.utf8.count == 250)
    // No extension worth keeping: the name is cut at 250 bytes.
    let noExtension = try #require(SafeFileName.clean(String(repeating: "b", count: 400)).value)
    #expect(noExtension == String(repeating: "b", count: 250))
    let longExtension = try #require(SafeFileName.clean("x." + String(repeating: "e", count: 300)).value)
    #expect(longExtension.utf8.count == 250 && longExtension.hasPrefix("x."))
    // One character of 601 bytes (a letter and 300 accents) is cut between its scalars.
    let oneCharacter = try #require(SafeFileName.clean("e" + String(repeating: "\u{301}", count: 300)).value)
    #expect(oneCharacter.utf8.count == 249 && oneCharacter.unicodeScalars.first == "e")
    // A cut that would end in dots or spaces is trimmed, so the name stays clean.
    let dots = try #require(
      SafeFileName.clean(String(repeating: "a", count: 245) + String(repeating: ". ", count: 20)).value)
    #expect(dots == String(repeating: "a", count: 245))
  }

  @Test func uniqueNamesCountUpBeforeTheExtension() {
    #expect(SafeFileName.unique("a.txt") { _ in false } == "a.txt")
    let taken: Set = ["a.txt", "a (1).txt", "README", "archive.tar.gz"]
    #expect(SafeFileName.unique("a.txt") { taken.contains($0) } == "a (2).txt")
    #expect(SafeFileName.unique("README") { taken.contains($0) } == "README (1)")
    #expect(SafeFileName.unique("archive.tar.gz") { taken.contains($0) } == "archive.tar (1).gz")
    let long = String(repeating: "文", count: 82) + ".pdf"
    let unique = SafeFileName.unique(long) { $0 == long }
    #expect(unique.utf8.count <= 250 && unique.hasSuffix(" (1).pdf") && unique.hasPrefix("文"))
    // The stem is cut between scalars, even inside a character.
    let decomposed = String(repeating: "e\u{301}", count: 82) + ".txt"
    let numbered = SafeFileName.numbered(decomposed, 1)
    #expect(numbered.utf8.count == 249 && numbered.unicodeScalars.suffix(9).first == "e")
  }

  /// Pieces a hostile name is made of, each one or a few scalars: separators and their
  /// look-alikes, combining marks (which join the scalar before them into one `Character`:
  /// `/` + U+0301), dots, spaces, controls, escape sequence parts, bidi controls, other white
  /// space, and ordinary letters.
  static let hostilePiece = Gen<String?>.element(
    of: [
      "/", "\\", ".", ".", " ", " ", "\u{301}", "\u{301}", "\u{0}", "\u{1B}", "[", "]", "\u{7}", "\u{9B}",
      "\u{9C}", "\u{9D}", "\u{202E}", "\u{2066}", "\u{2215}", "\u{2571}", "\u{FF0F}", "a", "文", "😀", "\u{85}",
      "\u{7F}", "\n", "\u{3000}", "\u{200D}", "m", "P",
    ]
  )
  .map { $0! }

  static let hostileName = hostilePiece.array(of: 0...320).map { $0.joined() }

  @Test func aCleanNameIsAlwaysSafeAndCleansToItself() async {
    await propertyCheck(count: 1000, input: Self.hostileName) { raw in
      switch SafeFileName.clean(raw) {
      case .success(let name):
        let scalars = Array(name.unicodeScalars)
        #expect(!scalars.isEmpty && name.utf8.count <= 250, "\(raw.debugDescription)")
        #expect(scalars.first != "." && scalars.first != " ", "\(raw.debugDescription) → \(name.debugDescription)")
        #expect(scalars.last != "." && scalars.last != " ", "\(raw.debugDescription) → \(name.debugDescription)")
        #expect(
          !scalars.contains { $0 == "/" || $0 == "\\" || $0.value == 0 || SafeText.isUnsafe($0) },
          "\(raw.debugDescription) → \(name.debugDescription)")
        #expect(
          !scalars.contains {
            [0x2044, 0x2215, 0x2216, 0x2571, 0x2572, 0x29F5, 0x29F8, 0x29F9, 0xFE68, 0xFF0F, 0xFF3C].contains($0.value)
          },
          "\(raw.debugDescription) → \(name.debugDescription)")
        #expect(SafeFileName.clean(name) == .success(name), "idempotent: \(raw.debugDescription)")
        for number in [1, 10, 999] {
          let numbered = SafeFileName.numbered(name, number)
          #expect(numbered.utf8.count <= 250, "\(name.debugDescription) (\(number))")
          #expect(SafeFileName.clean(numbered) == .success(numbered), "\(name.debugDescription) (\(number))")
        }
      case .failure(let problem):
        #expect(!problem.description.isEmpty)
        let last = raw.unicodeScalars.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last!
        #expect(last.allSatisfy { $0 == "." || $0 == " " }, "refused \(raw.debugDescription)")
      }
    }
  }

  @Test func ordinaryNamesAreKeptAsTheyAre() async {
    let letter = Gen<Character?>.element(of: Array("abcXYZ019文件名_-()") as [Character]).map { $0! }
    await propertyCheck(count: 300, input: letter.string(of: 1...60), Gen.element(of: ["", ".txt", ".tar.gz"])) {
      stem, fileExtension in
      let name = stem + (fileExtension ?? "")
      #expect(SafeFileName.clean(name) == .success(name))
    }
  }
}
