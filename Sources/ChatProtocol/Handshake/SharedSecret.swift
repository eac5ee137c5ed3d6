import Crypto

/// The secret both ends were given out of band. It never crosses the wire: each side only
/// sends an HMAC proof computed with it.
public struct SharedSecret: Sendable {
  let key: SymmetricKey

  /// A secret from raw bytes; nil when there are none.
  public init?(bytes: some Sequence<UInt8>) {
    let bytes = Array(bytes)
    guard !bytes.isEmpty else { return nil }
    key = SymmetricKey(data: bytes)
  }
}
