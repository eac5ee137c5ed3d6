/// Tells a plain line client (nc, ncat, telnet) from a chat client by the first byte it
/// sends, for a room that takes both (`--lines`).
///
/// Every chat stream begins with a HELLO frame whose first byte is 0x00 (the high byte of
/// its length), so a 0x00 means chat. Text a person types begins with a printable
/// character, a tab or a line ending, or a UTF-8 lead byte (Chinese, say): a line client.
/// Anything else (a TLS record, other binary) is left to the chat path, which names it, and
/// so is text that opens like HTTP or SSH (`GET `, `POST`, `SSH-`, …: a browser or a scanner,
/// not a person), which the chat path refuses as not the chat protocol, as it would without
/// line clients. A client that sends nothing at all within the room's wait is taken for a
/// line client too: someone who opened nc and has not typed yet.
public enum LineClientDetection: Hashable, Sendable {
  /// Speaks the chat protocol (or something binary the chat path will refuse).
  case chat
  /// Sends plain lines of text.
  case lines

  /// What a connection is, judging by the first bytes it sent, or nil while they could
  /// still be the start of HTTP or SSH (fewer than four bytes that match one).
  public static func classify(_ bytes: some Collection<UInt8>) -> LineClientDetection? {
    guard let first = bytes.first else { return nil }
    guard classify(firstByte: first) == .lines else { return .chat }
    let prefix = Array(bytes.prefix(4))
    if prefix.count == 4 { return ForeignProtocol.textSignatures.contains(prefix) ? .chat : .lines }
    let couldBeForeign = ForeignProtocol.textSignatures.contains { $0.starts(with: prefix) }
    return couldBeForeign ? nil : .lines
  }

  /// What a connection is, judging by its first byte alone.
  public static func classify(firstByte: UInt8) -> LineClientDetection {
    switch firstByte {
    case 0x09, 0x0A, 0x0D, 0x20...0x7E: .lines
    // UTF-8 lead bytes of two- to four-byte characters.
    case 0xC2...0xF4: .lines
    default: .chat
    }
  }
}
