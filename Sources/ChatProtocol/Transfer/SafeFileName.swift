/// Turns the file name a peer sent into one that is safe to create in the chosen folder and
/// to show on a terminal, and finds a name that is not taken yet.
///
/// The name comes from the peer and is never trusted, whatever the peer's side did to it
/// (croc's GHSA-364c-vvqx-446c and issues #593, #594 are what happens otherwise). Every step
/// works on Unicode scalars, never on `Character`s: a `/` followed by a combining mark is one
/// grapheme cluster, and splitting on clusters would let that `/` through (`../\u{301}etc`).
/// The rules (docs/PROTOCOL.md §10, "File names"; scripts/chatfiles.py implements them too),
/// in order:
///
/// 1. **No Unicode normalisation.** A decomposed name stays decomposed (the standard library
///    has no normalisation): a different name from the precomposed one, but a safe one.
/// 2. **Last component only.** Only the scalars after the last `/` (U+002F) or `\` (U+005C)
///    are kept, the whole name if it has neither (`../../.ssh/authorized_keys` →
///    `authorized_keys`, `a\b` → `b`, `dir/` → nothing).
/// 3. **Scalars that act instead of showing are replaced by one `_` each**: U+0000–U+001F,
///    U+007F–U+009F, U+061C, U+200E, U+200F, U+2028, U+2029, U+202A–U+202E, U+2066–U+2069,
///    and the slash and backslash look-alikes U+2044, U+2215, U+2216, U+2571, U+2572,
///    U+29F5, U+29F8, U+29F9, U+FE68, U+FF0F, U+FF3C (harmless to the file system, but
///    `..∕..∕etc∕passwd` would mislead whoever reads it). Nothing else is replaced or
///    removed: an escape sequence keeps its printable rest (ESC `[2J` → `_[2J`).
/// 4. **Spaces (U+0020) at the start are removed; dots and spaces at the end are removed.**
/// 5. **An empty name is refused** (`""`, `.`, `..`, `" "`, `dir/`): ``FileNameProblem``.
/// 6. **A leading dot becomes `_`**, that one scalar, so a received file can't hide
///    (`.bashrc` → `_bashrc`, `..x` → `_.x`).
/// 7. **At most ``maximumLength`` (250) bytes of UTF-8.** A longer name keeps its extension
///    (the last `.` and what follows, if at most 32 bytes and the dot is not the first
///    scalar) and the longest prefix of whole scalars of the stem that fits with it; then
///    steps 4 and 5 again.
///
/// Everything else is kept as it is: Chinese (`文件.txt`), emoji, accents. Windows' reserved
/// names (`CON`, `NUL`, `COM1`…) and characters (`:` `*` `?` `"` `<` `>` `|`) are kept too:
/// chat writes files on Linux and macOS, where they are ordinary names.
///
/// Cleaning is idempotent: a clean name cleans to itself.
public enum SafeFileName {
  /// The most bytes of UTF-8 in a clean name: 250, not Linux's 255, because the receiver
  /// writes the data to `NAME.part` first, and Linux refuses a name over 255 bytes.
  public static let maximumLength = FileOffer.maximumNameLength - ".part".utf8.count
  /// The longest extension (dot included, in UTF-8 bytes) kept when a long name is cut.
  static let maximumExtensionLength = 32

  /// The name `raw` cleaned by the rules above, or why nothing usable is left of it.
  public static func clean(_ raw: String) -> Result<String, FileNameProblem> {
    let component = lastComponent(of: Array(raw.unicodeScalars))  // 1, 2
    var scalars = component.map { isReplaced($0) ? "_" : $0 }  // 3
    trim(&scalars)  // 4
    guard !scalars.isEmpty else { return .failure(component.isEmpty ? .empty : .onlyDots) }  // 5
    if scalars[0] == "." { scalars[0] = "_" }  // 6
    if utf8Length(scalars) > maximumLength {  // 7
      let (stem, fileExtension) = split(scalars)
      scalars = prefix(stem, utf8Bytes: maximumLength - utf8Length(fileExtension)) + fileExtension
      trim(&scalars)
      guard !scalars.isEmpty else { return .failure(.onlyDots) }
    }
    return .success(string(scalars))
  }

  /// `name`, or the first of `stem (1)ext`, `stem (2)ext`, … (``numbered(_:_:)``) for which
  /// `exists` is false. `exists` must turn false for some number; a folder holds finitely
  /// many files.
  public static func unique(_ name: String, exists: (String) -> Bool) -> String {
    var number = 0
    while true {
      let candidate = numbered(name, number)
      if !exists(candidate) { return candidate }
      number += 1
    }
  }

  /// `name` for `number` 0, else `stem (number)ext`, with the stem and extension split as a
  /// long name is (rule 7) and the stem cut to whole scalars so that the result stays within
  /// ``maximumLength`` bytes.
  public static func numbered(_ name: String, _ number: Int) -> String {
    guard number > 0 else { return name }
    let (stem, fileExtension) = split(Array(name.unicodeScalars))
    let suffix = Array(" (\(number))".unicodeScalars) + fileExtension
    return string(prefix(stem, utf8Bytes: maximumLength - utf8Length(suffix)) + suffix)
  }

  // MARK: - Steps

  /// The scalars after the last `/` or `\` (all of them when there is neither).
  static func lastComponent(of scalars: [Unicode.Scalar]) -> ArraySlice<Unicode.Scalar> {
    guard let separator = scalars.lastIndex(where: { $0 == "/" || $0 == "\\" }) else { return scalars[...] }
    return scalars[(separator + 1)...]
  }

  /// Whether rule 3 replaces `scalar` with `_`: a control, a separator, a bidi control or a
  /// slash or backslash look-alike.
  static func isReplaced(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
      true
    case 0x2044, 0x2215, 0x2216, 0x2571, 0x2572, 0x29F5, 0x29F8, 0x29F9, 0xFE68, 0xFF0F, 0xFF3C:
      true
    default:
      false
    }
  }

  /// Removes U+0020 spaces at the start, and dots and U+0020 spaces at the end.
  static func trim(_ scalars: inout [Unicode.Scalar]) {
    while let last = scalars.last, last == "." || last == " " { scalars.removeLast() }
    scalars.removeFirst(scalars.prefix { $0 == " " }.count)
  }

  /// The name split before its extension: the last `.` and every scalar after it, when that
  /// is at most ``maximumExtensionLength`` bytes and the dot is not the first scalar; else
  /// there is no extension.
  static func split(_ scalars: [Unicode.Scalar]) -> (stem: [Unicode.Scalar], fileExtension: [Unicode.Scalar]) {
    guard let dot = scalars.lastIndex(of: "."), dot > 0,
      utf8Length(scalars[dot...]) <= maximumExtensionLength
    else { return (scalars, []) }
    return (Array(scalars[..<dot]), Array(scalars[dot...]))
  }

  /// The longest prefix of whole scalars with at most `maximum` bytes of UTF-8.
  static func prefix(_ scalars: [Unicode.Scalar], utf8Bytes maximum: Int) -> [Unicode.Scalar] {
    var bytes = 0
    var end = 0
    while end < scalars.count, bytes + scalars[end].utf8.count <= maximum {
      bytes += scalars[end].utf8.count
      end += 1
    }
    return Array(scalars[..<end])
  }

  static func utf8Length(_ scalars: some Sequence<Unicode.Scalar>) -> Int {
    scalars.reduce(0) { $0 + $1.utf8.count }
  }

  static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
    var text = String.UnicodeScalarView()
    text.append(contentsOf: scalars)
    return String(text)
  }
}
