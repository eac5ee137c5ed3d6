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
  /// The text with control characters made visible and harmless on a terminal: C0 controls
  /// become their Unicode control pictures (ESC shows as ␛), so nothing a peer sends can
  /// move the cursor or change the terminal. A tab becomes a space. C1 controls and the
  /// bidirectional controls (which can make text read in a different order than it is,
  /// "Trojan Source") become U+FFFD; the line and paragraph separators become ␤.
  public var terminalSafe: String {
    guard unicodeScalars.contains(where: \.isUnsafeOnTerminal) else { return self }
    var result = String.UnicodeScalarView()
    for scalar in unicodeScalars {
      switch scalar.value {
      case 0x09: result.append(" ")
      case 0x00..<0x20: result.append(Unicode.Scalar(0x2400 + scalar.value)!)
      case 0x7f: result.append("\u{2421}")
      case 0x2028, 0x2029: result.append("\u{2424}")
      case _ where scalar.isUnsafeOnTerminal: result.append("\u{FFFD}")
      default: result.append(scalar)
      }
    }
    return String(result)
  }
}

extension Unicode.Scalar {
  /// Controls (C0, DEL, C1), bidirectional controls, and the line and paragraph separators.
  var isUnsafeOnTerminal: Bool {
    switch value {
    case 0x00..<0x20, 0x7f..<0xa0: true
    case 0x061c, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: true  // bidi controls
    case 0x2028, 0x2029: true
    default: false
    }
  }
}
