import DequeModule

/// The conversation's history and the window onto it.
///
/// The window is either following the end (new lines appear at the bottom) or anchored at
/// a row the user scrolled to, in which case new messages don't move it and are counted
/// as ``unseenMessages``. Only the entries in view are wrapped, so a resize or a redraw
/// costs a screenful of work however long the history is.
public struct Scrollback: Sendable {
  /// The most entries kept; the oldest go first.
  public let limit: Int
  private var entries: Deque<ScrollbackEntry> = []
  /// The absolute number of `entries.first`, which grows as old entries are dropped.
  private var firstIndex = 0
  /// The top visible row while scrolled up; nil while following the end.
  private var anchor: Position?
  /// Messages that arrived below the window while scrolled up.
  public private(set) var unseenMessages = 0
  private var wrapped: [Int: [StyledRow]] = [:]
  private var wrappedWidth = 0

  struct Position: Hashable, Sendable {
    var entry: Int
    var row: Int
  }

  public init(limit: Int = 10_000) {
    self.limit = max(1, limit)
  }

  public var count: Int { entries.count }
  public var isFollowing: Bool { anchor == nil }

  public mutating func append(_ entry: ScrollbackEntry) {
    entries.append(entry)
    if anchor != nil, entry.isMessage { unseenMessages += 1 }
    while entries.count > limit {
      entries.removeFirst()
      wrapped[firstIndex] = nil
      firstIndex += 1
      if let position = anchor, position.entry < firstIndex { anchor = Position(entry: firstIndex, row: 0) }
    }
  }

  /// Changes the most recent entry (among the last `window`) that `matches`; returns
  /// whether there was one. Its rows are wrapped again on the next draw.
  @discardableResult
  public mutating func updateLast(
    within window: Int = 5_000, where matches: (ScrollbackEntry) -> Bool, _ change: (inout ScrollbackEntry) -> Void
  ) -> Bool {
    var offset = entries.count - 1
    let stop = max(0, entries.count - window)
    while offset >= stop {
      if matches(entries[offset]) {
        change(&entries[offset])
        wrapped[firstIndex + offset] = nil
        return true
      }
      offset -= 1
    }
    return false
  }

  /// Changes the oldest entry (among the last `window`) that `matches`; returns whether
  /// there was one.
  @discardableResult
  public mutating func updateFirst(
    within window: Int = 5_000, where matches: (ScrollbackEntry) -> Bool, _ change: (inout ScrollbackEntry) -> Void
  ) -> Bool {
    let start = max(0, entries.count - window)
    guard let offset = entries[start...].firstIndex(where: matches) else { return false }
    change(&entries[offset])
    wrapped[firstIndex + offset] = nil
    return true
  }

  // MARK: - Delivery marks

  /// The oldest queued copy of our message `text` went on the wire as `own`: it now shows
  /// `[sent]` and its byte counts. Returns false when no queued copy is on screen.
  @discardableResult
  mutating func markSent(
    _ text: String, as own: ScrollbackEntry.OwnMessage, textBytes: Int, wireBytes: Int
  ) -> Bool {
    let isQueuedCopy = { (entry: ScrollbackEntry) in
      entry.delivery == .queued && entry.own?.sequence == nil && entry.text == text
    }
    return updateFirst(where: isQueuedCopy) { entry in
      entry.delivery = .sent
      entry.own = own
      entry.textBytes = textBytes
      entry.wireBytes = wireBytes
    }
  }

  /// Our message `own` was confirmed, or is known not delivered. Returns false when it is
  /// not on screen (any more).
  @discardableResult
  mutating func mark(_ own: ScrollbackEntry.OwnMessage, _ delivery: ScrollbackEntry.Delivery) -> Bool {
    updateLast(where: { $0.own == own }, { $0.delivery = delivery })
  }

  /// The queued message `text` was given up before it was sent. Returns false when no
  /// queued copy is on screen.
  @discardableResult
  mutating func markNotSent(_ text: String, reason: String) -> Bool {
    let isQueued = { (entry: ScrollbackEntry) in entry.delivery == .queued && entry.text == text }
    return updateFirst(where: isQueued) { $0.delivery = .notDelivered("not sent: \(reason)") }
  }

  public mutating func clear() {
    firstIndex += entries.count
    entries.removeAll()
    wrapped.removeAll()
    anchor = nil
    unseenMessages = 0
  }

  /// The rows to show in a window `width` columns wide and `height` rows high.
  public mutating func visibleRows(width: Int, height: Int) -> [StyledRow] {
    guard height > 0, !entries.isEmpty else { return [] }
    prepare(width: width)
    if let position = anchor {
      var rows = Array(rows(of: position.entry, width: width).dropFirst(position.row))
      var next = position.entry + 1
      while rows.count < height, next < firstIndex + entries.count {
        rows += self.rows(of: next, width: width)
        next += 1
      }
      if rows.count >= height { return Array(rows.prefix(height)) }
      // Everything from the anchor down fits: that's the end; follow it again.
      scrollToBottom()
    }
    var rows: [StyledRow] = []
    var index = firstIndex + entries.count - 1
    while rows.count < height, index >= firstIndex {
      rows.insert(contentsOf: self.rows(of: index, width: width), at: 0)
      index -= 1
    }
    return Array(rows.suffix(height))
  }

  /// Up by a page (keeping one row of context).
  public mutating func pageUp(width: Int, height: Int) {
    scroll(by: -max(1, height - 1), width: width, height: height)
  }

  /// Down by a page; back to following when the end comes into view.
  public mutating func pageDown(width: Int, height: Int) {
    scroll(by: max(1, height - 1), width: width, height: height)
  }

  public mutating func scrollToTop() {
    guard !entries.isEmpty else { return }
    anchor = Position(entry: firstIndex, row: 0)
  }

  public mutating func scrollToBottom() {
    anchor = nil
    unseenMessages = 0
  }

  private mutating func scroll(by delta: Int, width: Int, height: Int) {
    guard !entries.isEmpty, height > 0 else { return }
    prepare(width: width)
    var position = anchor ?? topOfEnd(width: width, height: height)
    var remaining = delta
    while remaining < 0 {
      if position.row > 0 {
        let step = min(position.row, -remaining)
        position.row -= step
        remaining += step
      } else if position.entry > firstIndex {
        position.entry -= 1
        position.row = rows(of: position.entry, width: width).count
      } else {
        break
      }
    }
    while remaining > 0 {
      let count = rows(of: position.entry, width: width).count
      if position.row + 1 < count {
        let step = min(count - 1 - position.row, remaining)
        position.row += step
        remaining -= step
      } else if position.entry + 1 < firstIndex + entries.count {
        position.entry += 1
        position.row = 0
        remaining -= 1
      } else {
        break
      }
    }
    if position == topOfEnd(width: width, height: height)
      || rowsFrom(position, width: width, atLeast: height).rows < height
    {
      scrollToBottom()
    } else {
      anchor = position
      // Paging down brings new messages into view: the marker counts only those below.
      unseenMessages = min(unseenMessages, messagesBelow(position, width: width, height: height))
    }
  }

  /// Messages entirely below a window `height` rows high whose top row is `position`.
  private mutating func messagesBelow(_ position: Position, width: Int, height: Int) -> Int {
    let end = rowsFrom(position, width: width, atLeast: height).end
    return entries[(end - firstIndex)...].count(where: \.isMessage)
  }

  /// The position of the top row when following the end.
  private mutating func topOfEnd(width: Int, height: Int) -> Position {
    var needed = height
    var index = firstIndex + entries.count - 1
    while index >= firstIndex {
      let count = rows(of: index, width: width).count
      if count >= needed { return Position(entry: index, row: count - needed) }
      needed -= count
      index -= 1
    }
    return Position(entry: firstIndex, row: 0)
  }

  /// Rows from `position` down, counted until there are `atLeast` (or the end), and the
  /// index of the first entry not counted.
  private mutating func rowsFrom(_ position: Position, width: Int, atLeast: Int) -> (rows: Int, end: Int) {
    var total = rows(of: position.entry, width: width).count - position.row
    var index = position.entry + 1
    while total < atLeast, index < firstIndex + entries.count {
      total += rows(of: index, width: width).count
      index += 1
    }
    return (total, index)
  }

  private mutating func prepare(width: Int) {
    if width != wrappedWidth || wrapped.count > 4096 {
      wrapped.removeAll(keepingCapacity: true)
      wrappedWidth = width
    }
    // A resize can leave the anchor's row past the end of its re-wrapped entry.
    if let position = anchor {
      let count = rows(of: position.entry, width: width).count
      if position.row >= count { anchor = Position(entry: position.entry, row: max(0, count - 1)) }
    }
  }

  private mutating func rows(of index: Int, width: Int) -> [StyledRow] {
    if let rows = wrapped[index] { return rows }
    let entry = entries[index - firstIndex]
    let rows = LineWrapper.wrap(entry.spans, width: width, indent: entry.wrapIndent)
    wrapped[index] = rows
    return rows
  }
}
