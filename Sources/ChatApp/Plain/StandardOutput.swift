import Foundation
import Synchronization

/// Writes whole lines to standard output, so lines from different tasks never interleave.
///
/// ``write(_:)`` writes its line at once. ``append(_:)`` gathers lines and ``flush()`` writes
/// them in one go: the plain front end appends the lines of a batch of events and flushes
/// when the batch is done, so a reader on a pipe still sees each event as it happens,
/// without a system call per line when thousands arrive at once.
enum StandardOutput {
  /// Lines appended and not yet written.
  private static let pending = Mutex([UInt8]())
  /// Past this much, appended lines are written without waiting for the flush.
  static let flushThreshold = 64 << 10
  /// The most buffer kept between flushes.
  static let keptCapacity = 4 << 20

  /// Writes `line` (and what was appended before it) now.
  @Sendable static func write(_ line: String) {
    pending.withLock { bytes in
      add(line, to: &bytes)
      writeOut(&bytes)
    }
  }

  /// Adds `line` to what the next ``flush()`` writes.
  @Sendable static func append(_ line: String) {
    pending.withLock { bytes in
      add(line, to: &bytes)
      if bytes.count >= flushThreshold { writeOut(&bytes) }
    }
  }

  /// Adds the line of `fields` (``PlainLineFormat/line(time:fields:)``) to what the next
  /// ``flush()`` writes, formatted straight into the buffer.
  @Sendable static func appendLine(time: String, fields: [String]) {
    pending.withLock { bytes in
      PlainLineFormat.appendLine(time: time, fields: fields, to: &bytes)
      if bytes.count >= flushThreshold { writeOut(&bytes) }
    }
  }

  /// Writes what was appended.
  @Sendable static func flush() {
    pending.withLock { writeOut(&$0) }
  }

  private static func add(_ line: String, to bytes: inout [UInt8]) {
    bytes.append(contentsOf: line.utf8)
    bytes.append(UInt8(ascii: "\n"))
  }

  private static func writeOut(_ bytes: inout [UInt8]) {
    defer {
      // The buffer is kept for the next batch (a fresh one for each 1 MiB line cost page
      // faults and regrowth), up to a few such lines' worth.
      if bytes.capacity > Self.keptCapacity { bytes = [] } else { bytes.removeAll(keepingCapacity: true) }
    }
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        return  // stdout closed: nothing more can be shown
      }
      offset += written
    }
  }
}
