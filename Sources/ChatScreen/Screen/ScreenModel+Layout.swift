/// Layout: the frame to draw for the terminal's size.
extension ScreenModel {
  /// The frame to draw on a `width` × `height` terminal.
  public mutating func layout(width: Int, height: Int) -> ScreenLayout {
    lastSize = (width, height)
    guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
      return tooSmallLayout(width: width, height: height)
    }
    let scrollHeight = height - 2
    var rows = scrollback.visibleRows(width: width, height: scrollHeight)
    rows = Array(repeating: StyledRow(), count: scrollHeight - rows.count) + rows
    if !scrollback.isFollowing {
      let unseen = scrollback.unseenMessages
      let marker =
        unseen > 0
        ? "── \(unseen) new message\(unseen == 1 ? "" : "s") below (PgDn or Ctrl-End) ──"
        : "── scrolled up (PgDn or Ctrl-End to return) ──"
      rows[scrollHeight - 1] = StyledRow([StyledSpan(LineWrapper.truncate(marker, width: width), .notice)])
    }
    let statusText = status.text(statistics: statistics, width: width)
    rows.append(StyledRow([StyledSpan(statusText, .statusBar)]))
    if confirmingQuit {
      let question = LineWrapper.truncate(quitQuestion, width: width - 1)
      rows.append(StyledRow([StyledSpan(question, .notice)]))
      return ScreenLayout(
        rows: rows, cursorRow: height - 1, cursorColumn: DisplayWidth.of(question), statusRow: height - 2)
    }
    if case .awaitingConfirmation(let output) = commandRun {
      let question = LineWrapper.truncate(output.question, width: width - 1)
      rows.append(StyledRow([StyledSpan(question, .notice)]))
      return ScreenLayout(
        rows: rows, cursorRow: height - 1, cursorColumn: DisplayWidth.of(question), statusRow: height - 2)
    }
    let promptWidth = DisplayWidth.of(Self.prompt)
    let view = input.view(width: width - promptWidth)
    rows.append(StyledRow([StyledSpan(Self.prompt, .ownName), StyledSpan(view.text, .plain)]))
    return ScreenLayout(
      rows: rows, cursorRow: height - 1, cursorColumn: promptWidth + view.cursorColumn, statusRow: height - 2)
  }

  /// Below the minimum size: a notice wrapped to fit however small (20×6 and below), or
  /// the quit question while one is open.
  func tooSmallLayout(width: Int, height: Int) -> ScreenLayout {
    let size = "\(width)×\(height), need \(Self.minimumWidth)×\(Self.minimumHeight)"
    let texts =
      confirmingQuit
      ? [quitQuestion, "quit? y/N"]
      : ["terminal too small: \(size); keys are ignored", "terminal too small: \(size)", "too small"]
    // The fullest text that fits.
    let wrapped = texts.map { LineWrapper.wrap([StyledSpan($0, .notice)], width: max(1, width)) }
    var rows = wrapped.first { $0.count <= height } ?? wrapped.last!
    if rows.count > height, height > 0 {
      rows = Array(rows.prefix(height))
      rows[height - 1] = StyledRow([
        StyledSpan(LineWrapper.truncate(rows[height - 1].text + "…", width: width), .notice)
      ])
    }
    rows += Array(repeating: StyledRow(), count: max(0, height - rows.count))
    return ScreenLayout(rows: Array(rows.prefix(max(height, 0))), cursorRow: 0, cursorColumn: 0, statusRow: nil)
  }
}
