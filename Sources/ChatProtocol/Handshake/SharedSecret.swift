import ChatCrypto

/// The secret both ends were given out of band. It never crosses the wire, and nothing on
/// the wire lets anyone test a guess of it offline: it enters the handshake only through
/// CPace (docs/PROTOCOL.md §3).
public struct SharedSecret: Sendable {
  /// The secret's bytes: CPace's password (PRS).
  let bytes: [UInt8]

  /// A secret from raw bytes; nil when there are none.
  public init?(bytes: some Sequence<UInt8>) {
    let bytes = Array(bytes)
    guard !bytes.isEmpty else { return nil }
    self.bytes = bytes
  }

  /// CPace's generator for this secret (a u-coordinate): what the handshake derives from
  /// the secret first. Tests compare secrets through it without exposing the bytes.
  public func cpaceGenerator(channelIdentifier: [UInt8], sessionID: [UInt8]) -> [UInt8] {
    CPace.generator(password: bytes, channelIdentifier: channelIdentifier, sessionID: sessionID)
  }
}
