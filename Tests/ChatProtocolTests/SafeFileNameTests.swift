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
    ("photos/", .success("photos")),
    ("a/../b\\..", .failure(.onlyDots)),
    ("..\u{2215}..\u{2215}etc\u{2215}passwd", .success("_._.._etc_passwd")),
    ("x\u{FF0F}y\u{FF3C}z\u{2044}w", .success("x_y_z_w")),
    ("", .failure(.empty)),
    ("/", .failure(.empty)),
    ("\\\\", .failure(.empty)),
    (".", .failure(.onlyDots)),
    ("..", .failure(.onlyDots)),
    ("...", .failure(.onlyDots)),
    (" . . ", .failure(.onlyDots)),
    ("   ", .failure(.onlyDots)),
    ("\u{1B}", .failure(.empty)),
    ("\u{1B}[2J\u{1B}[H", .failure(.empty)),
    ("evil.txt\u{0}.exe", .success("evil.txt_.exe")),
    ("a\u{1}b\u{1F}c\u{7F}d\u{85}e\u{84}f", .success("a_b_c_d_e_f")),
    // U+009F starts an APC string (to its terminator, or the end): removed whole.
    ("apc\u{9F}hidden", .success("apc")),
    ("line\nbreak\r.txt", .success("line_break_.txt")),
    ("tab\there", .success("tab_here")),
    ("a\u{1B}[31mred\u{1B}[0m.txt", .success("ared.txt")),
    ("\u{1B}]0;pwned\u{7}title.txt", .success("title.txt")),
    ("\u{1B}]8;;http:evil\u{1B}\\link.txt", .success("link.txt")),
    ("\u{9B}31mred.txt", .success("red.txt")),
    ("\u{9D}2;title\u{9C}x.txt", .success("x.txt")),
    ("\u{1B}Pq#0;2;0;0;0\u{1B}\\ok", .success("ok")),
    ("\u{1B}cclear.txt", .success("clear.txt")),
    ("invoice\u{202E}fdp.exe", .success("invoice_fdp.exe")),
    ("\u{2066}a\u{2069}\u{200E}\u{200F}\u{61C}b", .success("_a____b")),
    ("a\u{2028}b\u{2029}c", .success("a_b_c")),
    (".bashrc", .success("_bashrc")),
    ("..hidden", .success("_.hidden")),
    ("  name.txt  ", .success("name.txt")),
    ("\u{3000}全角空格.txt\u{3000}", .success("全角空格.txt")),
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
    let ascii = try #require(SafeFileName.clean(String(repeating: "a", count: 300) + ".txt").value)
    #expect(ascii == String(repeating: "a", count: 251) + ".txt")
    let chinese = try #require(SafeFileName.clean(String(repeating: "文", count: 100) + ".pdf").value)
    #expect(chinese == String(repeating: "文", count: 83) + ".pdf", "cut between characters, not inside one")
    #expect(chinese.utf8.count == 253)
    // No extension worth keeping: the name is cut at 255 bytes.
    let noExtension = try #require(SafeFileName.clean(String(repeating: "b", count: 400)).value)
    #expect(noExtension == String(repeating: "b", count: 255))
    let longExtension = try #require(SafeFileName.clean("x." + String(repeating: "e", count: 300)).value)
    #expect(longExtension.utf8.count == 255 && longExtension.hasPrefix("x."))
    // One character of 601 bytes (a letter and 300 accents) is cut between its scalars.
    let oneCharacter = try #require(SafeFileName.clean("e" + String(repeating: "\u{301}", count: 300)).value)
    #expect(oneCharacter.utf8.count == 255 && oneCharacter.unicodeScalars.first == "e")
    // A cut that would end in dots or spaces is trimmed, so the name stays clean.
    let dots = try #require(
      SafeFileName.clean(String(repeating: "a", count: 250) + String(repeating: ". ", count: 20)).value)
    #expect(dots == String(repeating: "a", count: 250))
  }

  @Test func uniqueNamesCountUpBeforeTheExtension() {
    #expect(SafeFileName.unique("a.txt") { _ in false } == "a.txt")
    let taken: Set = ["a.txt", "a (1).txt", "README", "archive.tar.gz"]
    #expect(SafeFileName.unique("a.txt") { taken.contains($0) } == "a (2).txt")
    #expect(SafeFileName.unique("README") { taken.contains($0) } == "README (1)")
    #expect(SafeFileName.unique("archive.tar.gz") { taken.contains($0) } == "archive.tar (1).gz")
    let long = String(repeating: "文", count: 83) + ".pdf"
    let unique = SafeFileName.unique(long) { $0 == long }
    #expect(unique.utf8.count <= 255 && unique.hasSuffix(" (1).pdf") && unique.hasPrefix("文"))
  }

  /// Characters a hostile name is made of: separators and their look-alikes, dots, spaces,
  /// controls, escape sequence parts, bidi controls, marks, and ordinary letters.
  static let hostileCharacter = Gen<Character?>.element(
    of: Array(
      "/\\.. \u{0}\u{1B}[]\u{7}\u{9B}\u{9C}\u{9D}\u{202E}\u{2066}\u{2215}\u{FF0F}a文\u{301}😀\u{85}\u{7F}\n\u{3000}mP")
      as [Character]
  )
  .map { $0! }

  @Test func aCleanNameIsAlwaysSafeAndCleansToItself() async {
    await propertyCheck(count: 1000, input: Self.hostileCharacter.string(of: 0...320)) { raw in
      switch SafeFileName.clean(raw) {
      case .success(let name):
        #expect(!name.isEmpty && name.utf8.count <= 255, "\(raw.debugDescription)")
        #expect(name != "." && name != ".." && !name.hasPrefix("."), "\(raw.debugDescription)")
        #expect(
          !name.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value == 0 || SafeText.isUnsafe($0) },
          "\(raw.debugDescription) → \(name.debugDescription)")
        #expect(SafeFileName.clean(name) == .success(name), "idempotent: \(raw.debugDescription)")
      case .failure(let problem):
        #expect(!problem.description.isEmpty)
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
