import CNcursesw
import ChatScreen

#if canImport(Glibc)
  import Glibc
#endif

/// The ncurses terminal: set up, draw a ``ScreenLayout``, read what is typed, leave and
/// come back (Ctrl-Z), restore. It holds no chat logic; every decision is the
/// ``ScreenModel``'s. Used from one thread only.
///
/// Keypad translation is off: ncurses hands over the characters the terminal sends, and the
/// model's ``KeySequenceParser`` recognises every common form of each key, whatever the
/// terminfo entry for `TERM` says.
final class CursesScreen {
  private let window: UnsafeMutablePointer<WINDOW>
  private let styles: [TextStyle: (attributes: attr_t, pair: Int16)]
  /// Bracketed paste on and off: terminfo's BE and BD, or xterm's, which terminals that
  /// don't know them ignore.
  private let pasteOn: String
  private let pasteOff: String
  private var pasteEnabled = false
  private var restored = false

  /// Chooses a UTF-8 locale: the user's if it is UTF-8, else C.UTF-8, so Chinese works on
  /// a bare machine without LANG set.
  static func setUpLocale() {
    setlocale(LC_ALL, "")
    if chat_locale_is_utf8() == 0 { setlocale(LC_ALL, "C.UTF-8") }
    if chat_locale_is_utf8() == 0 { setlocale(LC_ALL, "C.utf8") }
  }

  init(useColor: Bool) {
    Self.setUpLocale()
    guard let screen = initscr() else { fatalError("initscr failed") }
    window = screen
    raw()
    noecho()
    nonl()
    keypad(window, false)
    pasteOn = chat_terminfo_string("BE").map { String(cString: $0) } ?? "\u{1b}[?2004h"
    pasteOff = chat_terminfo_string("BD").map { String(cString: $0) } ?? "\u{1b}[?2004l"
    var styles: [TextStyle: (attr_t, Int16)] = [
      .plain: (chat_attr_normal(), 0),
      .time: (chat_attr_dim(), 0),
      .ownName: (chat_attr_bold(), 0),
      .peerName: (chat_attr_bold() | chat_attr_underline(), 0),
      .system: (chat_attr_normal(), 0),
      .error: (chat_attr_bold(), 0),
      .byteCount: (chat_attr_dim(), 0),
      .statusBar: (chat_attr_reverse(), 0),
      .notice: (chat_attr_reverse() | chat_attr_bold(), 0),
    ]
    if useColor, has_colors() {
      start_color()
      use_default_colors()
      let colors: [(TextStyle, Int16, Int16, attr_t)] = [
        (.ownName, Int16(COLOR_GREEN), -1, chat_attr_bold()),
        (.peerName, Int16(COLOR_YELLOW), -1, chat_attr_bold()),
        (.system, Int16(COLOR_CYAN), -1, chat_attr_normal()),
        (.error, Int16(COLOR_RED), -1, chat_attr_bold()),
        (.statusBar, Int16(COLOR_WHITE), Int16(COLOR_BLUE), chat_attr_bold()),
        (.notice, Int16(COLOR_BLACK), Int16(COLOR_YELLOW), chat_attr_normal()),
      ]
      for (index, (style, foreground, background, attributes)) in colors.enumerated() {
        let pair = Int16(index + 1)
        init_pair(pair, foreground, background)
        styles[style] = (attributes, pair)
      }
    }
    self.styles = styles
  }

  var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

  func draw(_ layout: ScreenLayout) {
    let (width, _) = size
    werase(window)
    for (rowIndex, row) in layout.rows.enumerated() {
      var column = 0
      let y = Int32(rowIndex)
      if rowIndex == layout.statusRow {
        apply(.statusBar)
        mvwhline(window, y, 0, chtype(UInt8(ascii: " ")), Int32(width))
      }
      for span in row.spans {
        apply(span.style)
        for character in span.text {
          let cellWidth = DisplayWidth.of(character)
          guard cellWidth > 0 else { continue }
          if column + cellWidth > width { break }
          // Cell by cell, as the model counted them, so ncurses' idea of the columns is
          // the model's (and the terminal's).
          for cell in DisplayWidth.cells(of: character) {
            let scalars = cell.scalars.map { wchar_t(bitPattern: $0.value) }
            _ = scalars.withUnsafeBufferPointer {
              chat_draw_cell(window, y, Int32(column), $0.baseAddress, Int32($0.count))
            }
            column += cell.width
          }
        }
      }
      apply(.plain)
    }
    wmove(window, Int32(layout.cursorRow), Int32(layout.cursorColumn))
    wnoutrefresh(window)
    doupdate()
    // After the first update, so that it follows curses' own set-up on the terminal.
    if !pasteEnabled {
      pasteEnabled = true
      writeToTerminal(pasteOn)
    }
  }

  /// Repaints the whole terminal on the next draw (Ctrl-L, or after something scribbled).
  func invalidate() {
    clearok(window, true)
  }

  private func apply(_ style: TextStyle) {
    let (attributes, pair) = styles[style] ?? (chat_attr_normal(), 0)
    _ = chat_set_attributes(window, attributes, pair)
  }

  /// The next character or event waiting, without blocking; nil when there is none.
  func read() -> Input? {
    nodelay(window, true)
    var value: wint_t = 0
    errno = 0
    let result = wget_wch(window, &value)
    // EIO: this process may not read the terminal (it is not in the terminal's foreground
    // process group, as under `timeout` without --foreground): poll keeps saying "readable"
    // and every read fails, so saying nothing here would spin.
    if result == ERR { return errno == EIO ? .unreadable : nil }
    if result == chat_key_code_yes() { return Int32(value) == chat_key_resize() ? .resize : .other }
    return Unicode.Scalar(UInt32(value)).map(Input.character) ?? .other
  }

  /// What ncurses reads: a character the terminal sent, a resize, or a key code that keypad
  /// translation being off should never produce.
  enum Input: Hashable {
    case character(Unicode.Scalar)
    case resize
    case other
    /// The terminal refuses to be read (EIO).
    case unreadable
  }

  /// Leaves curses mode for the shell (before stopping on Ctrl-Z): the terminal as it was,
  /// bracketed paste off.
  func leave() {
    if pasteEnabled { writeToTerminal(pasteOff) }
    pasteEnabled = false
    endwin()
  }

  /// Comes back after ``leave()`` or after being stopped and continued from outside: the
  /// program's terminal modes again (the shell may have changed them) and a full repaint on
  /// the next draw, which turns bracketed paste back on.
  func reenter() {
    reset_prog_mode()
    pasteEnabled = false
    clearok(window, true)
  }

  /// Puts the terminal back as it was. Safe to call more than once.
  func restore() {
    guard !restored else { return }
    restored = true
    leave()
  }

  /// Writes straight to the terminal: putp() would leave it in stdio's buffer until exit.
  private func writeToTerminal(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
      if written <= 0 {
        if written < 0 && errno == EINTR { continue }
        return
      }
      offset += written
    }
    bytes.removeAll()
  }

  deinit {
    restore()
  }
}
