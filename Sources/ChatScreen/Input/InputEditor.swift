/// The input line: text, cursor, history of sent lines, and the horizontal window onto a
/// line longer than the screen. Positions count `Character`s, so the cursor never lands
/// inside a Chinese character or an emoji and Backspace removes a whole one.
public struct InputEditor: Sendable {
  public private(set) var characters: [Character] = []
  /// Index in `characters` the cursor stands before.
  public private(set) var cursor = 0
  private var history: [String] = []
  private var historyIndex: Int?
  private var draft: [Character] = []
  /// First character shown when the line is wider than its window.
  private var firstVisible = 0
  public let historyLimit: Int

  public init(historyLimit: Int = 500) {
    self.historyLimit = historyLimit
  }

  public var text: String { String(characters) }
  public var isEmpty: Bool { characters.isEmpty }

  public enum Edit: Hashable, Sendable {
    case insert(String)
    case backspace
    case delete
    case left
    case right
    case home
    case end
    /// Ctrl-U: delete from the start of the line to the cursor.
    case deleteToStart
    /// Ctrl-K: delete from the cursor to the end of the line.
    case deleteToEnd
    /// Ctrl-W: delete the word before the cursor (and the spaces after it).
    case deleteWordBackward
    case wordLeft
    case wordRight
    case historyPrevious
    case historyNext
  }

  public mutating func apply(_ edit: Edit) {
    switch edit {
    case .insert(let text):
      // Joined as strings, not arrays of characters, so that a combining mark, skin tone
      // or zero-width joiner typed after its base becomes one character with it (Swift's
      // Character is a grapheme cluster).
      let before = String(characters[..<cursor]) + text
      let whole = before + String(characters[cursor...])
      characters = Array(whole)
      cursor = min(characters.count, before.count)
    case .backspace:
      guard cursor > 0 else { return }
      characters.remove(at: cursor - 1)
      cursor -= 1
    case .delete:
      guard cursor < characters.count else { return }
      characters.remove(at: cursor)
    case .left:
      cursor = max(0, cursor - 1)
    case .right:
      cursor = min(characters.count, cursor + 1)
    case .home:
      cursor = 0
    case .end:
      cursor = characters.count
    case .deleteToStart:
      characters.removeSubrange(0..<cursor)
      cursor = 0
    case .deleteToEnd:
      characters.removeSubrange(cursor...)
    case .deleteWordBackward:
      let start = wordStart(before: cursor)
      characters.removeSubrange(start..<cursor)
      cursor = start
    case .wordLeft:
      cursor = wordStart(before: cursor)
    case .wordRight:
      var index = cursor
      while index < characters.count, characters[index].isWhitespace { index += 1 }
      while index < characters.count, !characters[index].isWhitespace { index += 1 }
      cursor = index
    case .historyPrevious:
      guard !history.isEmpty else { return }
      if historyIndex == nil {
        draft = characters
        historyIndex = history.count - 1
      } else if let index = historyIndex, index > 0 {
        historyIndex = index - 1
      } else {
        return
      }
      characters = Array(history[historyIndex!])
      cursor = characters.count
    case .historyNext:
      guard let index = historyIndex else { return }
      if index + 1 < history.count {
        historyIndex = index + 1
        characters = Array(history[index + 1])
      } else {
        historyIndex = nil
        characters = draft
      }
      cursor = characters.count
    }
  }

  /// Replaces the text before the cursor with `text` (a completion), keeping what follows.
  public mutating func replaceBeforeCursor(with text: String) {
    let after = characters[cursor...]
    let before = Array(text)
    characters = before + after
    cursor = before.count
    historyIndex = nil
  }

  /// Takes the line for sending: clears it and remembers it in the history.
  public mutating func submit() -> String {
    let line = text
    if !line.isEmpty, history.last != line {
      history.append(line)
      if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    }
    characters = []
    cursor = 0
    firstVisible = 0
    historyIndex = nil
    draft = []
    return line
  }

  /// What to show in a window `width` columns wide, and the cursor's column in it. Scrolls
  /// the window so the cursor stays visible, a few characters from the edge when it can.
  public mutating func view(width: Int) -> (text: String, cursorColumn: Int) {
    let width = max(1, width)
    let displayed = characters.map { String($0).terminalSafe.first ?? " " }
    let widths = displayed.map { max(1, DisplayWidth.of($0)) }
    func columns(_ range: Range<Int>) -> Int { widths[range].reduce(0, +) }
    firstVisible = min(firstVisible, cursor)
    // Keep a little context to the left of the cursor when scrolling back.
    let margin = min(4, cursor)
    if firstVisible > cursor - margin { firstVisible = max(0, cursor - margin) }
    // The cursor itself needs a column after the text before it.
    while firstVisible < cursor, columns(firstVisible..<cursor) + 1 > width { firstVisible += 1 }
    var end = firstVisible
    var used = 0
    while end < displayed.count, used + widths[end] <= width {
      used += widths[end]
      end += 1
    }
    return (String(displayed[firstVisible..<end]), columns(firstVisible..<cursor))
  }

  private func wordStart(before index: Int) -> Int {
    var start = index
    while start > 0, characters[start - 1].isWhitespace { start -= 1 }
    while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
    return start
  }
}
