/// The file system path of a Unix domain socket, checked so that it fits a socket address.
///
/// `sockaddr_un.sun_path` holds 108 bytes on Linux (104 on the BSDs and macOS), a NUL
/// included: a longer path can't be bound or connected to, and some systems would silently
/// cut it, so it is refused up front with its length. Relative paths are taken from the
/// working directory, as the kernel does.
public struct UnixSocketPath: Hashable, Sendable, CustomStringConvertible {
  /// The path as typed (relative to the working directory when it doesn't start with `/`).
  public let path: String

  /// The longest path, in bytes of UTF-8, that fits `sun_path` with its terminating NUL.
  public static let maximumLength = 107

  /// Why a path can't be a socket address.
  public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problem in words, for the usage error.
    public var description: String
  }

  /// Checks `path`: not empty, no NUL (it would end the C string early), no control
  /// characters (the path appears in messages and in the pinned-keys file, one line per
  /// pin), at most ``maximumLength`` bytes.
  public init(_ path: String) throws(Problem) {
    if path.isEmpty {
      throw Problem(description: "unix: needs a path, as in unix:/tmp/chat.sock")
    }
    if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
      throw Problem(description: "the socket path holds a control character")
    }
    let length = path.utf8.count
    guard length <= Self.maximumLength else {
      throw Problem(
        description:
          "the socket path is \(length) bytes long; a Unix socket address holds at most \(Self.maximumLength) "
          + "(sun_path is 108 bytes with the final NUL): use a shorter path")
    }
    self.path = path
  }

  /// The path.
  public var description: String { path }
}
