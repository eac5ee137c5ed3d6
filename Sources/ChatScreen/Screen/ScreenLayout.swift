/// Everything the terminal layer draws for one frame: exactly `height` rows, top to
/// bottom, and where the cursor goes.
public struct ScreenLayout: Hashable, Sendable {
  public var rows: [StyledRow]
  public var cursorRow: Int
  public var cursorColumn: Int
  /// Which row is the status bar (drawn in reverse across the full width), if any.
  public var statusRow: Int?

  public init(rows: [StyledRow], cursorRow: Int, cursorColumn: Int, statusRow: Int?) {
    self.rows = rows
    self.cursorRow = cursorRow
    self.cursorColumn = cursorColumn
    self.statusRow = statusRow
  }

  /// The whole screen as text, one line per row, for tests.
  public var text: String { rows.map(\.text).joined(separator: "\n") }
}
