import ChatProtocol

/// How a piece of text is drawn. The terminal layer maps each to colours and attributes,
/// and falls back to bold, dim and reverse when there are no colours.
public enum TextStyle: Hashable, Sendable, CaseIterable {
  case plain
  case time
  case ownName
  case peerName
  case system
  case error
  case byteCount
  case statusBar
  case notice
}

/// A run of text in one style.
public struct StyledSpan: Hashable, Sendable {
  public var text: String
  public var style: TextStyle

  public init(_ text: String, _ style: TextStyle) {
    self.text = text
    self.style = style
  }
}

/// One screen row: spans placed from column 0, never wider than the row.
public struct StyledRow: Hashable, Sendable {
  public var spans: [StyledSpan]

  public init(_ spans: [StyledSpan] = []) {
    self.spans = spans
  }

  /// The row's characters, without styles (for tests and for searching).
  public var text: String { spans.map(\.text).joined() }
  public var width: Int { spans.reduce(0) { $0 + DisplayWidth.of($1.text) } }
}

extension String {
  /// The text made visible and harmless on a terminal: C0 controls become their Unicode
  /// control pictures (ESC shows as ␛) and a tab a space; the other characters ``SafeText``
  /// names (DEL, C1 controls, line and paragraph separators, bidi controls) are written as
  /// `\u{XX}`. Nothing a peer sends can move the cursor, change the terminal or reorder the
  /// line.
  public var terminalSafe: String {
    guard unicodeScalars.contains(where: SafeText.isUnsafe) else { return self }
    var result = String.UnicodeScalarView()
    for scalar in unicodeScalars {
      switch scalar.value {
      case 0x09: result.append(" ")
      case 0x00..<0x20: result.append(Unicode.Scalar(0x2400 + scalar.value)!)
      case 0x7f: result.append("\u{2421}")
      default:
        if SafeText.isUnsafe(scalar) {
          result.append(contentsOf: SafeText.escape(scalar).unicodeScalars)
        } else {
          result.append(scalar)
        }
      }
    }
    return String(result)
  }
}
