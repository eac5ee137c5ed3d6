import ChatScreen
import PropertyBased
import Testing

@Suite("Wrapping by display width")
struct LineWrapperTests {
  func wrap(_ text: String, _ width: Int, indent: Int = 0) -> [String] {
    LineWrapper.wrap([StyledSpan(text, .plain)], width: width, indent: indent).map(\.text)
  }

  @Test func englishBreaksBetweenWords() {
    #expect(wrap("hello world foo", 11) == ["hello world", "foo"])
    #expect(wrap("hello world", 8) == ["hello", "world"])
    #expect(wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"])
  }

  @Test func chineseIsNeverCutInHalf() {
    let text = String(repeating: "中", count: 50)
    let rows = wrap(text, 21)  // an odd width: the last column stays blank
    #expect(rows.allSatisfy { DisplayWidth.of($0) <= 21 })
    #expect(rows.first.map { DisplayWidth.of($0) } == 20)
    #expect(rows.joined() == text)
  }

  @Test func chineseAfterANameFillsTheRow() {
    let rows = wrap("bob: " + String(repeating: "长", count: 20), 20)
    #expect(rows.first == "bob: 长长长长长长长")
  }

  @Test func hardLineBreaksStartNewRowsAndContinuationsAreIndented() {
    #expect(wrap("one\ntwo", 20) == ["one", "two"])
    #expect(
      wrap("12:00:00 abc def ghij klm", 20, indent: 9) == ["12:00:00 abc def", "         ghij klm"])
    // An indent of half the width or more would leave no room: it is dropped.
    #expect(wrap("12:00:00 abc def", 12, indent: 9) == ["12:00:00 abc", "def"])
  }

  @Test func truncationMarksTheCut() {
    #expect(LineWrapper.truncate("hello world", width: 8) == "hello w…")
    #expect(LineWrapper.truncate("你好世界", width: 5) == "你好…")
    #expect(LineWrapper.truncate("short", width: 10) == "short")
  }

  @Test func randomMixedTextWrapsWithinWidthAndLosesNothing() async {
    let character = Gen<Character?>.element(of: Array("ab中文😀é\u{301}한ｱx") as [Character]).map { $0! }
    await propertyCheck(count: 400, input: character.string(of: 0...120), Gen.int(in: 2...40)) { text, width in
      let rows = wrap(text, width)
      #expect(rows.allSatisfy { DisplayWidth.of($0) <= width }, "\(rows)")
      #expect(rows.joined() == text)
    }
  }
}
