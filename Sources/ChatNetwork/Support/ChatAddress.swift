/// Where chat listens or connects: a TCP `HOST:PORT`, or a Unix domain socket `unix:PATH`.
///
/// The protocol above the socket is the same for both (hello, handshake, sealed records);
/// only how the connection is made differs.
public enum ChatAddress: Hashable, Sendable, CustomStringConvertible {
  /// TCP: `9090`, `127.0.0.1:9090`, `[::1]:9090`, `example.org:9090`.
  case tcp(HostAndPort)
  /// A Unix domain socket (AF_UNIX, SOCK_STREAM) at a file system path.
  case unix(UnixSocketPath)

  /// The prefix that marks a Unix socket address.
  public static let unixPrefix = "unix:"

  /// Reads an address to listen on: `unix:PATH`, or `[HOST:]PORT`.
  public static func parse(listening text: String) throws(HostAndPort.ParseError) -> ChatAddress {
    if let path = try unixPath(text) { return .unix(path) }
    return .tcp(try HostAndPort.parse(listening: text))
  }

  /// Reads an address to connect to: `unix:PATH`, or `HOST:PORT`.
  public static func parse(connecting text: String) throws(HostAndPort.ParseError) -> ChatAddress {
    if let path = try unixPath(text) { return .unix(path) }
    return .tcp(try HostAndPort.parse(connecting: text))
  }

  private static func unixPath(_ text: String) throws(HostAndPort.ParseError) -> UnixSocketPath? {
    guard text.hasPrefix(unixPrefix) else { return nil }
    do {
      return try UnixSocketPath(String(text.dropFirst(unixPrefix.count)))
    } catch {
      throw HostAndPort.ParseError(description: error.description)
    }
  }

  /// As typed: `127.0.0.1:9090`, `[::1]:9090`, `unix:/run/chat.sock`. A connector pins the
  /// listener's key under this text.
  public var description: String {
    switch self {
    case .tcp(let address): address.description
    case .unix(let path): Self.unixPrefix + path.path
    }
  }

  /// The Unix socket's path, if this is one.
  public var unixPath: UnixSocketPath? {
    if case .unix(let path) = self { return path }
    return nil
  }
}
