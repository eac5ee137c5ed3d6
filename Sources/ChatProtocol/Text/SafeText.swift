/// The one place that decides which characters a peer may not put on a terminal or in a log
/// as themselves, and how they are written instead.
///
/// Everything a peer controls (names, messages, reasons, error texts) reaches a terminal or a
/// log file somewhere: plain output, the screen, the line printed after the screen closes,
/// the relay's log. A raw ESC there can set the title or the clipboard (`ESC ] 52`), clear the
/// screen or forge a log line; C1 controls do the same on terminals that take 8-bit controls;
/// bidi controls reorder what is shown; line and paragraph separators start new lines in some
/// viewers. All of these are written as `\u{XX}` escapes, so the text stays readable and
/// nothing in it acts.
public enum SafeText {
  /// The characters that are never written as themselves: C0 controls (U+0000–U+001F), DEL
  /// (U+007F), C1 controls (U+0080–U+009F), the line and paragraph separators (U+2028, U+2029)
  /// and the bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
  public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x2028, 0x2029: true
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
  }

  /// `\u{1b}`: how an unsafe character is written (lowercase hex, no leading zeros).
  public static func escape(_ scalar: Unicode.Scalar) -> String {
    "\\u{\(String(scalar.value, radix: 16))}"
  }

  /// The text with `\` written `\\`, tab `\t`, line feed `\n`, carriage return `\r` and every
  /// other unsafe character `\u{XX}`, so the result is one line that can be read back
  /// unambiguously. Everything else, Chinese included, is kept as it is.
  ///
  /// - Parameter limit: the most characters (Unicode scalars) of `text` to keep; a longer
  ///   text is cut there and ends with `…`, so a 1 MiB reason makes a short log line.
  public static func escaped(_ text: String, limit: Int? = nil) -> String {
    // Nearly every text has nothing to escape and fits: it is returned as it is, after one
    // pass over its bytes (a limit counts scalars, never more than the bytes).
    if limit.map({ text.utf8.count <= $0 }) ?? true, !mayNeedEscaping(text) { return text }
    var result = ""
    result.reserveCapacity(min(text.utf8.count, (limit ?? Int.max / 8) * 4) + 8)
    var kept = 0
    for scalar in text.unicodeScalars {
      if let limit, kept == limit {
        result += "…"
        break
      }
      kept += 1
      switch scalar {
      case "\\": result += "\\\\"
      case "\t": result += "\\t"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      default:
        if isUnsafe(scalar) {
          result += escape(scalar)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result
  }

  /// Whether `text` may hold something ``escaped(_:limit:)`` changes, from its UTF-8 bytes
  /// alone: a C0 control, DEL or `\`, or the lead byte of a C1 control (0xC2), of U+061C
  /// (0xD8) or of the separators and bidi controls at U+2xxx (0xE2). Never false when it
  /// does; true for some texts that don't (é, ع, ‘), which then take the exact path.
  static func mayNeedEscaping(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      // Eight bytes at a time while they are plain ASCII (none below 0x20, none 0x5C or
      // 0x7F, none with the high bit), byte by byte from the first word that isn't.
      let ones: UInt64 = 0x0101_0101_0101_0101
      let highs: UInt64 = 0x8080_8080_8080_8080
      func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
      var index = 0
      if let base = UnsafeRawPointer(bytes.baseAddress) {
        while index + 8 <= bytes.count {
          let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
          let plain =
            word & highs == 0 && (word &- 0x20 &* ones) & highs == 0 && !hasZeroByte(word ^ (0x5C &* ones))
            && !hasZeroByte(word ^ (0x7F &* ones))
          if !plain { break }
          index += 8
        }
      }
      while index < bytes.count {
        switch bytes[index] {
        case 0x00...0x1F, 0x5C, 0x7F, 0xC2, 0xD8, 0xE2: return true
        default: index += 1
        }
      }
      return false
    }
  }

  /// Whether `text` holds nothing that ``escaped(_:limit:)`` would change.
  public static func isSafe(_ text: String) -> Bool {
    !text.unicodeScalars.contains { isUnsafe($0) || $0 == "\\" }
  }
}
