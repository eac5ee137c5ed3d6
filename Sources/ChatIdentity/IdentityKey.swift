import ChatCrypto
public import Crypto
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// This installation's static X25519 identity key, kept in one small file (by default
/// `~/.config/chat/identity`) that only its owner can read.
///
/// The file is one line, `chat-identity-1 x25519 <base64 of the 32-byte private key>`. The
/// private key is never printed: `description`, `debugDescription` and `dump` show only the
/// public key's fingerprint.
public struct IdentityKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// The first word of the file; a later format gets a new number so an old chat refuses it
  /// instead of misreading it.
  static let formatTag = "chat-identity-1"
  static let algorithm = "x25519"
  /// Far more than the one 67-byte line; anything bigger is not an identity file, and the bound
  /// keeps a wrong path (a log file, /dev/zero's cousins) from being read whole.
  static let maximumFileSize = 4096

  /// The static private key, for the handshake. Never log it; log `publicKey`'s fingerprint.
  public let privateKey: Curve25519.KeyAgreement.PrivateKey

  /// The 32-byte X25519 public key, as sent in the handshake and pinned by peers.
  public var publicKey: [UInt8] {
    Array(privateKey.publicKey.rawRepresentation)
  }

  /// An identity from a key in memory (tests, or a key that lives elsewhere).
  public init(privateKey: Curve25519.KeyAgreement.PrivateKey) {
    self.privateKey = privateKey
  }

  /// `$XDG_CONFIG_HOME/chat/identity` if XDG_CONFIG_HOME is set to an absolute path, else
  /// `$HOME/.config/chat/identity`.
  public static func defaultPath(environment: [String: String]) -> String {
    ConfigDirectory.path(of: "identity", environment: environment)
  }

  /// The identity stored at `path`, created there first if there is none.
  ///
  /// Missing directories are made with mode 0700. A new key is written to a temporary file
  /// (mode 0600, fsync-ed) in the same directory and then hard-linked to `path`, which fails
  /// if `path` exists: when two chats start at once, exactly one key wins and the other
  /// process reads it, so an installation never has two identities.
  ///
  /// Loading refuses a file that group or others can read or write, a symbolic link, anything
  /// but a regular file, and a malformed file or key, each with a message that names the path
  /// and says what to do.
  ///
  /// - Parameter makingDirectories: false for a path the user gave (`--identity`): a folder
  ///   that does not exist is then more likely a typo than a wish for a new identity.
  public static func loadOrCreate(at path: String, makingDirectories: Bool = true) throws(IdentityError)
    -> IdentityKey
  {
    // A file can vanish between a failed link (someone else's file was there) and the read
    // (someone deleted it); trying again is right, but not forever.
    for _ in 0..<3 {
      if let existing = try load(at: path) { return existing }
      if let created = try create(at: path, makingDirectories: makingDirectories) { return created }
    }
    throw IdentityError(
      path: path,
      reason: .fileSystem(operation: "create", path: path, errno: EEXIST)
    )
  }

  /// The identity at `path`, or nil if there is no file there.
  static func load(at path: String) throws(IdentityError) -> IdentityKey? {
    let found: SecureFile.Found
    do {
      found = try SecureFile.read(at: path, limit: maximumFileSize)
    } catch {
      throw IdentityError(path: path, failure: error)
    }
    switch found {
    case .missing:
      return nil
    case .symbolicLink:
      throw IdentityError(path: path, reason: .symbolicLink)
    case .notRegularFile:
      throw IdentityError(path: path, reason: .notRegularFile)
    case .tooLarge:
      throw IdentityError(path: path, reason: .malformed("it is larger than \(maximumFileSize) bytes"))
    case .contents(let bytes, let mode):
      // Checked before parsing, like ssh: a key others could read is already compromised
      // whatever its contents, and the user should hear that first.
      if mode & 0o077 != 0 {
        throw IdentityError(path: path, reason: .permissionsTooOpen(mode: mode))
      }
      return IdentityKey(privateKey: try parse(bytes, path: path))
    }
  }

  /// Writes a new key next to `path` and links it into place. Nil when another process's
  /// file got there first (the caller then reads that one).
  private static func create(at path: String, makingDirectories: Bool) throws(IdentityError) -> IdentityKey? {
    let directory = SecureFile.directory(of: path)
    var status = stat()
    if !makingDirectories, stat(directory, &status) != 0 {
      throw IdentityError(path: path, reason: .fileSystem(operation: "find the folder", path: directory, errno: errno))
    }
    let key = Curve25519.KeyAgreement.PrivateKey()
    let temporary: String
    do {
      try SecureFile.makeDirectories(directory)
      temporary = try SecureFile.writeTemporary(near: path, bytes: Array(encode(key).utf8))
    } catch {
      throw IdentityError(path: path, failure: error)
    }
    defer { unlink(temporary) }
    // link(2), unlike rename(2), never replaces an existing file: this is what makes the
    // first of two racing processes the only winner.
    if link(temporary, path) == 0 {
      SecureFile.syncDirectory(directory)
      return IdentityKey(privateKey: key)
    }
    let code = errno
    if code == EEXIST { return nil }
    // Some file systems (FAT, some FUSE mounts) have no hard links. Then create the file in
    // place with O_EXCL: still one winner, but a loser reading at the very moment the winner
    // writes could see a partial file and report it as malformed.
    if code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == ENOSYS {
      return try createInPlace(at: path, key: key)
    }
    throw IdentityError(path: path, reason: .fileSystem(operation: "link \(temporary) to", path: path, errno: code))
  }

  private static func createInPlace(
    at path: String,
    key: Curve25519.KeyAgreement.PrivateKey
  ) throws(IdentityError) -> IdentityKey? {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    if descriptor < 0 {
      let code = errno
      if code == EEXIST { return nil }
      throw IdentityError(path: path, reason: .fileSystem(operation: "create", path: path, errno: code))
    }
    let bytes = Array(encode(key).utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    let synced = fsync(descriptor) == 0
    let code = errno
    close(descriptor)
    guard written == bytes.count, synced else {
      unlink(path)
      throw IdentityError(path: path, reason: .fileSystem(operation: "write", path: path, errno: code))
    }
    SecureFile.syncDirectory(SecureFile.directory(of: path))
    return IdentityKey(privateKey: key)
  }

  /// The file's one line.
  static func encode(_ key: Curve25519.KeyAgreement.PrivateKey) -> String {
    "\(formatTag) \(algorithm) \(key.rawRepresentation.base64EncodedString())\n"
  }

  static func parse(_ bytes: [UInt8], path: String) throws(IdentityError) -> Curve25519.KeyAgreement.PrivateKey {
    let expected = "expected one line '\(formatTag) \(algorithm) <base64 key>'"
    var line = bytes
    if line.last == UInt8(ascii: "\n") { line.removeLast() }
    guard !line.contains(UInt8(ascii: "\n")) else {
      throw IdentityError(path: path, reason: .malformed("it has more than one line; \(expected)"))
    }
    guard let text = String(validating: line, as: UTF8.self) else {
      throw IdentityError(path: path, reason: .malformed("it is not text; \(expected)"))
    }
    let fields = text.split(separator: " ", omittingEmptySubsequences: false)
    if let first = fields.first, first != formatTag, first.hasPrefix("chat-identity-") {
      throw IdentityError(path: path, reason: .unsupportedVersion(String(first)))
    }
    guard fields.count == 3, fields[0] == formatTag else {
      throw IdentityError(path: path, reason: .malformed(expected))
    }
    guard fields[1] == algorithm else {
      throw IdentityError(path: path, reason: .malformed("the key type is not \(algorithm); \(expected)"))
    }
    guard let raw = Data(base64Encoded: String(fields[2])) else {
      throw IdentityError(path: path, reason: .malformed("the key is not valid base64"))
    }
    guard raw.count == 32 else {
      throw IdentityError(path: path, reason: .wrongKeyLength(raw.count))
    }
    do {
      return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
    } catch {
      throw IdentityError(path: path, reason: .wrongKeyLength(raw.count))
    }
  }

  /// Only the public half, by fingerprint: this is what ends up in logs and error messages.
  public var description: String {
    "IdentityKey(x25519, public key \(KeyFingerprint.short(publicKey)))"
  }

  /// The same as `description`: the private key stays out of debugger output too.
  public var debugDescription: String { description }

  /// Keeps `dump` and debuggers' summaries from walking into the private key's storage.
  public var customMirror: Mirror {
    Mirror(self, children: ["publicKeyFingerprint": KeyFingerprint.full(publicKey)], displayStyle: .struct)
  }
}
