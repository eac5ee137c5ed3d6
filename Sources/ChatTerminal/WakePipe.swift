#if canImport(Glibc)
  import Glibc
#endif

/// A pipe whose only job is to wake a thread blocked in poll(): writers put a byte in, the
/// sleeper drains it. Both ends are non-blocking, so a full pipe never blocks a writer
/// (one byte waiting is enough to wake the reader).
final class WakePipe: Sendable {
  let readEnd: Int32
  let writeEnd: Int32

  init() {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { fatalError("pipe failed: \(errno)") }
    for fd in fds {
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    readEnd = fds[0]
    writeEnd = fds[1]
  }

  func wake() {
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)
  }

  func drain() {
    var buffer = [UInt8](repeating: 0, count: 256)
    while buffer.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
  }

  deinit {
    close(readEnd)
    close(writeEnd)
  }
}
