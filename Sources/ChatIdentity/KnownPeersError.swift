/// Why known_peers could not be read, changed or written, in one line (`description`) that
/// names the file (and line) and says what to do.
public struct KnownPeersError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What was wrong, for callers and tests that need to tell the cases apart.
  public enum Reason: Sendable, Equatable {
    /// A line that is not a comment, blank, or `x25519 <key> <verified|unverified>
    /// <address|name> <subject>`; `line` counts from 1.
    case malformedLine(line: Int, problem: String)
    /// Two lines pin the same address or name.
    case duplicate(line: Int, firstLine: Int)
    /// Already `KnownPeers.maximumEntries` pins: pinning another would grow the file without
    /// bound.
    case full(maximum: Int)
    /// The file holds more pins than `KnownPeers.maximumEntries`.
    case tooManyEntries(maximum: Int)
    /// A subject that can't be pinned: empty, too long, or with a control character.
    case invalidSubject(String)
    /// A public key that is not 32 bytes long.
    case invalidKeyLength(Int)
    /// The file is a symbolic link; chat replaces the file when it changes it, so it uses only
    /// a regular file.
    case symbolicLink
    /// The path is a directory, a FIFO, a device or the like.
    case notRegularFile
    /// The file is larger than any 10,000 pins could make it.
    case tooLarge
    /// Group or others can write the file, so they could replace a pinned key; `mode` is its
    /// permission bits.
    case writableByOthers(mode: UInt32)
    /// A system call failed: what was being done, on which path, and errno.
    case fileSystem(operation: String, path: String, errno: Int32)
  }

  /// The known_peers file, or nil for an error from the in-memory model (`KnownPeers.pin`).
  public let path: String?
  /// What was wrong.
  public let reason: Reason

  /// An error about the known_peers file at `path` (nil: about the in-memory pins).
  public init(path: String?, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  init(path: String, failure: FileFailure) {
    self.init(path: path, reason: .fileSystem(operation: failure.operation, path: failure.path, errno: failure.code))
  }

  /// The same error, now knowing which file it is about.
  func at(_ path: String) -> KnownPeersError {
    KnownPeersError(path: self.path ?? path, reason: reason)
  }

  /// One line naming the file (and line) and what to do.
  public var description: String {
    let file = path.map { "the known peers file \($0)" } ?? "the known peers"
    switch reason {
    case .malformedLine(let line, let problem):
      // Never skipped: a dropped line is a dropped pin, and the next contact would be
      // trusted as new.
      return "\(file), line \(line): \(problem); fix or delete that line"
    case .duplicate(let line, let firstLine):
      return "\(file), line \(line): pins the same peer as line \(firstLine); delete one of the two lines"
    case .full(let maximum):
      return
        "\(file) already holds \(maximum) pinned keys, the most chat keeps; remove some with chat --forget-key '<address|name> <subject>'"
    case .tooManyEntries(let maximum):
      return "\(file) holds more than \(maximum) pinned keys, the most chat keeps; delete some lines"
    case .invalidSubject(let problem):
      return "can't pin this peer: \(problem)"
    case .invalidKeyLength(let length):
      return "can't pin a public key of \(length) bytes: an X25519 public key is 32 bytes"
    case .symbolicLink:
      return "\(file) is a symbolic link; chat replaces this file when it changes it, so put the file itself there"
    case .notRegularFile:
      return "\(file) is not a regular file; move it away"
    case .tooLarge:
      return "\(file) is larger than \(KnownPeers.maximumFileSize) bytes, more than any pins chat keeps"
    case .writableByOthers(let mode):
      let path = path ?? "known_peers"
      return
        "permissions \(IdentityError.octal(mode)) for \(file) are too open: other users could replace a pinned key; run chmod 600 \(path)"
    case .fileSystem(let operation, let failedPath, let errno):
      let failure = FileFailure(operation: operation, path: failedPath, code: errno)
      let subject = failedPath == path ? file : "\(failedPath) (for \(file))"
      return "can't \(operation) \(subject): \(failure.reason)"
    }
  }
}
