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
  public static let currentVersion: UInt16 = 1
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
  /// 1 to 64 bytes of UTF-8; no control characters (C0, DEL, C1), no format characters
  /// (general category Cf: zero-width characters, bidi controls, the BOM, …), no line or
  /// paragraph separators (Zl, Zp), no other default-ignorable (invisible) code points such
  /// as U+3164 or the variation selectors, and no white space at either end. Each of these
  /// lets one name pass for another or disturb the lines it is shown on.
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
    if let first = name.unicodeScalars.first, let last = name.unicodeScalars.last,
      first.properties.isWhitespace || last.properties.isWhitespace
    {
      return "a name can't begin or end with a space"
    }
    return nil
  }

  /// Whether `scalar` may appear nowhere in a name.
  static func isRefusedInName(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator: return true
    default: return scalar.properties.isDefaultIgnorableCodePoint
    }
  }

  /// "control character U+001B": what was refused, by class and code point.
  private static func describe(_ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    let kind =
      switch scalar.properties.generalCategory {
      case .control: "a control character"
      case .format: "an invisible or bidi formatting character"
      case .lineSeparator, .paragraphSeparator: "a line or paragraph separator"
      default: "an invisible character"
      }
    return "\(kind) (\(code))"
  }
}
