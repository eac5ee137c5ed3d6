import ChatScreen
import Testing

@Suite("Input line editing")
struct InputEditorTests {
  @Test func backspaceRemovesAWholeChineseCharacter() {
    var editor = InputEditor()
    editor.apply(.insert("中文字"))
    editor.apply(.backspace)
    #expect(editor.text == "中文")
    #expect(editor.view(width: 40).cursorColumn == 4)
  }

  @Test func cursorMovesByCharacterAndColumnsCountWidth() {
    var editor = InputEditor()
    editor.apply(.insert("a你好b"))
    editor.apply(.left)
    editor.apply(.left)
    #expect(editor.view(width: 40).cursorColumn == 3)  // after "a你"
    editor.apply(.insert("X"))
    #expect(editor.text == "a你X好b")
    editor.apply(.delete)
    #expect(editor.text == "a你Xb")
    editor.apply(.home)
    #expect(editor.view(width: 40).cursorColumn == 0)
    editor.apply(.end)
    #expect(editor.view(width: 40).cursorColumn == 5)  // a, 你 (2), X, b
  }

  @Test func killCommands() {
    var editor = InputEditor()
    editor.apply(.insert("hello big world"))
    editor.apply(.deleteWordBackward)
    #expect(editor.text == "hello big ")
    editor.apply(.left)
    editor.apply(.left)
    editor.apply(.deleteToEnd)
    #expect(editor.text == "hello bi")
    editor.apply(.deleteToStart)
    #expect(editor.text == "")
  }

  @Test func historyRecallsSentLinesAndKeepsTheDraft() {
    var editor = InputEditor()
    editor.apply(.insert("first"))
    #expect(editor.submit() == "first")
    editor.apply(.insert("第二"))
    _ = editor.submit()
    editor.apply(.insert("draft"))
    editor.apply(.historyPrevious)
    #expect(editor.text == "第二")
    editor.apply(.historyPrevious)
    #expect(editor.text == "first")
    editor.apply(.historyPrevious)
    #expect(editor.text == "first")
    editor.apply(.historyNext)
    editor.apply(.historyNext)
    #expect(editor.text == "draft")
  }

  @Test func aLongLineScrollsToKeepTheCursorVisible() {
    var editor = InputEditor()
    editor.apply(.insert(String(repeating: "中", count: 30)))
    let view = editor.view(width: 11)
    #expect(DisplayWidth.of(view.text) <= 11)
    #expect(view.cursorColumn <= 10)
    #expect(view.cursorColumn == DisplayWidth.of(view.text))
    editor.apply(.home)
    let start = editor.view(width: 11)
    #expect(start.cursorColumn == 0)
    #expect(start.text.hasPrefix("中"))
  }

  @Test func graphemeClustersAreUnitsEvenWhenTypedInPieces() {
    var editor = InputEditor()
    // A skin tone, a combining accent and a ZWJ sequence typed a code point at a time.
    for piece in ["a", "👍", "\u{1F3FD}", "e", "\u{301}", "👨", "\u{200D}", "👩", "\u{200D}", "👧", "b"] {
      editor.apply(.insert(piece))
    }
    #expect(editor.characters.count == 5)
    #expect(editor.cursor == 5)
    editor.apply(.left)
    editor.apply(.backspace)
    #expect(editor.text == "a👍🏽e\u{301}b")
    editor.apply(.left)
    editor.apply(.delete)
    #expect(editor.text == "a👍🏽b")
    editor.apply(.home)
    editor.apply(.right)
    editor.apply(.delete)
    #expect(editor.text == "ab")
  }

  @Test func theInputWindowCountsClustersByTheirCells() {
    var editor = InputEditor()
    editor.apply(.insert("👍🏽👨‍👩‍👧x"))
    let view = editor.view(width: 40)
    #expect(view.text == "👍🏽👨‍👩‍👧x")
    #expect(view.cursorColumn == 4 + 2 + 1)
  }
}
