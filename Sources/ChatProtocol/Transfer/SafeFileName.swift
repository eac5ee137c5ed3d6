/// Turns the file name a peer sent into one that is safe to create in the chosen folder and
/// to show on a terminal, and finds a name that is not taken yet.
///
/// The name comes from the peer and is never trusted, whatever the peer's side did to it
/// (croc's GHSA-364c-vvqx-446c and issues #593, #594 are what happens otherwise). The rules,
/// in order:
///
/// 1. **Last component only.** The name is split on `/` and on `\`; the last component that
///    is not empty is kept (`../../.ssh/authorized_keys` → `authorized_keys`, `a\b` → `b`).
/// 2. **Escape sequences are removed**, whole: CSI (`ESC [` … final byte, or U+009B …),
///    OSC, DCS, SOS, PM and APC strings (up to BEL, `ESC \` or U+009C), and two-character
///    `ESC x` sequences.
/// 3. **Characters that act instead of showing are replaced by `_`**: C0 controls and NUL,
///    DEL, C1 controls, the line and paragraph separators, the bidi controls (U+061C,
///    U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): the same set as ``SafeText``. So are
///    the characters that look like a slash or a backslash (U+2044, U+2215, U+2216, U+29F5,
///    U+29F8, U+29F9, U+FE68, U+FF0F, U+FF3C): harmless to the file system, but a name
///    showing `..∕..∕etc∕passwd` would mislead whoever reads it.
/// 4. **Spaces at either end and dots at the end are trimmed.** A name that was only dots
///    and spaces (`.`, `..`) is refused (``FileNameProblem/onlyDots``); a name with nothing
///    left is refused (``FileNameProblem/empty``).
/// 5. **A leading dot becomes `_`**, so a received file can't hide (`.bashrc` → `_bashrc`).
/// 6. **At most 255 bytes of UTF-8** (the Linux limit): a longer name is cut on a character
///    boundary, keeping its extension (up to 32 bytes of it).
///
/// Everything else is kept as it is: Chinese (`文件.txt`), emoji, accents. Windows' reserved
/// names (`CON`, `NUL`, `COM1`…) and characters (`:` `*` `?` `"` `<` `>` `|`) are kept too:
/// chat writes files on Linux and macOS, where they are ordinary names. Decomposed input is
/// not normalised to NFC (the standard library has no public normalisation yet): `é` as
/// `e` + U+0301 stays so, which is a different name from the precomposed one, but a safe one.
///
/// Cleaning is idempotent: a clean name cleans to itself.
public enum SafeFileName {
  /// The most bytes of UTF-8 in a clean name.
  public static let maximumLength = FileOffer.maximumNameLength
  /// The longest extension (dot included, in UTF-8 bytes) kept when a long name is cut.
  static let maximumExtensionLength = 32

  /// The name `raw` cleaned by the rules above, or why nothing usable is left of it.
  public static func clean(_ raw: String) -> Result<String, FileNameProblem> {
    let component = lastComponent(of: raw)
    var scalars = replaceActingCharacters(in: withoutEscapeSequences(Array(component.unicodeScalars)))
    let hadSomething = !scalars.isEmpty
    trim(&scalars)
    guard !scalars.isEmpty else { return .failure(hadSomething ? .onlyDots : .empty) }
    if scalars[0] == "." { scalars[0] = "_" }
    var name = String(String.UnicodeScalarView(scalars))
    if name.utf8.count > maximumLength {
      var cut = Array(shortened(name, to: maximumLength).unicodeScalars)
      trim(&cut)
      name = String(String.UnicodeScalarView(cut))
    }
    return .success(name)
  }

  /// `name`, or the first of `name (1).ext`, `name (2).ext`, … for which `exists` is false.
  /// Each stays within ``maximumLength`` bytes (the stem is cut to make room). `exists` must
  /// turn false for some number; a folder holds finitely many files.
  public static func unique(_ name: String, exists: (String) -> Bool) -> String {
    guard exists(name) else { return name }
    let (stem, fileExtension) = split(name)
    var number = 1
    while true {
      let suffix = " (\(number))" + fileExtension
      let candidate = String(String(stem).prefix(utf8Bytes: maximumLength - suffix.utf8.count)) + suffix
      if !exists(candidate) { return candidate }
      number += 1
    }
  }

  // MARK: - Steps

  /// The last component that is not empty, splitting on `/` and `\`.
  static func lastComponent(of raw: String) -> Substring {
    raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? ""
  }

  /// The scalars without terminal escape sequences (7-bit and 8-bit forms).
  static func withoutEscapeSequences(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var kept: [Unicode.Scalar] = []
    kept.reserveCapacity(scalars.count)
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      index += 1
      switch scalar.value {
      case 0x1B:
        guard index < scalars.count else { break }
        let next = scalars[index].value
        switch next {
        case 0x5B:  // ESC [
          index = endOfControlSequence(scalars, from: index + 1)
        case 0x5D, 0x50, 0x58, 0x5E, 0x5F:  // ESC ] P X ^ _
          index = endOfControlString(scalars, from: index + 1)
        case 0x20...0x7E:
          index += 1  // a two-character sequence: ESC c, ESC 7, ESC ( B's first part…
        default:
          break  // a lone ESC: it is replaced with the other controls
        }
        if next < 0x20 || next > 0x7E { kept.append(scalar) }
      case 0x9B:
        index = endOfControlSequence(scalars, from: index)
      case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
        index = endOfControlString(scalars, from: index)
      default:
        kept.append(scalar)
      }
    }
    return kept
  }

  /// Past a CSI's parameter and intermediate bytes (0x20–0x3F) and its final byte
  /// (0x40–0x7E); anything else ends it without being consumed.
  private static func endOfControlSequence(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
    var index = start
    while index < scalars.count {
      let value = scalars[index].value
      if (0x40...0x7E).contains(value) { return index + 1 }
      guard (0x20...0x3F).contains(value) else { return index }
      index += 1
    }
    return index
  }

  /// Past a control string's terminator (BEL, `ESC \`, or ST U+009C), or to the end.
  private static func endOfControlString(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
    var index = start
    while index < scalars.count {
      switch scalars[index].value {
      case 0x07, 0x9C: return index + 1
      case 0x1B where index + 1 < scalars.count && scalars[index + 1] == "\\": return index + 2
      default: index += 1
      }
    }
    return index
  }

  /// Characters that look like a slash or a backslash.
  static func isSlashLookAlike(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x2044, 0x2215, 0x2216, 0x29F5, 0x29F8, 0x29F9, 0xFE68, 0xFF0F, 0xFF3C: true
    default: false
    }
  }

  /// Controls, bidi controls, separators and slash look-alikes replaced by `_`.
  static func replaceActingCharacters(in scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
    scalars.map { SafeText.isUnsafe($0) || isSlashLookAlike($0) ? "_" : $0 }
  }

  /// Removes white space at both ends and dots at the end.
  static func trim(_ scalars: inout [Unicode.Scalar]) {
    while let last = scalars.last, last == "." || last.properties.isWhitespace { scalars.removeLast() }
    let leading = scalars.prefix { $0.properties.isWhitespace }.count
    scalars.removeFirst(leading)
  }

  /// The name split before its extension's dot (not a leading one); the extension is empty
  /// when there is none or it is longer than ``maximumExtensionLength``.
  static func split(_ name: String) -> (stem: Substring, fileExtension: Substring) {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex,
      name[dot...].utf8.count <= maximumExtensionLength
    else { return (name[...], "") }
    return (name[..<dot], name[dot...])
  }

  /// `name` cut to `maximum` bytes of UTF-8 on a character boundary, keeping its extension.
  /// A first character longer than the room (one letter with hundreds of combining marks)
  /// is cut between its scalars instead, so something is always left.
  static func shortened(_ name: String, to maximum: Int) -> String {
    let (stem, fileExtension) = split(name)
    let room = maximum - fileExtension.utf8.count
    var kept = String(String(stem).prefix(utf8Bytes: room))
    if kept.isEmpty {
      var bytes = 0
      for scalar in stem.unicodeScalars {
        bytes += scalar.utf8.count
        guard bytes <= room else { break }
        kept.unicodeScalars.append(scalar)
      }
    }
    return kept + fileExtension
  }
}
