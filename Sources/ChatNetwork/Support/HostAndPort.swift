/// A `HOST:PORT` as typed on the command line: `9090`, `:9090`, `127.0.0.1:9090`,
/// `[::1]:9090`, `example.org:9090`.
public struct HostAndPort: Hashable, Sendable, CustomStringConvertible {
  /// The host, or nil for "all interfaces" (listening only).
  public var host: String?
  public var port: Int

  public init(host: String?, port: Int) {
    self.host = host
    self.port = port
  }

  /// Why an address could not be read, in words for the user.
  public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// Reads a listening address: the host is optional (all interfaces) and port 0 asks the
  /// system for a free port.
  public static func parse(listening text: String) throws(ParseError) -> HostAndPort {
    if let port = Int(text) { return HostAndPort(host: nil, port: try checkPort(port, text, allowZero: true)) }
    let parsed = try split(text)
    return HostAndPort(host: parsed.host, port: try checkPort(parsed.port, text, allowZero: true))
  }

  /// Reads an address to connect to: host and port are both required.
  public static func parse(connecting text: String) throws(ParseError) -> HostAndPort {
    let parsed = try split(text)
    guard let host = parsed.host else {
      throw ParseError(description: "'\(text)' needs a host, as in 127.0.0.1:9090 or [::1]:9090")
    }
    return HostAndPort(host: host, port: try checkPort(parsed.port, text, allowZero: false))
  }

  /// `host:port`, with IPv6 literals in brackets.
  public var description: String {
    guard let host else { return "*:\(port)" }
    return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  private static func split(_ text: String) throws(ParseError) -> (host: String?, port: Int) {
    let hostPart: Substring
    let portPart: Substring
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else {
        throw ParseError(description: "'\(text)' opens '[' for an IPv6 address but never closes it")
      }
      hostPart = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else {
        throw ParseError(description: "'\(text)' needs a port after the address, as in [::1]:9090")
      }
      portPart = rest.dropFirst()
    } else {
      let colons = text.filter { $0 == ":" }.count
      guard colons > 0 else {
        throw ParseError(description: "'\(text)' needs a port, as in \(text):9090")
      }
      guard colons == 1 else {
        throw ParseError(description: "'\(text)': write IPv6 addresses in brackets, as in [::1]:9090")
      }
      let colon = text.firstIndex(of: ":")!
      hostPart = text[..<colon]
      portPart = text[text.index(after: colon)...]
    }
    guard let port = Int(portPart) else {
      throw ParseError(description: "'\(portPart)' in '\(text)' is not a port number")
    }
    if hostPart.contains(where: { $0.isWhitespace }) {
      throw ParseError(description: "'\(hostPart)' is not a valid host name")
    }
    return (hostPart.isEmpty ? nil : String(hostPart), port)
  }

  private static func checkPort(_ port: Int, _ text: String, allowZero: Bool) throws(ParseError) -> Int {
    let lowest = allowZero ? 0 : 1
    guard (lowest...65535).contains(port) else {
      throw ParseError(description: "port \(port) in '\(text)' is outside \(lowest)...65535")
    }
    return port
  }
}
