import NIOCore

/// Recognises the opening bytes of protocols that people point at a chat port by mistake,
/// so the error names the mistake instead of reporting a nonsense frame length.
///
/// A real chat stream starts with a hello whose four length bytes are far below 16 MiB,
/// so its first byte is 0x00; none of these signatures can start a chat stream.
enum ForeignProtocol {
  case http
  case tls
  case ssh

  static func recognise(_ bytes: ByteBufferView) -> ForeignProtocol? {
    guard let first = bytes.first else { return nil }
    if first == 0x16, bytes.count >= 2, bytes[bytes.startIndex + 1] == 0x03 { return .tls }
    let prefix = Array(bytes.prefix(4))
    guard prefix.count == 4 else { return nil }
    if prefix == Array("SSH-".utf8) { return .ssh }
    if httpSignatures.contains(prefix) { return .http }
    return nil
  }

  /// Requests (someone pointed a browser or curl at a chat port) and responses (chat
  /// connected to a web server): their first four bytes.
  static let httpSignatures: [[UInt8]] = [
    "GET ", "POST", "HEAD", "PUT ", "OPTI", "DELE", "CONN", "PATC", "TRAC", "PRI ", "HTTP",
  ]
  .map { Array($0.utf8) }

  /// The first four bytes of the text protocols recognised (HTTP and SSH), for telling
  /// them from a person's text (``LineClientDetection``).
  static let textSignatures: [[UInt8]] = httpSignatures + [Array("SSH-".utf8)]

  var explanation: String {
    switch self {
    // Said from either side: the listener that got a browser, or the connector that
    // reached a web or SSH server.
    case .http: "the other side speaks HTTP, not the chat protocol"
    case .tls: "the other side started a TLS handshake; chat speaks its own protocol, without TLS"
    case .ssh: "the other side speaks SSH, not the chat protocol"
    }
  }
}
