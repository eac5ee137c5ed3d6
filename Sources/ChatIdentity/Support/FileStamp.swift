#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Enough of a file's status to tell that it changed: chat replaces known_peers by rename, so
/// each save gives it a new inode even within one clock tick; size and mtime catch editors
/// that write in place.
struct FileStamp: Equatable, Sendable {
  var device: UInt64
  var inode: UInt64
  var size: Int64
  var seconds: Int
  var nanoseconds: Int

  /// The stamp of what is at `path` now (not following a link), or nil if nothing is.
  static func of(_ path: String) -> FileStamp? {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    #if canImport(Darwin)
      let modified = status.st_mtimespec
    #else
      let modified = status.st_mtim
    #endif
    return FileStamp(
      device: UInt64(status.st_dev),
      inode: UInt64(status.st_ino),
      size: Int64(status.st_size),
      seconds: Int(modified.tv_sec),
      nanoseconds: Int(modified.tv_nsec)
    )
  }
}
