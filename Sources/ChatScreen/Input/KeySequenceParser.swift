/// Turns what a terminal sends (characters, as ncurses reads them with keypad translation
/// off) into ``Key``s, whatever `TERM` says.
///
/// Terminals disagree on the escape sequences for the same key: Home is `ESC [ 1 ~`
/// (vt220, screen, tmux), `ESC [ 7 ~` (rxvt), `ESC [ H` or `ESC O H` (xterm), and terminfo
/// often describes only one of them (`TERM=vt100` describes none). So every common form is
/// recognised here, and any other escape sequence is dropped whole rather than typed into
/// the input as text.
///
/// A lone ESC can't be told from the start of a sequence until more input comes or none
/// does: while ``isWaiting``, the caller waits briefly for more and then calls
/// ``timeout()``. A bracketed paste whose end never comes (a terminal that lost it) is
/// ended the same way, after a longer wait (``isPasting``).
public struct KeySequenceParser: Sendable {
  /// An escape sequence begun, ESC included.
  private var pending: [Unicode.Scalar] = []
  /// Text inside a bracketed paste (`ESC [ 200 ~` … `ESC [ 201 ~`), nil outside one.
  private var paste: [Unicode.Scalar]?

  static let escape: Unicode.Scalar = "\u{1b}"
  static let pasteEnd = Array("\u{1b}[201~".unicodeScalars)
  /// Longer than any key's sequence: something this long is not a key, drop it.
  static let longestSequence = 32

  public init() {}

  /// Whether an escape sequence or a paste has begun and more is expected; if nothing more
  /// comes, call ``timeout()``.
  public var isWaiting: Bool { !pending.isEmpty || paste != nil }

  /// Whether a bracketed paste has begun and not yet ended.
  public var isPasting: Bool { paste != nil }

  /// Feeds several characters; consecutive text is returned as one `.text` key.
  public mutating func feed(_ text: String) -> [Key] {
    var keys: [Key] = []
    for scalar in text.unicodeScalars { Self.append(feed(scalar), to: &keys) }
    return keys
  }

  /// Feeds one character; returns the keys it completes (often none, or one).
  public mutating func feed(_ scalar: Unicode.Scalar) -> [Key] {
    if paste != nil { return feedPaste(scalar) }
    if !pending.isEmpty { return feedSequence(scalar) }
    if scalar == Self.escape {
      pending = [scalar]
      return []
    }
    return Self.plain(scalar).map { [$0] } ?? []
  }

  /// No more input came after a partial sequence: a lone ESC (or ESC ESC) is the Escape
  /// key; anything longer is dropped. A paste still open ends with what came.
  public mutating func timeout() -> [Key] {
    if let pasted = paste {
      paste = nil
      return [.paste(Self.pastedText(pasted))]
    }
    defer { pending = [] }
    return pending.allSatisfy { $0 == Self.escape } && !pending.isEmpty ? [.escape] : []
  }

  /// Appends keys, merging adjacent text.
  public static func append(_ new: [Key], to keys: inout [Key]) {
    for key in new {
      if case .text(let more) = key, case .text(let text)? = keys.last {
        keys[keys.count - 1] = .text(text + more)
      } else {
        keys.append(key)
      }
    }
  }

  // MARK: - Outside sequences

  /// A character outside any sequence: control keys, or text.
  static func plain(_ scalar: Unicode.Scalar) -> Key? {
    switch scalar.value {
    case 10, 13: return .enter
    case 8, 127: return .backspace
    case 9: return .tab
    case 1...26: return .control(Character(Unicode.Scalar(scalar.value + 96)!))
    case 0, 27...31, 0x80..<0xa0: return nil  // no key of ours; C1 controls are never text
    default: return .text(String(scalar))
    }
  }

  // MARK: - Bracketed paste

  private mutating func feedPaste(_ scalar: Unicode.Scalar) -> [Key] {
    paste!.append(scalar)
    guard paste!.count >= Self.pasteEnd.count, paste!.suffix(Self.pasteEnd.count).elementsEqual(Self.pasteEnd) else {
      return []
    }
    let body = paste!.dropLast(Self.pasteEnd.count)
    paste = nil
    return [.paste(Self.pastedText(body))]
  }

  /// The pasted text with its line breaks as "\n" (terminals send CR for each), tabs kept,
  /// and other control characters, escape sequences included, dropped: a paste is text.
  static func pastedText(_ scalars: some Collection<Unicode.Scalar>) -> String {
    var result = String.UnicodeScalarView()
    var previous: Unicode.Scalar?
    for scalar in scalars {
      defer { previous = scalar }
      switch scalar.value {
      case 13: result.append("\n")
      case 10: if previous != "\r" { result.append("\n") }
      case 9: result.append(scalar)
      case 0..<0x20, 0x7f..<0xa0: continue
      default: result.append(scalar)
      }
    }
    return String(result)
  }

  // MARK: - Escape sequences

  private mutating func feedSequence(_ scalar: Unicode.Scalar) -> [Key] {
    pending.append(scalar)
    switch Self.classify(pending) {
    case .incomplete:
      if pending.count > Self.longestSequence { pending = [] }
      return []
    case .complete(.pasteBegin?):
      pending = []
      paste = []
      return []
    case .complete(.key(let key)?):
      pending = []
      return [key]
    case .complete(nil):
      pending = []
      return []
    case .interrupted:
      // Not a sequence after all (a control character came): an ESC alone is the Escape
      // key, a partial sequence is dropped, and the character counts on its own.
      let lone = pending.dropLast().allSatisfy { $0 == Self.escape }
      pending = []
      var keys: [Key] = lone ? [.escape] : []
      Self.append(feed(scalar), to: &keys)
      return keys
    }
  }

  enum Outcome: Equatable {
    case incomplete
    /// A whole sequence: its key, or nil for one that is no key of ours (dropped).
    case complete(Decoded?)
    /// The last character can't continue the sequence.
    case interrupted
  }

  /// A decoded sequence: a key, or the start of a bracketed paste.
  enum Decoded: Equatable {
    case key(Key)
    case pasteBegin
  }

  /// What the sequence so far (ESC first) amounts to.
  static func classify(_ sequence: [Unicode.Scalar]) -> Outcome {
    // rxvt sends Alt-arrow as ESC followed by the arrow's own sequence.
    let alt = sequence.count > 1 && sequence[1] == escape
    let body = alt ? Array(sequence.dropFirst()) : sequence
    guard body.count > 1 else { return .incomplete }
    let introducer = body[1]
    if alt && body.count == 2 && introducer != "[" && introducer != "O" { return .interrupted }
    switch introducer {
    case "[": return csi(Array(body.dropFirst(2)), alt: alt)
    case "O": return ss3(Array(body.dropFirst(2)), alt: alt)
    case "]", "P", "_", "^", "X": return controlString(Array(body.dropFirst(2)))
    default:
      if introducer.value < 0x20 && introducer.value != 8 { return .interrupted }
      return .complete(altKey(introducer).map(Decoded.key))
    }
  }

  /// Alt and a character (ESC then the character): the readline word keys; others dropped.
  static func altKey(_ scalar: Unicode.Scalar) -> Key? {
    switch scalar {
    case "b", "B": .wordLeft
    case "f", "F": .wordRight
    case "\u{7f}", "\u{8}": .control("w")  // Alt-Backspace deletes a word, as in readline
    default: nil
    }
  }

  /// OSC, DCS, APC, PM, SOS: strings ended by BEL or ESC \ (a terminal's replies); dropped.
  static func controlString(_ rest: [Unicode.Scalar]) -> Outcome {
    guard let last = rest.last else { return .incomplete }
    if last == "\u{7}" || (last == "\\" && rest.count >= 2 && rest[rest.count - 2] == escape) {
      return .complete(nil)
    }
    return .incomplete
  }

  /// ESC [ parameters intermediates final.
  static func csi(_ rest: [Unicode.Scalar], alt: Bool) -> Outcome {
    guard let last = rest.last else { return .incomplete }
    // The Linux console's F1–F5: ESC [ [ A … E.
    if rest.first == "[" { return rest.count == 2 ? .complete(nil) : .incomplete }
    switch last.value {
    case 0x30...0x3f, 0x20...0x23, 0x25...0x2f:
      return .incomplete
    case 0x24 where rest.count > 1:  // rxvt's Shift forms end in "$": ESC [ 2 $
      return .complete(tilde(parameters(rest.dropLast()), final: "$", alt: alt))
    case 0x40...0x7e:
      break
    default:
      return .interrupted
    }
    // Private parameters (ESC [ ? …, ESC [ < …) are replies and mouse reports, not keys.
    if (0x3c...0x3f).contains(rest.first!.value) { return .complete(nil) }
    let numbers = parameters(rest.dropLast())
    // The modifier is the second parameter (ESC [ 1 ; 5 C), or the only one on a cursor
    // key in older forms (ESC [ 5 C).
    let modifier = Modifier(numbers.count > 1 ? numbers[1] : max(1, numbers.first ?? 1), alt: alt)
    if let key = cursorKey(last, modifier) { return .complete(.key(key)) }
    switch last {
    case "~", "^", "@":
      return .complete(tilde(numbers, final: last, alt: alt))
    // rxvt's Shift-arrows.
    case "a": return .complete(.key(.up))
    case "b": return .complete(.key(.down))
    case "c": return .complete(.key(.right))
    case "d": return .complete(.key(.left))
    default: return .complete(nil)
    }
  }

  /// The keys CSI and SS3 forms share: arrows (Ctrl or Alt ← → move by word), Home and End
  /// (with Ctrl: the top and bottom of the conversation).
  static func cursorKey(_ final: Unicode.Scalar, _ modifier: Modifier) -> Key? {
    switch final {
    case "A": .up
    case "B": .down
    case "C": modifier.word ? .wordRight : .right
    case "D": modifier.word ? .wordLeft : .left
    case "H": modifier.control ? .scrollTop : .home
    case "F": modifier.control ? .scrollBottom : .end
    default: nil
    }
  }

  /// ESC [ n ~ and rxvt's ESC [ n ^ (Ctrl), ESC [ n $ (Shift), ESC [ n @ (Ctrl-Shift).
  static func tilde(_ numbers: [Int], final: Unicode.Scalar, alt: Bool) -> Decoded? {
    let modifier = Modifier(numbers.count > 1 ? numbers[1] : 1, alt: alt)
    let control = modifier.control || final == "^" || final == "@"
    switch numbers.first ?? 0 {
    case 1, 7: return .key(control ? .scrollTop : .home)
    case 4, 8: return .key(control ? .scrollBottom : .end)
    case 2: return .key(.insert)
    case 3: return .key(.delete)
    case 5: return .key(.pageUp)
    case 6: return .key(.pageDown)
    case 200 where final == "~": return .pasteBegin
    default: return nil  // function keys, a stray paste end: no key of ours
    }
  }

  /// ESC O final, sometimes with a modifier first (ESC O 5 C).
  static func ss3(_ rest: [Unicode.Scalar], alt: Bool) -> Outcome {
    guard let last = rest.last else { return .incomplete }
    switch last.value {
    case 0x30...0x3f: return .incomplete
    case 0x40...0x7e: break
    default: return .interrupted
    }
    let numbers = parameters(rest.dropLast())
    let modifier = Modifier(numbers.last ?? 1, alt: alt)
    if let key = cursorKey(last, modifier) { return .complete(.key(key)) }
    switch last {
    case "M": return .complete(.key(.enter))  // keypad Enter
    // rxvt's Ctrl-arrows.
    case "a": return .complete(.key(.up))
    case "b": return .complete(.key(.down))
    case "c": return .complete(.key(.wordRight))
    case "d": return .complete(.key(.wordLeft))
    default:
      // The keypad in application mode: ESC O p … y are 0 … 9, j … o are * + , - . /.
      if let text = keypad[last] { return .complete(.key(.text(text))) }
      return .complete(nil)
    }
  }

  static let keypad: [Unicode.Scalar: String] = [
    "j": "*", "k": "+", "l": ",", "m": "-", "n": ".", "o": "/", "X": "=",
    "p": "0", "q": "1", "r": "2", "s": "3", "t": "4", "u": "5", "v": "6", "w": "7", "x": "8", "y": "9",
  ]

  /// The numbers of "1;5" (an empty one is 0).
  static func parameters(_ scalars: some Collection<Unicode.Scalar>) -> [Int] {
    String(String.UnicodeScalarView(scalars)).split(separator: ";", omittingEmptySubsequences: false).map {
      Int($0.prefix { $0.isNumber }) ?? 0
    }
  }

  /// xterm's modifier parameter: 1 + (Shift 1, Alt 2, Ctrl 4, Meta 8).
  struct Modifier {
    var bits: Int
    var alt: Bool

    init(_ parameter: Int, alt: Bool) {
      bits = max(0, parameter - 1)
      self.alt = alt
    }

    var control: Bool { bits & 4 != 0 }
    /// Ctrl or Alt with ← →: move by word.
    var word: Bool { alt || bits & (2 | 4 | 8) != 0 }
  }
}
