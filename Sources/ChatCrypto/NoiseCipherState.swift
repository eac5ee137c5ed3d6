public import Crypto

/// A Noise CipherState with its key set: a 32-byte key and a 64-bit message counter
/// (Noise revision 34, section 5.1).
///
/// ``NoiseHandshake/split()`` returns two of these, one per direction. Each encryption or
/// decryption uses the current ``nonce`` and then increments it, so the two sides must process
/// messages in the same order. A failed decryption leaves the nonce as it was.
public struct NoiseCipherState: Sendable {
  /// The bytes an AEAD tag adds to every ciphertext.
  static let tagLength = 16

  /// Noise's limit on any message, handshake or transport (section 3).
  static let maximumMessageLength = 65535

  /// The AEAD this state encrypts with.
  public let cipher: NoiseCipher

  /// The raw 32-byte key, for a record layer that encrypts with its own buffers (it must then
  /// keep its own counter, using ``nonceBytes(_:for:)``, and stop before 2⁶⁴−1).
  public let key: SymmetricKey

  /// The counter the next encryption or decryption will use.
  public private(set) var nonce: UInt64

  /// A state with `key` and the counter at zero (InitializeKey); tests build one from a
  /// vector's transport key.
  public init(cipher: NoiseCipher, key: [UInt8]) {
    precondition(key.count == 32, "Noise cipher keys are 32 bytes")
    self.cipher = cipher
    self.key = SymmetricKey(data: key)
    self.nonce = 0
  }

  /// EncryptWithAd: the ciphertext of `plaintext` with its 16-byte tag appended.
  ///
  /// - Throws: ``NoiseError/nonceExhausted`` once the counter reaches 2⁶⁴−1, which Noise
  ///   reserves; ``NoiseError/malformedMessage(_:)`` if the result would exceed 65535 bytes.
  public mutating func encrypt(associatedData: [UInt8], plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
    guard plaintext.count + Self.tagLength <= Self.maximumMessageLength else {
      throw .malformedMessage(
        "a plaintext of \(plaintext.count) bytes exceeds Noise's 65535-byte message limit")
    }
    guard nonce != .max else { throw .nonceExhausted }
    let nonceBytes = Self.nonceBytes(nonce, for: cipher)
    let sealed: [UInt8]
    do {
      switch cipher {
      case .chaChaPoly:
        let box = try ChaChaPoly.seal(
          plaintext, using: key, nonce: ChaChaPoly.Nonce(data: nonceBytes), authenticating: associatedData)
        sealed = Array(box.ciphertext) + Array(box.tag)
      case .aesGCM:
        let box = try AES.GCM.seal(
          plaintext, using: key, nonce: AES.GCM.Nonce(data: nonceBytes), authenticating: associatedData)
        sealed = Array(box.ciphertext) + Array(box.tag)
      }
    } catch {
      // Sealing fails only on a malformed key or nonce, which this type never builds.
      preconditionFailure("AEAD sealing failed: \(error)")
    }
    nonce += 1
    return sealed
  }

  /// DecryptWithAd: the plaintext of `ciphertext`, whose last 16 bytes are the tag.
  ///
  /// - Throws: ``NoiseError/decryptionFailed`` if the tag does not verify (the nonce is then
  ///   not incremented); ``NoiseError/malformedMessage(_:)`` if the ciphertext is shorter than
  ///   a tag or over 65535 bytes; ``NoiseError/nonceExhausted`` at 2⁶⁴−1.
  public mutating func decrypt(associatedData: [UInt8], ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
    guard ciphertext.count >= Self.tagLength else {
      throw .malformedMessage("a ciphertext of \(ciphertext.count) bytes is shorter than its 16-byte tag")
    }
    guard ciphertext.count <= Self.maximumMessageLength else {
      throw .malformedMessage("a ciphertext of \(ciphertext.count) bytes exceeds Noise's 65535-byte message limit")
    }
    guard nonce != .max else { throw .nonceExhausted }
    let nonceBytes = Self.nonceBytes(nonce, for: cipher)
    let body = ciphertext[..<(ciphertext.count - Self.tagLength)]
    let tag = ciphertext[(ciphertext.count - Self.tagLength)...]
    let opened: [UInt8]
    do {
      switch cipher {
      case .chaChaPoly:
        let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonceBytes), ciphertext: body, tag: tag)
        opened = Array(try ChaChaPoly.open(box, using: key, authenticating: associatedData))
      case .aesGCM:
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonceBytes), ciphertext: body, tag: tag)
        opened = Array(try AES.GCM.open(box, using: key, authenticating: associatedData))
      }
    } catch {
      throw .decryptionFailed
    }
    nonce += 1
    return opened
  }

  /// The 12-byte AEAD nonce for counter `n`: four zero bytes, then `n` in eight bytes,
  /// little-endian for ChaChaPoly and big-endian for AESGCM (sections 12.3 and 12.4).
  public static func nonceBytes(_ n: UInt64, for cipher: NoiseCipher) -> [UInt8] {
    let counter =
      switch cipher {
      case .chaChaPoly: n.littleEndian
      case .aesGCM: n.bigEndian
      }
    return [0, 0, 0, 0] + withUnsafeBytes(of: counter) { Array($0) }
  }
}
