/// Why this installation's identity key could not be loaded or created, with the path and
/// what to do about it in one line (`description`), like ssh's messages about key files.
public struct IdentityError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What was wrong, for callers and tests that need to tell the cases apart.
  public enum Reason: Sendable, Equatable {
    /// The file is readable or writable by group or others; `mode` is its permission bits.
    case permissionsTooOpen(mode: UInt32)
    /// The path is a symbolic link; chat reads and writes the key file only directly.
    case symbolicLink
    /// The path is a directory, a FIFO, a device or the like.
    case notRegularFile
    /// The file is not one line `chat-identity-1 x25519 <base64 key>`.
    case malformed(String)
    /// The key decodes to this many bytes instead of 32.
    case wrongKeyLength(Int)
    /// The file is a later version of the format (its first word, e.g. "chat-identity-2").
    case unsupportedVersion(String)
    /// A system call failed: what was being done, on which path, and errno.
    case fileSystem(operation: String, path: String, errno: Int32)
  }

  /// The identity file's path.
  public let path: String
  /// What was wrong.
  public let reason: Reason

  /// An error about the identity file at `path`.
  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  init(path: String, failure: FileFailure) {
    self.init(path: path, reason: .fileSystem(operation: failure.operation, path: failure.path, errno: failure.code))
  }

  /// One line naming the path and what to do.
  public var description: String {
    // Losing or replacing the key changes this installation's identity for every peer that
    // pinned it, so the advice says so instead of suggesting a quick delete.
    let replace =
      "restore it from a backup, or move it away and chat will create a new identity (peers that pinned the old one will see a changed key)"
    switch reason {
    case .permissionsTooOpen(let mode):
      return
        "permissions \(Self.octal(mode)) for the identity file \(path) are too open: other users could read or change this installation's private key; run chmod 600 \(path)"
    case .symbolicLink:
      return
        "the identity file \(path) is a symbolic link; chat uses only a regular file there (replace the link with the file it points to)"
    case .notRegularFile:
      return "the identity file \(path) is not a regular file; move it away and chat will create a new identity"
    case .malformed(let problem):
      return "the identity file \(path) is not a chat identity (\(problem)); \(replace)"
    case .wrongKeyLength(let length):
      return
        "the identity file \(path) holds a key of \(length) bytes, but an X25519 private key is 32 bytes; \(replace)"
    case .unsupportedVersion(let version):
      return "the identity file \(path) is in format \(version), made by a newer chat; use that version of chat"
    case .fileSystem(let operation, let failedPath, let errno):
      let failure = FileFailure(operation: operation, path: failedPath, code: errno)
      let subject = failedPath == path ? "the identity file \(path)" : "\(failedPath) (for the identity file \(path))"
      return "can't \(operation) \(subject): \(failure.reason)"
    }
  }

  /// "0644": permission bits as chmod takes them.
  static func octal(_ mode: UInt32) -> String {
    let digits = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
}
