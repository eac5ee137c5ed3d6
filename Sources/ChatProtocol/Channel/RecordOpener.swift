public import ChatCrypto
import Crypto
public import NIOCore

/// Opens the peer's SEALED records (docs/PROTOCOL.md §3): the other direction's key and
/// record counter. A record that does not authenticate (altered, replayed, dropped,
/// reordered) is refused, and so would every later one be: the session ends as tampered.
public struct RecordOpener: Sendable {
  let cipher: ChannelCipher
  let key: SymmetricKey
  /// The number the next record must have been sealed with.
  public private(set) var counter: UInt64 = 0

  public init(_ state: NoiseCipherState) {
    cipher = state.cipher == .aesGCM ? .aesGCM : .chaChaPoly
    key = state.key
    counter = state.nonce
  }

  /// The plaintext of one SEALED frame's payload: the inner frames, back to back, not yet
  /// parsed. Throws ``ErrorCode/tampered`` when the record does not authenticate.
  public mutating func open(_ record: ByteBuffer) throws(FrameError) -> ByteBuffer {
    let length = record.readableBytes
    guard length >= RecordSealer.overhead else {
      throw FrameError(.tampered, "the connection was tampered with: a record is too short to authenticate")
    }
    let header = RecordSealer.header(payloadLength: length)
    let nonce = NoiseCipherState.nonceBytes(counter, for: cipher.noise)
    let opened: ByteBuffer? = record.withUnsafeReadableBytes { bytes in
      let ciphertext = UnsafeRawBufferPointer(rebasing: bytes[..<(length - RecordSealer.overhead)])
      let tag = UnsafeRawBufferPointer(rebasing: bytes[(length - RecordSealer.overhead)...])
      switch cipher {
      case .chaChaPoly:
        guard
          let box = try? ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag),
          let plain = try? ChaChaPoly.open(box, using: key, authenticating: header)
        else { return nil }
        return ByteBuffer(bytes: plain)
      case .aesGCM:
        guard let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag),
          let plain = try? AES.GCM.open(box, using: key, authenticating: header)
        else { return nil }
        return ByteBuffer(bytes: plain)
      }
    }
    guard let opened else {
      throw FrameError(.tampered, "the connection was tampered with: a record did not authenticate")
    }
    counter += 1
    return opened
  }
}
