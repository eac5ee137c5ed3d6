import CNcursesw
import ChatScreen

#if canImport(Glibc)
  import Glibc
#endif

/// The ncurses terminal: set up, draw a ``ScreenLayout``, read keys, restore. It holds no
/// chat logic; every decision is the ``ScreenModel``'s. Used from one thread only.
final class CursesScreen {
  private let window: UnsafeMutablePointer<WINDOW>
  private let styles: [TextStyle: (attributes: attr_t, pair: Int16)]
  private var pasteEnd: String?
  private var restored = false
  private(set) var keyCodes = KeyCodes()

  /// Terminal codes for keys beyond the classic set, learned from terminfo.
  struct KeyCodes {
    var pasteBegin: Int32 = -1
    var pasteEnd: Int32 = -1
    var controlHome: Int32 = -1
    var controlEnd: Int32 = -1
    var controlLeft: Int32 = -1
    var controlRight: Int32 = -1
  }

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
    keypad(window, true)
    set_escdelay(25)
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
    learnKeys()
  }

  private func learnKeys() {
    func code(_ capability: String, default fallback: String? = nil) -> Int32 {
      let sequence = capability.withCString { chat_terminfo_string($0) }.map { String(cString: $0) } ?? fallback
      guard let sequence else { return -1 }
      let found = sequence.withCString { key_defined($0) }
      return found > 0 ? found : -1
    }
    keyCodes.controlHome = code("kHOM5", default: "\u{1b}[1;5H")
    keyCodes.controlEnd = code("kEND5", default: "\u{1b}[1;5F")
    keyCodes.controlLeft = code("kLFT5", default: "\u{1b}[1;5D")
    keyCodes.controlRight = code("kRIT5", default: "\u{1b}[1;5C")
    // Bracketed paste, when terminfo describes it: the terminal brackets pasted text with
    // PS and PE, which become two key codes of our own.
    if let enable = chat_terminfo_string("BE"), let start = chat_terminfo_string("PS"),
      let end = chat_terminfo_string("PE")
    {
      let begin = KEY_MAX + 1
      let finish = KEY_MAX + 2
      if define_key(start, begin) == OK, define_key(end, finish) == OK {
        putp(enable)
        keyCodes.pasteBegin = begin
        keyCodes.pasteEnd = finish
        pasteEnd = chat_terminfo_string("BD").map { String(cString: $0) }
      }
    }
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
          let scalars = character.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
          _ = scalars.withUnsafeBufferPointer {
            chat_draw_cluster(window, y, Int32(column), $0.baseAddress, Int32($0.count))
          }
          column += cellWidth
        }
      }
      apply(.plain)
    }
    wmove(window, Int32(layout.cursorRow), Int32(layout.cursorColumn))
    wnoutrefresh(window)
    doupdate()
  }

  /// Repaints the whole terminal on the next draw (Ctrl-L, or after something scribbled).
  func invalidate() {
    clearok(window, true)
  }

  private func apply(_ style: TextStyle) {
    let (attributes, pair) = styles[style] ?? (chat_attr_normal(), 0)
    _ = chat_set_attributes(window, attributes, pair)
  }

  /// The next key waiting, without blocking; nil when there is none.
  func readKey() -> RawKey? {
    nodelay(window, true)
    var value: wint_t = 0
    let result = wget_wch(window, &value)
    if result == ERR { return nil }
    if result == chat_key_code_yes() { return .function(Int32(value)) }
    return .character(UInt32(value))
  }

  /// Puts the terminal back as it was. Safe to call more than once.
  func restore() {
    guard !restored else { return }
    restored = true
    if let pasteEnd { putp(pasteEnd) }
    endwin()
  }

  deinit {
    restore()
  }
}

/// A key as ncurses reports it.
enum RawKey: Hashable {
  case character(UInt32)
  case function(Int32)
}
