import Crypto
import NIOCore

/// The bytes both sides agree on after the hellos, and the proofs computed over them.
///
/// ```
/// transcript = u32(len(connector hello payload)) || connector hello payload
///           || u32(len(listener hello payload))  || listener hello payload
/// proof(role) = HMAC-SHA256(key: secret, message: label(role) || SHA-256(transcript))
/// ```
///
/// Each hello holds a fresh 32-byte nonce, so the transcript (and every proof) is new on
/// every connection: a recorded proof is useless on another.
public struct AuthTranscript: Sendable {
  let digest: SHA256.Digest

  public init(connectorHello: Hello, listenerHello: Hello) {
    var hash = SHA256()
    for hello in [connectorHello, listenerHello] {
      var buffer = Frame.hello(hello).encoded()
      let payload = buffer.getSlice(at: FrameHeader.size, length: buffer.readableBytes - FrameHeader.size)!
      buffer = ByteBuffer()
      buffer.writeInteger(UInt32(payload.readableBytes))
      buffer.writeImmutableBuffer(payload)
      hash.update(data: Array(buffer.readableBytesView))
    }
    digest = hash.finalize()
  }

  /// The proof that `role` sends, computed with `secret`.
  public func proof(for role: Role, secret: SharedSecret) -> [UInt8] {
    Array(HMAC<SHA256>.authenticationCode(for: message(for: role), using: secret.key))
  }

  /// Checks a received proof in constant time.
  public func verify(_ proof: [UInt8], from role: Role, secret: SharedSecret) -> Bool {
    HMAC<SHA256>.isValidAuthenticationCode(proof, authenticating: message(for: role), using: secret.key)
  }

  private func message(for role: Role) -> [UInt8] {
    Array(role.proofLabel.utf8) + Array(digest)
  }
}
