/// Wraps styled text into rows of a given width by display columns.
///
/// A wide character is never cut in half: if it doesn't fit in the last column, it moves
/// to the next row and the column stays blank. Rows break after a space or beside a wide
/// (CJK) character when the row has one, so English words stay whole and Chinese fills
/// the row; a word longer than the row is cut where it must be.
/// Hard line breaks in the text start new rows; continuation rows are indented by `indent`.
public enum LineWrapper {
  public static func wrap(_ spans: [StyledSpan], width: Int, indent: Int = 0) -> [StyledRow] {
    let width = max(1, width)
    let indent = indent < width / 2 ? indent : 0
    var rows: [StyledRow] = []
    // Cells of the row being built: character, style, width.
    var cells: [(Character, TextStyle, Int)] = []
    var column = 0
    var lastBreak: Int?  // index in `cells` just after the last space

    func emit(_ cells: ArraySlice<(Character, TextStyle, Int)>) {
      var spans: [StyledSpan] = []
      if !rows.isEmpty, indent > 0 { spans.append(StyledSpan(String(repeating: " ", count: indent), .plain)) }
      for (character, style, _) in cells {
        if let last = spans.last, last.style == style {
          spans[spans.count - 1].text.append(character)
        } else {
          spans.append(StyledSpan(String(character), style))
        }
      }
      rows.append(StyledRow(spans))
    }

    func trimmingTrailingSpaces(
      _ cells: ArraySlice<(Character, TextStyle, Int)>
    ) -> ArraySlice<(Character, TextStyle, Int)> {
      var end = cells.endIndex
      while end > cells.startIndex, cells[end - 1].0 == " " { end -= 1 }
      return end > cells.startIndex ? cells[..<end] : cells
    }

    func startRow(carrying rest: ArraySlice<(Character, TextStyle, Int)>) {
      cells = Array(rest)
      column = indent + cells.reduce(0) { $0 + $1.2 }
      lastBreak = nil
    }

    column = 0
    for span in spans {
      for character in span.text {
        if character == "\n" || character == "\r\n" {
          emit(cells[...])
          startRow(carrying: [])
          continue
        }
        let cellWidth = DisplayWidth.of(character)
        if character == " ", column + cellWidth > width, !cells.isEmpty {
          // The space that doesn't fit is the break itself.
          emit(trimmingTrailingSpaces(cells[...]))
          startRow(carrying: [])
          continue
        }
        var wrapped = false
        while column + cellWidth > width, !cells.isEmpty {
          if let breakIndex = lastBreak, breakIndex > 0, breakIndex < cells.count {
            emit(trimmingTrailingSpaces(cells[..<breakIndex]))
            startRow(carrying: cells[breakIndex...])
          } else {
            emit(cells[...])
            startRow(carrying: [])
          }
          wrapped = true
        }
        if wrapped, character == " ", cells.isEmpty { continue }  // a space at a break is swallowed
        // Wide (CJK) characters may break on either side, as Unicode line breaking allows
        // between ideographs; elsewhere only after a space.
        if cellWidth == 2 { lastBreak = cells.count }
        cells.append((character, span.style, cellWidth))
        column += cellWidth
        if character == " " || cellWidth == 2 { lastBreak = cells.count }
      }
    }
    emit(cells[...])
    return rows
  }

  /// The longest prefix of `text` that fits in `width` columns, with "…" when cut.
  public static func truncate(_ text: String, width: Int) -> String {
    guard DisplayWidth.of(text) > width else { return text }
    guard width > 0 else { return "" }
    var result = ""
    var used = 0
    for character in text {
      let cellWidth = DisplayWidth.of(character)
      if used + cellWidth > width - 1 { break }
      result.append(character)
      used += cellWidth
    }
    return result + "…"
  }
}
