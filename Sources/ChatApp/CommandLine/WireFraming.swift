/// What goes on the wire (`--framing`): chat's own protocol, or the tutorials' format.
public enum WireFraming: String, Hashable, Sendable, CaseIterable {
  /// chat's protocol: hello, encrypted channel, receipts, rooms (docs/PROTOCOL.md).
  case chat
  /// The tutorials' `struct.pack('i')` length and text, nothing encrypted, one peer at a
  /// time, with their hmac check when a secret is given (docs/PROTOCOL.md, appendix).
  case tutorial
}
