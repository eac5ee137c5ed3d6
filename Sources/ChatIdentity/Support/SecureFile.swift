#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The POSIX file handling shared by the identity key and known_peers: directories made for
/// the owner only, files read without following links, and files replaced whole (temporary
/// file, fsync, then link or rename) so a crash or a second process never sees half a file.
enum SecureFile {
  /// What `read(at:limit:)` found at a path.
  enum Found: Sendable, Equatable {
    case missing
    case symbolicLink
    case notRegularFile
    case tooLarge
    /// The whole file and its permission bits (mode & 0o7777).
    case contents([UInt8], mode: UInt32)
  }

  /// The directory part of a path: "." for a bare file name, "/" for a file at the root.
  static func directory(of path: String) -> String {
    let bytes = Array(path.utf8)
    guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "." }
    var end = slash
    // "a//b" names the directory "a", not "a/".
    while end > 0, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
    if end == 0 { return "/" }
    return String(decoding: bytes[..<end], as: UTF8.self)
  }

  /// The last component of a path, for naming temporary files after the file they replace.
  static func baseName(of path: String) -> String {
    let bytes = Array(path.utf8)
    guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return path }
    return String(decoding: bytes[(slash + 1)...], as: UTF8.self)
  }

  /// Creates `path` and any missing parents with mode 0700. Directories that already exist are
  /// left as they are (they are the user's, like ~/.config); ones made here are chmod-ed to
  /// exactly 0700 because mkdir's mode is filtered by the umask.
  static func makeDirectories(_ path: String) throws(FileFailure) {
    if path.isEmpty || path == "." || path == "/" { return }
    var status = stat()
    // stat, not lstat: a ~/.config that is a link to a directory is a directory to use.
    if stat(path, &status) == 0 {
      if status.st_mode & S_IFMT == S_IFDIR { return }
      throw FileFailure(operation: "create the directory", path: path, code: ENOTDIR)
    }
    let code = errno
    guard code == ENOENT else {
      throw FileFailure(operation: "look at the directory", path: path, code: code)
    }
    try makeDirectories(directory(of: path))
    if mkdir(path, 0o700) != 0 {
      let code = errno
      // Another process made it at the same moment: fine, as long as it is a directory.
      if code == EEXIST, stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { return }
      throw FileFailure(operation: "create the directory", path: path, code: code)
    }
    if chmod(path, 0o700) != 0 {
      throw FileFailure(operation: "set the permissions of", path: path, code: errno)
    }
  }

  /// Reads a whole regular file without following a symbolic link at `path` itself (O_NOFOLLOW
  /// on the open, so there is no window between checking and reading). O_NONBLOCK keeps a FIFO
  /// planted at the path from hanging chat; it is refused as not a regular file.
  static func read(at path: String, limit: Int) throws(FileFailure) -> Found {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    if descriptor < 0 {
      let code = errno
      if code == ENOENT { return .missing }
      // Linux and macOS say ELOOP for a link under O_NOFOLLOW; FreeBSD says EMLINK.
      if code == ELOOP || code == EMLINK { return .symbolicLink }
      throw FileFailure(operation: "open", path: path, code: code)
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw FileFailure(operation: "look at", path: path, code: errno)
    }
    guard status.st_mode & S_IFMT == S_IFREG else { return .notRegularFile }
    guard Int(status.st_size) <= limit else { return .tooLarge }
    var contents: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while true {
      let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
      if count == 0 { break }
      if count < 0 {
        let code = errno
        if code == EINTR { continue }
        throw FileFailure(operation: "read", path: path, code: code)
      }
      contents.append(contentsOf: buffer[..<count])
      // The file may have grown since fstat.
      if contents.count > limit { return .tooLarge }
    }
    return .contents(contents, mode: UInt32(status.st_mode) & 0o7777)
  }

  /// Writes `bytes` to a new temporary file next to `path` (same directory, so the later link
  /// or rename stays on one file system), mode 0600, fsync-ed, and returns its path. The file
  /// is created with O_EXCL | O_NOFOLLOW so nothing already there (a planted link) is written
  /// through.
  static func writeTemporary(near path: String, bytes: [UInt8]) throws(FileFailure) -> String {
    var random = SystemRandomNumberGenerator()
    let suffix = String(random.next() as UInt64, radix: 16)
    let temporary = directory(of: path) + "/." + baseName(of: path) + ".tmp.\(getpid()).\(suffix)"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw FileFailure(operation: "create the temporary file", path: temporary, code: errno)
    }
    var closed = false
    do throws(FileFailure) {
      // The umask can only remove bits from 0600, but be exact anyway.
      guard fchmod(descriptor, 0o600) == 0 else {
        throw FileFailure(operation: "set the permissions of", path: temporary, code: errno)
      }
      var written = 0
      while written < bytes.count {
        let count = bytes[written...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
          let code = errno
          if code == EINTR { continue }
          throw FileFailure(operation: "write", path: temporary, code: code)
        }
        written += count
      }
      // Durable before it gets its real name: a crash must leave the old file or the whole
      // new one, never an empty file under the real name.
      guard fsync(descriptor) == 0 else {
        throw FileFailure(operation: "flush", path: temporary, code: errno)
      }
      closed = true
      guard close(descriptor) == 0 else {
        throw FileFailure(operation: "close", path: temporary, code: errno)
      }
    } catch {
      if !closed { close(descriptor) }
      unlink(temporary)
      throw error
    }
    return temporary
  }

  /// Makes a rename or link in `directory` durable. Best effort: some file systems refuse
  /// fsync on a directory, and the file itself is already safe.
  static func syncDirectory(_ directory: String) {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
  }
}

// The C library's read and write, which `SecureFile.read` would otherwise shadow.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
