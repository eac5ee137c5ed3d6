/// Cuts a stream of bytes into lines at `\n`, dropping a `\r` before it, and checks each
/// line is UTF-8. Pure, so that how input is split is tested without a terminal.
public struct LineSplitter: Sendable {
  private var partial: [UInt8] = []
  private var lineNumber = 0

  public init() {}

  /// The lines completed by `bytes`; an unfinished last line is kept for the next call.
  public mutating func push(_ bytes: some Sequence<UInt8>) -> [InputLine] {
    var lines: [InputLine] = []
    for byte in bytes {
      if byte == UInt8(ascii: "\n") {
        lines.append(takeLine())
      } else {
        partial.append(byte)
      }
    }
    return lines
  }

  /// The unfinished last line at end of input, if there is one.
  public mutating func finish() -> InputLine? {
    partial.isEmpty ? nil : takeLine()
  }

  private mutating func takeLine() -> InputLine {
    lineNumber += 1
    if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
    defer { partial.removeAll(keepingCapacity: true) }
    guard let text = String(validating: partial, as: UTF8.self) else {
      return .invalidUTF8(number: lineNumber)
    }
    return .text(text)
  }
}
