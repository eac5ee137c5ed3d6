/// Splits the bytes a line client sends into lines, pure and bounded.
///
/// A line ends at `\n`; a `\r` just before it is dropped (telnet and Windows send
/// `\r\n`). A partial last line waits for the rest, however the client's writes were
/// cut, but never grows past ``maximumLineBytes``: a longer line is cut there, at a
/// character boundary, and the pieces go on as separate lines, marked ``Line/wasCut``, so
/// a client that never sends a newline can't make the relay buffer without bound.
public struct LineBuffer: Sendable {
  /// The most bytes of UTF-8 one line (one message) may hold.
  public let maximumLineBytes: Int
  private var partial: [UInt8] = []

  /// One line the client sent, as text: bytes that are not UTF-8 become U+FFFD.
  public struct Line: Hashable, Sendable {
    /// The line, without its line ending.
    public var text: String
    /// Part of a longer line, cut at ``LineBuffer/maximumLineBytes``.
    public var wasCut: Bool

    /// A line of `text`; `wasCut` when it is a piece of a longer one.
    public init(text: String, wasCut: Bool) {
      self.text = text
      self.wasCut = wasCut
    }
  }

  /// A buffer whose lines hold at most `maximumLineBytes` bytes of UTF-8 (at least 4, so
  /// that any character fits).
  public init(maximumLineBytes: Int) {
    precondition(maximumLineBytes >= 4, "a line must hold at least one character")
    self.maximumLineBytes = maximumLineBytes
  }

  /// How many bytes of an unfinished line are waiting.
  public var waitingBytes: Int { partial.count }

  /// Takes `bytes` and returns the lines they complete, in order.
  public mutating func append(_ bytes: some Sequence<UInt8>) -> [Line] {
    var lines: [Line] = []
    for byte in bytes {
      if byte == 0x0A {
        if partial.last == 0x0D { partial.removeLast() }
        lines.append(Line(text: String(decoding: partial, as: UTF8.self), wasCut: false))
        partial.removeAll(keepingCapacity: true)
        continue
      }
      partial.append(byte)
      // One byte over so that a "\r" waiting for its "\n" is not cut off as text.
      if partial.count > maximumLineBytes + 1 { lines.append(cutPiece()) }
    }
    return lines
  }

  /// What is left when the client closes: its last line, even without a newline.
  public mutating func finish() -> Line? {
    guard !partial.isEmpty else { return nil }
    defer { partial.removeAll() }
    return Line(text: String(decoding: partial, as: UTF8.self), wasCut: false)
  }

  /// Takes the first `maximumLineBytes` (or fewer, so as not to split a character) off the
  /// partial line.
  private mutating func cutPiece() -> Line {
    var end = maximumLineBytes
    // Back up over continuation bytes (10xxxxxx) to the start of the character they
    // belong to, unless the whole piece is continuation bytes (not UTF-8 anyway).
    while end > 0, partial[end] & 0xC0 == 0x80 { end -= 1 }
    if end == 0 { end = maximumLineBytes }
    let piece = Line(text: String(decoding: partial[..<end], as: UTF8.self), wasCut: true)
    partial.removeFirst(end)
    return piece
  }
}
