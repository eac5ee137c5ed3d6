import ChatProtocol
import Crypto
import NIOCore
import NIOPosix

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The file system side of transfers, off the event loop: every call runs on SwiftNIO's
/// blocking-I/O thread pool (`NonBlockingFileIO`'s) and answers with a future on the
/// caller's loop.
///
/// Received files are written where nothing can redirect them: `NAME.part` is created
/// exclusively (`O_EXCL | O_NOFOLLOW`, mode 0600) in the chosen folder, and becomes `NAME`
/// by `link(2)`, which never replaces an existing file or follows a symlink there; a name
/// taken gets ` (1)`, ` (2)`, … before its extension.
struct FileStore: Sendable {
  let io: NonBlockingFileIO
  let pool: NIOThreadPool

  init(pool: NIOThreadPool = .singleton) {
    self.pool = pool
    self.io = NonBlockingFileIO(threadPool: pool)
  }

  /// A file opened to be sent.
  struct Source: Sendable {
    var handle: NIOFileHandle
    var path: String
    var size: UInt64
    /// Its last path component, cleaned (what the offer carries).
    var name: String
    /// Stays the same for the same file (path, size and modification time), so that an
    /// offer made again, even by a restarted sender, resumes (docs/PROTOCOL.md).
    var resumeKey: [UInt8]
  }

  /// A `.part` file open to receive into.
  struct Target: Sendable {
    var handle: NIOFileHandle
    var directory: String
    /// The final name chosen (free when chosen; checked again at the end).
    var name: String
    var partPath: String { directory + "/" + name + ".part" }
    var markerPath: String { directory + "/." + name + ".part.resume" }
    /// Bytes already in the `.part` file from an earlier, interrupted transfer of the same file.
    var resumeOffset: UInt64
    /// The SHA-256 state after those bytes.
    var hash: SHA256
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }

  /// An error of the file system in words: "No space left on device", not NIO's wrapping.
  static func describe(_ error: any Error) -> String {
    if let failure = error as? Failure { return failure.description }
    if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
    return "\(error)"
  }

  // MARK: - Sending

  func openSource(path: String, on loop: any EventLoop) -> EventLoopFuture<Source> {
    pool.runIfActive(eventLoop: loop) {
      let descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw Failure("can't open \(path): \(Self.errorText())") }
      var info = stat()
      guard fstat(descriptor, &info) == 0 else {
        Glibc.close(descriptor)
        throw Failure("can't read \(path): \(Self.errorText())")
      }
      guard (info.st_mode & S_IFMT) == S_IFREG else {
        Glibc.close(descriptor)
        throw Failure("\(path) is not a regular file")
      }
      let resolved = realpath(path, nil).map { pointer -> String in
        defer { free(pointer) }
        return String(cString: pointer)
      }
      let fullPath = resolved ?? path
      let base = fullPath.split(separator: "/").last.map(String.init) ?? fullPath
      let name: String
      switch SafeFileName.clean(base) {
      case .success(let cleaned): name = cleaned
      case .failure(let problem):
        Glibc.close(descriptor)
        throw Failure("can't send \(path): \(problem)")
      }
      var key = SHA256()
      key.update(data: Array("chat file resume".utf8))
      key.update(data: Array(fullPath.utf8))
      var size = UInt64(info.st_size).bigEndian
      var modified = (UInt64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ UInt64(info.st_mtim.tv_nsec)).bigEndian
      withUnsafeBytes(of: &size) { key.update(bufferPointer: $0) }
      withUnsafeBytes(of: &modified) { key.update(bufferPointer: $0) }
      return Source(
        handle: NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor), path: fullPath,
        size: UInt64(info.st_size), name: name, resumeKey: Array(key.finalize().prefix(16)))
    }
  }

  /// Reads `length` bytes at `offset` (fewer at the end of the file) and adds them to
  /// `hash`, on the pool: the hash, a third of the sender's work, stays off the event loop,
  /// and the next chunk is read and hashed while the loop seals and writes this one.
  func read(
    _ source: Source, offset: UInt64, length: Int, hashing hash: SHA256, on loop: any EventLoop
  ) -> EventLoopFuture<(ByteBuffer, SHA256)> {
    pool.runIfActive(eventLoop: loop) {
      var hash = hash
      var buffer = ByteBufferAllocator().buffer(capacity: length)
      try source.handle.withUnsafeFileDescriptor { descriptor in
        while buffer.readableBytes < length {
          let want = length - buffer.readableBytes
          let position = off_t(offset) + off_t(buffer.readableBytes)
          let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { bytes in
            while true {
              let count = pread(descriptor, bytes.baseAddress, want, position)
              if count < 0, errno == EINTR { continue }
              guard count >= 0 else { throw Failure("can't read \(source.path): \(Self.errorText())") }
              return count
            }
          }
          if got == 0 { break }  // The file shrank: the caller sees fewer bytes than asked.
        }
      }
      buffer.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
      return (buffer, hash)
    }
  }

  /// The SHA-256 state after the first `length` bytes of the file (a resumed send hashes
  /// what the receiver already has, so the final hash covers the whole file).
  func hashPrefix(_ handle: NIOFileHandle, length: UInt64, on loop: any EventLoop) -> EventLoopFuture<SHA256> {
    pool.runIfActive(eventLoop: loop) {
      try handle.withUnsafeFileDescriptor { descriptor in
        try Self.hash(descriptor, length: length)
      }
    }
  }

  // MARK: - Receiving

  /// Opens the `.part` file for `offer` in `directory`: the one an earlier transfer of the
  /// same file left (its marker names the same resume key and size), to carry on, or a new
  /// one under a name not taken. Checks the free space for what is still to come.
  /// `reserved`: bytes other transfers into the same folder are still to write.
  func openTarget(
    directory: String, name: String, offer: FileOffer, reserved: UInt64 = 0, on loop: any EventLoop
  ) -> EventLoopFuture<Target> {
    pool.runIfActive(eventLoop: loop) {
      try Self.makeDirectory(directory)
      let marker = Self.markerText(offer)
      if let resumed = try Self.findResumable(directory: directory, name: name, marker: marker, size: offer.size) {
        try Self.checkSpace(directory, needed: offer.size - resumed.resumeOffset, reserved: reserved)
        return resumed
      }
      try Self.checkSpace(directory, needed: offer.size, reserved: reserved)
      for attempt in 0..<1000 {
        let candidate = Self.numbered(name, attempt)
        if Self.exists(directory + "/" + candidate) { continue }
        let part = directory + "/" + candidate + ".part"
        let descriptor = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor < 0 {
          if errno == EEXIST { continue }
          throw Failure("can't create \(part): \(Self.errorText())")
        }
        Self.writeMarker(directory + "/." + candidate + ".part.resume", marker)
        return Target(
          handle: NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor), directory: directory,
          name: candidate, resumeOffset: 0, hash: SHA256())
      }
      throw Failure("no free name for \(name) in \(directory)")
    }
  }

  /// Writes `data` at `offset` and adds it to `hash`, on the pool (the hash stays off the
  /// event loop; writes are one at a time and in order, so the hash follows the file).
  func write(
    _ target: Target, offset: UInt64, data: ByteBuffer, hashing hash: SHA256, on loop: any EventLoop
  ) -> EventLoopFuture<SHA256> {
    pool.runIfActive(eventLoop: loop) {
      var hash = hash
      try target.handle.withUnsafeFileDescriptor { descriptor in
        try data.withUnsafeReadableBytes { bytes in
          hash.update(bufferPointer: bytes)
          var done = 0
          while done < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failure("can't write \(target.partPath): \(Self.errorText())") }
            done += count
          }
        }
      }
      return hash
    }
  }

  /// The file is whole and verified: flushes it to disk, closes it and gives it its final
  /// name (a free one: never over an existing file). Returns the final path.
  func complete(_ target: Target, on loop: any EventLoop) -> EventLoopFuture<String> {
    pool.runIfActive(eventLoop: loop) {
      try target.handle.withUnsafeFileDescriptor { _ = fsync($0) }
      try target.handle.close()
      for attempt in 0..<1000 {
        let candidate = attempt == 0 ? target.name : Self.numbered(target.name, attempt)
        let final = target.directory + "/" + candidate
        if link(target.partPath, final) == 0 {
          unlink(target.partPath)
          unlink(target.markerPath)
          return final
        }
        if errno != EEXIST { throw Failure("can't name it \(final): \(Self.errorText())") }
      }
      throw Failure("no free name for \(target.name) in \(target.directory)")
    }
  }

  /// Closes a `.part` file that stays (a failed or cancelled transfer). With
  /// `keepResumable` false its marker goes, so nothing resumes from bytes known to be wrong.
  func abandon(_ target: Target, keepResumable: Bool, on loop: any EventLoop) {
    _ = pool.runIfActive(eventLoop: loop) {
      try? target.handle.close()
      if !keepResumable { unlink(target.markerPath) }
    }
  }

  func close(_ handle: NIOFileHandle, on loop: any EventLoop) {
    _ = pool.runIfActive(eventLoop: loop) { try? handle.close() }
  }

  // MARK: - Helpers (on the pool)

  static func markerText(_ offer: FileOffer) -> String {
    "chat resume " + hexString(offer.resumeKey) + " \(offer.size)\n"
  }

  private static func findResumable(directory: String, name: String, marker: String, size: UInt64) throws -> Target? {
    for attempt in 0..<100 {
      let candidate = numbered(name, attempt)
      let part = directory + "/" + candidate + ".part"
      guard readMarker(directory + "/." + candidate + ".part.resume") == marker else {
        // The numbered names go on while one of them is taken, by a finished file or by a
        // `.part`: `big (1).part` is looked at when `big` exists.
        if !exists(part), !exists(directory + "/" + candidate) { return nil }
        continue
      }
      let descriptor = open(part, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
      guard descriptor >= 0 else { continue }
      var info = stat()
      guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, UInt64(info.st_size) <= size else {
        Glibc.close(descriptor)
        continue
      }
      let have = UInt64(info.st_size)
      let hash = try hash(descriptor, length: have)
      return Target(
        handle: NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor), directory: directory,
        name: candidate, resumeOffset: have, hash: hash)
    }
    return nil
  }

  private static func hash(_ descriptor: CInt, length: UInt64) throws -> SHA256 {
    var hash = SHA256()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var offset: UInt64 = 0
    while offset < length {
      let want = Int(min(UInt64(buffer.count), length - offset))
      let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, want, off_t(offset)) }
      guard got > 0 else { throw Failure("can't read back the file: \(got == 0 ? "it is shorter" : errorText())") }
      buffer.withUnsafeBytes { hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(got))) }
      offset += UInt64(got)
    }
    return hash
  }

  private static func readMarker(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { Glibc.close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 128)
    let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, 128) }
    guard count > 0 else { return nil }
    return String(decoding: buffer.prefix(count), as: UTF8.self)
  }

  private static func writeMarker(_ path: String, _ text: String) {
    unlink(path)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return }
    _ = Array(text.utf8).withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    Glibc.close(descriptor)
  }

  private static func makeDirectory(_ path: String) throws {
    var info = stat()
    if stat(path, &info) == 0 {
      guard (info.st_mode & S_IFMT) == S_IFDIR else { throw Failure("\(path) is not a folder") }
      return
    }
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      prefix += "/" + component
      if mkdir(prefix, 0o700) != 0, errno != EEXIST {
        throw Failure("can't create the folder \(prefix): \(errorText())")
      }
    }
  }

  private static func checkSpace(_ directory: String, needed: UInt64, reserved: UInt64) throws {
    var info = statvfs()
    guard statvfs(directory, &info) == 0 else { return }
    let free = UInt64(info.f_bavail) &* UInt64(info.f_frsize)
    let (total, overflow) = needed.addingReportingOverflow(reserved)
    guard !overflow, total <= free else {
      if reserved > 0, needed <= free {
        throw Failure(
          "not enough free space in \(directory): \(Quantities.bytes(Int(clamping: needed))) needed, \(Quantities.bytes(Int(clamping: free))) free of which \(Quantities.bytes(Int(clamping: reserved))) is for files already on their way"
        )
      }
      throw Failure(
        "not enough free space in \(directory): \(Quantities.bytes(Int(clamping: needed))) needed, \(Quantities.bytes(Int(clamping: free))) free"
      )
    }
  }

  private static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  /// `name`, then `name (1)`, `name (2)`, … before the extension: `photo (1).jpg`, within 250
  /// bytes (``SafeFileName/numbered(_:_:)``), so `NAME.part` stays within Linux's 255 bytes.
  static func numbered(_ name: String, _ attempt: Int) -> String {
    SafeFileName.numbered(name, attempt)
  }

  private static func errorText() -> String {
    String(cString: strerror(errno))
  }
}
