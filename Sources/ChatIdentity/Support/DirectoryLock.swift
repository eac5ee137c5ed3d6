#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An advisory lock (flock) on a directory, held while one process re-reads, changes and
/// rewrites a file in it, so two chat processes pinning different peers at once both keep
/// their pin. Locking the directory rather than a lock file leaves no extra file behind.
enum DirectoryLock {
  /// Runs `body` holding the lock, waiting for it first. When the directory can't be opened
  /// or its file system has no flock (some network mounts), `body` runs unlocked: a rare lost
  /// update between two processes is better than refusing to pin at all.
  static func holding<Result, Failure: Error>(
    _ directory: String,
    _ body: () throws(Failure) -> Result
  ) throws(Failure) -> Result {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return try body() }
    // Closing the descriptor releases the lock.
    defer { close(descriptor) }
    while flock(descriptor, LOCK_EX) != 0 {
      if errno != EINTR { break }
    }
    return try body()
  }
}
