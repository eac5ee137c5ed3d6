#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A listener's Unix socket file: the system calls around binding it (what is at the path,
/// whether a socket there is live, its mode) and removing it on a clean exit. The rules
/// are ``SocketPathClaim``'s.
struct UnixSocketFile: Sendable {
  let path: UnixSocketPath
  /// Device and inode of the socket this listener bound: on exit the file is removed only if
  /// it is still that socket, never one another listener has put there since.
  let identity: FileIdentity

  struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
  }

  /// Gets the path ready for bind(): nothing there, or a stale socket removed. Throws the
  /// one-line reason when the path must be left alone (a live socket, a file that is not a
  /// socket).
  static func prepare(_ path: UnixSocketPath) throws(ChatListener.StartError) {
    let address = ChatAddress.unix(path).description
    let found = lookUp(path.path)
    let claim = SocketPathClaim.decide(address: address, existing: found.existing) { probe(path.path) }
    switch claim {
    case .bind:
      return
    case .refuse(let reason):
      throw ChatListener.StartError(description: reason)
    case .replaceStale:
      // Between the check and the removal another process could have put something else
      // at the path: remove only the very file that was probed.
      guard lookUp(path.path).identity == found.identity else {
        throw ChatListener.StartError(description: "\(address) changed while chat was checking it: try again")
      }
      if unlink(path.path) != 0, errno != ENOENT {
        let reason = String(cString: strerror(errno))
        throw ChatListener.StartError(description: "can't remove the stale socket \(address): \(reason)")
      }
    }
  }

  /// Runs `bind` (which creates the socket file) with the file creation mask that gives the
  /// new file `mode` and no more: the socket exists with its final permissions from its
  /// first instant, rather than being created with the usual 0755 (umask 022) or 0777
  /// (umask 0) and narrowed by a chmod afterwards, which would leave a window in which
  /// others could connect. The mask is process-wide; at start-up chat creates no other
  /// files meanwhile, and a file created in that instant would only get fewer permissions,
  /// never more.
  static func creating<T>(mode: UInt16, _ bind: () async throws -> T) async rethrows -> T {
    let previous = umask(mode_t(~mode & 0o777))
    defer { umask(previous) }
    return try await bind()
  }

  /// The socket just bound: sets its mode exactly (a mask can only take permissions away,
  /// so a system that gave the file fewer than asked gets them here) and records which file
  /// it is, for ``removeIfStillOurs()``.
  static func bound(_ path: UnixSocketPath, mode: UInt16) throws(ChatListener.StartError) -> UnixSocketFile {
    let found = lookUp(path.path)
    guard found.existing == .socket, let identity = found.identity else {
      throw ChatListener.StartError(description: "\(ChatAddress.unix(path)) vanished right after it was bound")
    }
    if chmod(path.path, mode_t(mode)) != 0 {
      let reason = String(cString: strerror(errno))
      throw ChatListener.StartError(description: "can't set the mode of \(ChatAddress.unix(path)): \(reason)")
    }
    return UnixSocketFile(path: path, identity: identity)
  }

  /// Removes the socket file on a clean exit, if it is still the one this listener bound.
  func removeIfStillOurs() {
    let found = Self.lookUp(path.path)
    guard found.existing == .socket, found.identity == identity else { return }
    unlink(path.path)
  }

  /// What is at `path`, without following a symbolic link, and which file it is.
  static func lookUp(_ path: String) -> (existing: SocketPathClaim.Existing, identity: FileIdentity?) {
    var info = stat()
    guard lstat(path, &info) == 0 else {
      return errno == ENOENT ? (.nothing, nil) : (.other("unreadable (\(String(cString: strerror(errno))))"), nil)
    }
    let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    switch info.st_mode & S_IFMT {
    case S_IFSOCK: return (.socket, identity)
    case S_IFREG: return (.other("a regular file"), identity)
    case S_IFDIR: return (.other("a folder"), identity)
    case S_IFLNK: return (.other("a symbolic link"), identity)
    case S_IFIFO: return (.other("a named pipe"), identity)
    default: return (.other("a device or other special file"), identity)
    }
  }

  /// Connects to the socket at `path` without blocking, and hangs up: does anyone listen?
  static func probe(_ path: String) -> SocketPathClaim.Probe {
    #if canImport(Darwin)
      let fd = socket(AF_UNIX, SOCK_STREAM, 0)
      if fd >= 0 { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
    #else
      let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
    #endif
    guard fd >= 0 else { return .failed("socket(): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      // UnixSocketPath has checked that the path and its NUL fit.
      for (index, byte) in bytes.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
      buffer[min(bytes.count, buffer.count - 1)] = 0
    }
    let result = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    if result == 0 { return .accepted }
    switch errno {
    // A full backlog (EAGAIN on Linux) still means someone listens.
    case EAGAIN, EINPROGRESS: return .accepted
    // Gone since it was looked at: nothing to replace, nothing in the way.
    case ECONNREFUSED, ENOENT: return .refused
    case let code: return .failed(String(cString: strerror(code)).lowercased())
    }
  }
}
