/// How many terminal columns text takes, decided here rather than by libc's `wcwidth`,
/// whose tables lag Unicode and differ between systems (macOS's has given most CJK width 1).
///
/// - East Asian Wide and Fullwidth characters (Chinese, Japanese, Korean, full-width
///   punctuation) and emoji shown as emoji take 2 columns.
/// - Combining marks, format characters (zero-width joiner, zero-width space) and the
///   Hangul medial and final jamo take 0: they join the character before them.
/// - Everything else printable takes 1.
///
/// Widths are per `Character` (grapheme cluster), so "é" written as e + U+0301 is 1 column
/// and a family emoji joined with ZWJ is 2; see ``cells(of:)`` for how a cluster is drawn.
public enum DisplayWidth {
  /// Columns taken by one grapheme cluster: the sum of its ``cells(of:)``.
  @inlinable
  public static func of(_ character: Character) -> Int {
    if let ascii = character.asciiValue {
      return (0x20...0x7e).contains(ascii) ? 1 : 0
    }
    let scalars = character.unicodeScalars
    if scalars.count == 1 { return of(scalars.first!) }
    return cells(of: character).reduce(0) { $0 + $1.width }
  }

  /// The most code points one terminal cell holds (ncurses' `CCHARW_MAX`).
  public static let codePointsPerCell = 5

  /// How a grapheme cluster is drawn: the cells, each with its code points and width.
  ///
  /// A cell's width is that of its first code point, which is what ncurses (through
  /// wcwidth) and most terminals go by; the model must agree with both, or drawing leaves
  /// stray cells. So: zero-width code points (combining marks, variation selectors, the
  /// zero-width joiner) join the cell before them, and so does the code point after a
  /// zero-width joiner, which terminals such as tmux show as one 2-column emoji (👨‍👩‍👧);
  /// a skin tone (👍🏽) or a flag's second letter starts a cell of its own (tmux shows
  /// 👍🏽 in 4 columns). A cell holds at most ``codePointsPerCell`` code points; what
  /// doesn't fit starts a new cell or, if zero-width, is left out.
  public static func cells(of character: Character) -> [(scalars: String.UnicodeScalarView, width: Int)] {
    var cells: [(scalars: String.UnicodeScalarView, width: Int)] = []
    var afterJoiner = false
    for scalar in character.unicodeScalars {
      let width = of(scalar)
      let joins = (width == 0 || afterJoiner) && !cells.isEmpty
      if joins, cells[cells.count - 1].scalars.count < codePointsPerCell {
        cells[cells.count - 1].scalars.append(scalar)
      } else if width > 0 {
        cells.append((String.UnicodeScalarView([scalar]), width))
      }
      afterJoiner = scalar == "\u{200D}"
    }
    return cells
  }

  /// Columns taken by one scalar on its own.
  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x20 || (0x7f..<0xa0).contains(value) { return 0 }
    if value < 0x300 { return 1 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format:
      return 0
    default:
      break
    }
    if (0x1160...0x11ff).contains(value) || (0xd7b0...0xd7ff).contains(value) { return 0 }  // Hangul jamo V/T
    if (0x1f1e6...0x1f1ff).contains(value) { return 1 }  // a flag's letters, 1 each as in wcwidth
    if scalar.properties.isEmojiPresentation { return 2 }
    return isWide(value) ? 2 : 1
  }

  /// Columns taken by a whole string.
  public static func of(_ text: some StringProtocol) -> Int {
    var total = 0
    for character in text { total += of(character) }
    return total
  }

  /// East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15, apart from emoji (which
  /// `isEmojiPresentation` covers). Sorted, for binary search.
  static let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115f, 0x2329...0x232a, 0x2e80...0x2e99, 0x2e9b...0x2ef3, 0x2f00...0x2fd5,
    0x2ff0...0x2ffb, 0x3000...0x303e, 0x3041...0x3096, 0x3099...0x30ff, 0x3105...0x312f,
    0x3131...0x318e, 0x3190...0x31e3, 0x31f0...0x321e, 0x3220...0x3247, 0x3250...0x4dbf,
    0x4e00...0xa48c, 0xa490...0xa4c6, 0xa960...0xa97c, 0xac00...0xd7a3, 0xf900...0xfaff,
    0xfe10...0xfe19, 0xfe30...0xfe52, 0xfe54...0xfe66, 0xfe68...0xfe6b, 0xff01...0xff60,
    0xffe0...0xffe6, 0x16fe0...0x16fe4, 0x16ff0...0x16ff1, 0x17000...0x187f7, 0x18800...0x18cd5,
    0x18d00...0x18d08, 0x1aff0...0x1affe, 0x1b000...0x1b122, 0x1b132...0x1b132, 0x1b150...0x1b152,
    0x1b155...0x1b155, 0x1b164...0x1b167, 0x1b170...0x1b2fb, 0x1f200...0x1f202, 0x1f210...0x1f23b,
    0x1f240...0x1f248, 0x1f250...0x1f251, 0x1f260...0x1f265, 0x20000...0x2fffd, 0x30000...0x3fffd,
  ]

  static func isWide(_ value: UInt32) -> Bool {
    var low = 0
    var high = wideRanges.count - 1
    while low <= high {
      let middle = (low + high) / 2
      let range = wideRanges[middle]
      if value < range.lowerBound {
        high = middle - 1
      } else if value > range.upperBound {
        low = middle + 1
      } else {
        return true
      }
    }
    return false
  }
}
