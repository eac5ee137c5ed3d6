public import ChatCrypto
import Crypto
public import NIOCore

/// Seals what one side sends into SEALED records (docs/PROTOCOL.md §3, "SEALED records"):
/// one direction's key and record counter from the Noise handshake's `Split()`.
///
/// Pure: it takes encoded frames and returns records; the shell writes them in the order
/// it sealed them, which is the order the peer's ``RecordOpener`` expects.
public struct RecordSealer: Hashable, Sendable {
  /// Tag bytes a record adds to its plaintext (the 5-byte outer header comes on top).
  public static let overhead = 16
  let cipher: ChannelCipher
  let key: SymmetricKey
  /// The next record's number, which is its nonce: never reused.
  public private(set) var counter: UInt64 = 0
  /// The largest plaintext one record may carry: the peer's maximum payload plus one frame
  /// header, so the largest frame it accepts fits whole.
  public let maximumPlaintext: Int

  public init(_ state: NoiseCipherState, peerMaximumPayloadLength: Int) {
    cipher = state.cipher == .aesGCM ? .aesGCM : .chaChaPoly
    key = state.key
    counter = state.nonce
    maximumPlaintext = peerMaximumPayloadLength + FrameHeader.size
  }

  /// Seals `frames` (one or more whole encoded frames, back to back) into as few records
  /// as fit, appended to `records`. A frame is never split between records.
  public mutating func seal(_ frames: ByteBuffer, into records: inout ByteBuffer) {
    var frames = frames
    while frames.readableBytes > 0 {
      var take = 0
      // Whole frames, as many as fit under the record's limit (at least one).
      while take < frames.readableBytes {
        guard let length = frames.getInteger(at: frames.readerIndex + take, as: UInt32.self) else { break }
        let size = FrameHeader.size + Int(length)
        if take > 0, take + size > maximumPlaintext { break }
        take += size
      }
      take = min(take, frames.readableBytes)
      let plaintext = frames.readSlice(length: take)!
      sealRecord(plaintext, into: &records)
    }
  }

  /// Seals `frames` into a new buffer.
  public mutating func sealed(_ frames: ByteBuffer) -> ByteBuffer {
    var records = ByteBuffer()
    records.reserveCapacity(frames.readableBytes + FrameHeader.size + Self.overhead)
    seal(frames, into: &records)
    return records
  }

  public static func == (lhs: RecordSealer, rhs: RecordSealer) -> Bool {
    lhs.cipher == rhs.cipher && lhs.counter == rhs.counter && lhs.maximumPlaintext == rhs.maximumPlaintext
      && lhs.key == rhs.key
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(counter)
    hasher.combine(maximumPlaintext)
  }

  /// A SEALED frame's 5-byte header for a payload of `payloadLength` bytes: the record's
  /// associated data, the same on both sides.
  static func header(payloadLength: Int) -> [UInt8] {
    let length = UInt32(payloadLength)
    return [
      UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
      UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), FrameType.sealed.rawValue,
    ]
  }

  private mutating func sealRecord(_ plaintext: ByteBuffer, into records: inout ByteBuffer) {
    let length = plaintext.readableBytes + Self.overhead
    let header = Self.header(payloadLength: length)
    let nonce = NoiseCipherState.nonceBytes(counter, for: cipher.noise)
    counter += 1
    records.reserveCapacity(minimumWritableBytes: length + FrameHeader.size)
    records.writeBytes(header)
    plaintext.withUnsafeReadableBytes { bytes in
      // Sealing with a fresh nonce and a well-formed key cannot fail.
      switch cipher {
      case .chaChaPoly:
        let box = try! ChaChaPoly.seal(
          bytes, using: key, nonce: try! ChaChaPoly.Nonce(data: nonce), authenticating: header)
        records.writeBytes(box.ciphertext)
        records.writeBytes(box.tag)
      case .aesGCM:
        let box = try! AES.GCM.seal(bytes, using: key, nonce: try! AES.GCM.Nonce(data: nonce), authenticating: header)
        records.writeBytes(box.ciphertext)
        records.writeBytes(box.tag)
      }
    }
  }
}
