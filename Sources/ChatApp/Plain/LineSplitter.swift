#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Cuts a stream of bytes into lines at `\n`, dropping a `\r` before it, and checks each
/// line is UTF-8. Pure, so that how input is split is tested without a terminal.
public struct LineSplitter: Sendable {
  private var partial: [UInt8] = []
  private var lineNumber = 0

  public init() {}

  /// The lines completed by `bytes`; an unfinished last line is kept for the next call.
  public mutating func push(_ bytes: some Sequence<UInt8>) -> [InputLine] {
    if let lines = bytes.withContiguousStorageIfAvailable({ push(contiguous: $0) }) { return lines }
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

  /// The same for bytes in one piece of memory: each line is found with `memchr` and made
  /// into a `String` straight from the bytes, without going through ``partial`` unless it
  /// began in an earlier piece.
  private mutating func push(contiguous bytes: UnsafeBufferPointer<UInt8>) -> [InputLine] {
    guard let base = bytes.baseAddress else { return [] }
    var lines: [InputLine] = []
    var start = 0
    while start < bytes.count {
      guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else {
        partial.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        break
      }
      let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
      if partial.isEmpty {
        lines.append(line(UnsafeBufferPointer(rebasing: bytes[start..<end])))
      } else {
        partial.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
        lines.append(takeLine())
      }
      start = end + 1
    }
    return lines
  }

  /// The unfinished last line at end of input, if there is one.
  public mutating func finish() -> InputLine? {
    partial.isEmpty ? nil : takeLine()
  }

  private mutating func takeLine() -> InputLine {
    defer { partial.removeAll(keepingCapacity: partial.capacity <= 1 << 16) }
    return partial.withUnsafeBufferPointer { line($0) }
  }

  /// `bytes` (one whole line, without its `\n`) as the next line.
  private mutating func line(_ bytes: UnsafeBufferPointer<UInt8>) -> InputLine {
    lineNumber += 1
    var bytes = bytes
    if bytes.last == UInt8(ascii: "\r") { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      return .invalidUTF8(number: lineNumber)
    }
    return .text(text)
  }
}
