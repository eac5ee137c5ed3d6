/// The first frame each side sends: who it is, what it speaks and whether it wants auth.
///
/// ```
/// offset  size  field
///      0     2  protocol version (UInt16)           -- fixed forever, read before the rest
///      2     2  flags (UInt16): bit 0 = offers shared-secret auth; other bits 0, ignored
///      4     4  largest payload this side accepts (UInt32)
///      8    32  nonce: fresh random bytes for this connection
///     40     1  name length N (1...64)
///     41     N  display name, UTF-8
///   41+N     1  capability count C (0...16)
///            …  C times: length L (1...32), then L bytes of printable ASCII
/// ```
public struct Hello: Hashable, Sendable {
  /// The protocol version this implementation speaks.
  public static let currentVersion: UInt16 = 2
  /// Bytes in a nonce.
  public static let nonceLength = 32
  /// Largest display name in UTF-8 bytes.
  public static let maximumNameLength = 64
  /// Most capabilities one hello may list.
  public static let maximumCapabilityCount = 16
  /// Largest capability name in bytes.
  public static let maximumCapabilityLength = 32
  /// Bit in ``flags`` that says the sender has a shared secret and will prove it.
  public static let offersAuthFlag: UInt16 = 1 << 0

  public var version: UInt16
  public var flags: UInt16
  public var maximumPayloadLength: UInt32
  public var nonce: [UInt8]
  public var name: String
  public var capabilities: [String]

  public init(
    version: UInt16 = Hello.currentVersion,
    offersAuth: Bool,
    maximumPayloadLength: UInt32,
    nonce: [UInt8],
    name: String,
    capabilities: [String] = []
  ) {
    self.version = version
    self.flags = offersAuth ? Hello.offersAuthFlag : 0
    self.maximumPayloadLength = maximumPayloadLength
    self.nonce = nonce
    self.name = name
    self.capabilities = capabilities
  }

  /// Whether the sender has a shared secret and expects an auth exchange.
  public var offersAuth: Bool { flags & Hello.offersAuthFlag != 0 }

  /// Checks a display name against the rules of the hello (docs/PROTOCOL.md §2, "Names"):
  /// 1 to 64 bytes of UTF-8 with
  /// - no control characters (C0, DEL, C1), no format characters (general category Cf:
  ///   zero-width characters, bidi controls, the BOM, …), no line or paragraph separators
  ///   (Zl, Zp), no other default-ignorable (invisible) code points such as the variation
  ///   selectors;
  /// - no space but U+0020 (no other Zs: no-break, ideographic, hair, … spaces), and that
  ///   one neither at either end nor twice in a row;
  /// - no unassigned code point (Cn, noncharacters included) and no private-use character
  ///   (Co): they look different, or like nothing, from one font and Unicode version to
  ///   the next;
  /// - no character that is drawn blank (``blankCharacters``: U+2800, the Hangul fillers);
  /// - every combining mark (Mn, Mc, Me) after a visible character, not first and not after
  ///   a space; at most 4 nonspacing or enclosing marks in a row, and never the same one
  ///   twice in a row (UTS #39 §5.4).
  /// Each of these lets one name pass for another, look like no name at all, or disturb the
  /// lines it is shown on.
  ///
  /// Returns a message saying what is wrong, or nil when the name is fine.
  public static func problem(withName name: String) -> String? {
    let bytes = name.utf8.count
    if bytes == 0 { return "a name can't be empty" }
    if bytes > maximumNameLength {
      return "a name is at most \(maximumNameLength) bytes of UTF-8 (this one is \(bytes))"
    }
    if let bad = name.unicodeScalars.first(where: isRefusedInName) {
      return "a name can't contain \(describe(bad))"
    }
    if name.unicodeScalars.first == " " || name.unicodeScalars.last == " " {
      return "a name can't begin or end with a space"
    }
    var previous: Unicode.Scalar?
    var marksInARow = 0
    for scalar in name.unicodeScalars {
      switch scalar.properties.generalCategory {
      case .nonspacingMark, .enclosingMark, .spacingMark:
        guard let previous else {
          return "a name can't begin with a combining mark (\(code(scalar))): a mark must follow a visible character"
        }
        if previous == " " {
          return "a combining mark (\(code(scalar))) must follow a visible character, not a space"
        }
        if scalar.properties.generalCategory == .spacingMark {
          marksInARow = 0
        } else {
          if scalar == previous { return "a name can't repeat a combining mark (\(code(scalar))) in a row" }
          marksInARow += 1
          if marksInARow > 4 { return "a name can't stack more than 4 combining marks (\(code(scalar)))" }
        }
      default:
        if scalar == " " && previous == " " { return "a name can't contain two spaces in a row" }
        marksInARow = 0
      }
      previous = scalar
    }
    return nil
  }

  /// Characters that are drawn as blank space though they are letters or symbols: U+2800
  /// BRAILLE PATTERN BLANK, the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0; also
  /// default-ignorable) and U+16FE4 KHITAN SMALL SCRIPT FILLER.
  public static let blankCharacters: Set<UInt32> = [0x2800, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x16FE4]

  /// Whether `scalar` may appear nowhere in a name.
  static func isRefusedInName(_ scalar: Unicode.Scalar) -> Bool {
    if blankCharacters.contains(scalar.value) { return true }
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .privateUse, .surrogate: return true
    case .spaceSeparator: return scalar != " "
    default: return scalar.properties.isDefaultIgnorableCodePoint
    }
  }

  /// "U+001B".
  private static func code(_ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }

  /// "a control character (U+001B)": what was refused, by class and code point.
  private static func describe(_ scalar: Unicode.Scalar) -> String {
    let kind =
      if blankCharacters.contains(scalar.value) {
        "a blank character"
      } else {
        switch scalar.properties.generalCategory {
        case .control: "a control character"
        case .format: "an invisible or bidi formatting character"
        case .lineSeparator, .paragraphSeparator: "a line or paragraph separator"
        case .spaceSeparator: "a space other than U+0020"
        case .unassigned: "an unassigned code point"
        case .privateUse, .surrogate: "a private-use character"
        default: "an invisible character"
        }
      }
    return "\(kind) (\(code(scalar)))"
  }
}
