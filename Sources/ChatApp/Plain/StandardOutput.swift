import Foundation
import Synchronization

/// Writes whole lines to standard output at once and unbuffered, so a reader on a pipe sees
/// each event as it happens and lines from different tasks never interleave.
enum StandardOutput {
  private static let lock = Mutex(())

  @Sendable static func write(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    lock.withLock { _ in
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
}
