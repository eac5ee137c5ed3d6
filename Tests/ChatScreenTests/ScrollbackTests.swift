import ChatScreen
import Testing

@Suite("Scrollback window")
struct ScrollbackTests {
  func filled(_ count: Int, limit: Int = 10_000) -> Scrollback {
    var scrollback = Scrollback(limit: limit)
    for index in 1...count {
      scrollback.append(ScrollbackEntry(time: "t", kind: .incoming, sender: "b", text: "m\(index)"))
    }
    return scrollback
  }

  func lastTexts(_ rows: [StyledRow]) -> [String] { rows.map { $0.text.components(separatedBy: " ").last! } }

  @Test func followsTheEnd() {
    var scrollback = filled(50)
    #expect(lastTexts(scrollback.visibleRows(width: 40, height: 5)) == ["m46", "m47", "m48", "m49", "m50"])
  }

  @Test func scrolledUpTheViewStaysAndNewMessagesAreCounted() {
    var scrollback = filled(50)
    scrollback.pageUp(width: 40, height: 5)
    let before = scrollback.visibleRows(width: 40, height: 5)
    #expect(lastTexts(before) == ["m42", "m43", "m44", "m45", "m46"])
    scrollback.append(ScrollbackEntry(time: "t", kind: .incoming, sender: "b", text: "new1"))
    scrollback.append(ScrollbackEntry(time: "t", kind: .system, text: "a state change"))
    scrollback.append(ScrollbackEntry(time: "t", kind: .incoming, sender: "b", text: "new2"))
    #expect(scrollback.visibleRows(width: 40, height: 5) == before)
    #expect(scrollback.unseenMessages == 2)
    scrollback.scrollToBottom()
    #expect(scrollback.unseenMessages == 0)
    #expect(lastTexts(scrollback.visibleRows(width: 40, height: 5)).last == "new2")
  }

  @Test func pagingDownReturnsToFollowing() {
    var scrollback = filled(20)
    scrollback.pageUp(width: 40, height: 5)
    scrollback.pageUp(width: 40, height: 5)
    #expect(!scrollback.isFollowing)
    scrollback.pageDown(width: 40, height: 5)
    scrollback.pageDown(width: 40, height: 5)
    #expect(scrollback.isFollowing)
  }

  @Test func homeShowsTheFirstLine() {
    var scrollback = filled(100)
    scrollback.scrollToTop()
    #expect(lastTexts(scrollback.visibleRows(width: 40, height: 3)) == ["m1", "m2", "m3"])
    scrollback.pageUp(width: 40, height: 3)
    #expect(lastTexts(scrollback.visibleRows(width: 40, height: 3)) == ["m1", "m2", "m3"])
  }

  @Test func theLimitDropsTheOldest() {
    var scrollback = filled(30, limit: 10)
    #expect(scrollback.count == 10)
    scrollback.scrollToTop()
    #expect(lastTexts(scrollback.visibleRows(width: 40, height: 1)) == ["m21"])
  }

  @Test func aResizeKeepsTheAnchoredContent() {
    var scrollback = Scrollback()
    for index in 1...40 {
      scrollback.append(
        ScrollbackEntry(
          time: "t", kind: .incoming, sender: "b", text: "message \(index) " + String(repeating: "字", count: 30)))
    }
    scrollback.pageUp(width: 80, height: 10)
    let wide = scrollback.visibleRows(width: 80, height: 10)
    let narrow = scrollback.visibleRows(width: 30, height: 10)
    #expect(narrow.allSatisfy { $0.width <= 30 })
    // The first entry in view stays the same entry after re-wrapping.
    let firstWide = wide.first { $0.text.contains("message") }!.text
    let firstNarrow = narrow.first { $0.text.contains("message") }!.text
    #expect(firstWide.split(separator: " ")[3] == firstNarrow.split(separator: " ")[3])
  }

  @Test func clearEmptiesIt() {
    var scrollback = filled(10)
    scrollback.clear()
    #expect(scrollback.visibleRows(width: 40, height: 5).isEmpty)
  }

  @Test func theNewMessagesMarkerCountsDownWhilePagingDown() {
    var scrollback = filled(30)
    scrollback.pageUp(width: 40, height: 5)
    scrollback.pageUp(width: 40, height: 5)
    for index in 1...12 {
      scrollback.append(ScrollbackEntry(time: "t", kind: .incoming, sender: "b", text: "new\(index)"))
    }
    #expect(scrollback.unseenMessages == 12)
    var counts = [scrollback.unseenMessages]
    while !scrollback.isFollowing {
      scrollback.pageDown(width: 40, height: 5)
      _ = scrollback.visibleRows(width: 40, height: 5)
      counts.append(scrollback.unseenMessages)
    }
    #expect(counts.last == 0)
    #expect(counts == counts.sorted(by: >), "never goes up: \(counts)")
    #expect(counts.dropFirst().dropLast().contains { $0 > 0 && $0 < 12 }, "counts down: \(counts)")
  }
}
