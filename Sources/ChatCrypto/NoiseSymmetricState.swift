/// A Noise SymmetricState: the chaining key, the handshake hash and the handshake's cipher
/// state (Noise revision 34, section 5.2).
struct NoiseSymmetricState: Sendable {
  /// The AEAD the cipher state uses once a key is mixed in.
  let cipher: NoiseCipher
  /// `nil` is the spec's `empty` key: until the first MixKey, "encryption" is the identity.
  private(set) var cipherState: NoiseCipherState?
  /// ck, the chaining key.
  private(set) var chainingKey: [UInt8]
  /// h, the hash of everything sent and received so far.
  private(set) var handshakeHash: [UInt8]

  /// InitializeSymmetric(protocol_name).
  init(protocolName: String, cipher: NoiseCipher) {
    let name = Array(protocolName.utf8)
    // A name that fits is used as is (zero-padded), so short names cost no hash.
    let h =
      name.count <= NoiseHash.length
      ? name + [UInt8](repeating: 0, count: NoiseHash.length - name.count)
      : NoiseHash.hash(name)
    self.cipher = cipher
    self.cipherState = nil
    self.chainingKey = h
    self.handshakeHash = h
  }

  /// HasKey(): whether encryption has started.
  var hasKey: Bool { cipherState != nil }

  /// MixKey(input_key_material).
  mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
    let outputs = NoiseHash.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, count: 2)
    chainingKey = outputs[0]
    cipherState = NoiseCipherState(cipher: cipher, key: outputs[1])
  }

  /// MixHash(data).
  mutating func mixHash(_ data: [UInt8]) {
    handshakeHash = NoiseHash.hash(handshakeHash, data)
  }

  /// MixKeyAndHash(input_key_material), used for the psk.
  mutating func mixKeyAndHash(_ inputKeyMaterial: [UInt8]) {
    let outputs = NoiseHash.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, count: 3)
    chainingKey = outputs[0]
    mixHash(outputs[1])
    cipherState = NoiseCipherState(cipher: cipher, key: outputs[2])
  }

  /// EncryptAndHash(plaintext).
  mutating func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
    let ciphertext: [UInt8]
    if cipherState != nil {
      ciphertext = try cipherState!.encrypt(associatedData: handshakeHash, plaintext: plaintext)
    } else {
      ciphertext = plaintext
    }
    mixHash(ciphertext)
    return ciphertext
  }

  /// DecryptAndHash(ciphertext).
  mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
    let plaintext: [UInt8]
    if cipherState != nil {
      plaintext = try cipherState!.decrypt(associatedData: handshakeHash, ciphertext: ciphertext)
    } else {
      plaintext = ciphertext
    }
    mixHash(ciphertext)
    return plaintext
  }

  /// Split(): the transport cipher states, initiator-to-responder first.
  func split() -> (NoiseCipherState, NoiseCipherState) {
    let outputs = NoiseHash.hkdf(chainingKey: chainingKey, inputKeyMaterial: [], count: 2)
    return (NoiseCipherState(cipher: cipher, key: outputs[0]), NoiseCipherState(cipher: cipher, key: outputs[1]))
  }
}
