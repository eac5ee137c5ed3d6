public import Crypto

/// One side of a Noise handshake with 25519 and SHA256 (Noise revision 34, section 5.3): the
/// HandshakeState with a token interpreter for the ``NoisePattern``'s messages.
///
/// Call ``writeMessage(payload:)`` and ``readMessage(_:)`` in turn (``isMyTurnToWrite`` says
/// which) until ``isComplete``, then ``split()`` for the transport cipher states.
///
/// Each call is all or nothing: if it throws, the state is as it was before, so a caller's
/// mistake (writing out of turn, a missing key or psk) can be corrected and the call repeated.
/// A failure that comes from the peer or the cryptography (a tag that does not verify, a
/// low-order key, a malformed message) ends the handshake instead, as the spec requires: every
/// later write or read throws the same error.
public struct NoiseHandshake: Sendable {
  private typealias PrivateKey = Curve25519.KeyAgreement.PrivateKey

  /// The full protocol name, such as `Noise_XXpsk3_25519_ChaChaPoly_SHA256`, which is hashed
  /// into the state first: both sides must run the same one.
  public let protocolName: String

  private let pattern: NoisePattern
  private let initiator: Bool
  private var symmetric: NoiseSymmetricState
  private let localStatic: PrivateKey?
  /// A caller-chosen ephemeral (test vectors, compound protocols); used by the `e` token.
  private let chosenEphemeral: PrivateKey?
  private var localEphemeral: PrivateKey?
  private var remoteStatic: [UInt8]?
  private var remoteEphemeral: [UInt8]?
  private var preSharedKey: [UInt8]?
  /// The index of the next message pattern to write or read.
  private var messageIndex = 0
  /// Set when the handshake can no longer succeed; thrown by every later write or read.
  private var failure: NoiseError?

  /// Initialize(): prepares one side of the handshake.
  ///
  /// The initializer cannot throw, so a problem with its arguments is thrown by the first
  /// ``writeMessage(payload:)`` or ``readMessage(_:)``: ``NoiseError/invalidKey`` for a key of
  /// the wrong length, ``NoiseError/missingKey(_:)`` for a pre-message key that is missing,
  /// ``NoiseError/outOfOrder(_:)`` for a psk the pattern does not take or a remote static key
  /// it receives in a message instead.
  ///
  /// - Parameters:
  ///   - pattern: The handshake pattern; both sides must use the same.
  ///   - cipher: The AEAD; both sides must use the same.
  ///   - initiator: Whether this side writes the first message.
  ///   - prologue: Data both sides must agree on, hashed in but never sent.
  ///   - staticKey: This side's static key, for patterns that send or pre-share it.
  ///   - remoteStaticKey: The peer's raw 32-byte static key, for patterns where it is known
  ///     in advance (the initiator of IK and XK), and only those.
  ///   - psk: The 32-byte pre-shared key, if already known (see ``setPreSharedKey(_:)``).
  ///   - ephemeralKey: The ephemeral to send; `nil` generates a fresh one when the `e` token
  ///     is reached. Only tests and compound protocols should choose it.
  public init(
    pattern: NoisePattern, cipher: NoiseCipher, initiator: Bool, prologue: [UInt8],
    staticKey: Curve25519.KeyAgreement.PrivateKey?, remoteStaticKey: [UInt8]? = nil,
    psk: [UInt8]? = nil, ephemeralKey: Curve25519.KeyAgreement.PrivateKey? = nil
  ) {
    self.protocolName = "Noise_\(pattern.name)_25519_\(cipher.name)_SHA256"
    self.pattern = pattern
    self.initiator = initiator
    self.symmetric = NoiseSymmetricState(protocolName: protocolName, cipher: cipher)
    self.localStatic = staticKey
    self.chosenEphemeral = ephemeralKey
    self.remoteStatic = remoteStaticKey
    self.preSharedKey = psk
    symmetric.mixHash(prologue)

    let peerPreMessage = initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage
    if remoteStaticKey != nil, !peerPreMessage.contains(.s) {
      // Refused rather than ignored: in XX the peer's static arrives in a message and would
      // silently replace this one, so a caller who meant it as a pin would check nothing.
      // Pins are compared with ``remoteStaticKey`` after the handshake.
      failure = .outOfOrder("\(protocolName) takes no remote static key in advance")
    } else if let remoteStaticKey, remoteStaticKey.count != NoiseDH.length {
      failure = .invalidKey
    } else if let psk {
      failure = Self.checkPreSharedKey(psk, for: pattern)
    }
    // The pre-messages are hashed now, initiator's first (section 5.3), whatever the failure:
    // the state is never used if there is one.
    for (owner, tokens) in [(true, pattern.initiatorPreMessage), (false, pattern.responderPreMessage)] {
      for token in tokens {
        precondition(token == .s, "the supported patterns pre-share only static keys")
        let key = owner == initiator ? localStatic.map(NoiseDH.publicBytes) : remoteStatic
        guard let key else {
          failure = failure ?? .missingKey(owner == initiator ? "local static key" : "remote static key")
          continue
        }
        symmetric.mixHash(key)
      }
    }
  }

  /// Supplies the psk once it is known, before the message that holds the `psk` token.
  ///
  /// chat learns the psk from CPace, which runs alongside the first messages; XXpsk3 mixes it
  /// in only in the third message, so it may be set after writing or reading the first two.
  ///
  /// - Throws: ``NoiseError/invalidKey`` if it is not 32 bytes; ``NoiseError/outOfOrder(_:)``
  ///   if the pattern has no psk or the psk has already been mixed in.
  public mutating func setPreSharedKey(_ psk: [UInt8]) throws(NoiseError) {
    if let problem = Self.checkPreSharedKey(psk, for: pattern) { throw problem }
    if pattern.messages[..<messageIndex].contains(where: { $0.contains(.psk) }) {
      throw .outOfOrder("the psk of \(protocolName) was already mixed in")
    }
    preSharedKey = psk
  }

  /// Whether every handshake message has been written or read.
  public var isComplete: Bool { failure == nil && messageIndex == pattern.messages.count }

  /// Whether the next handshake message is this side's to write (false once complete).
  public var isMyTurnToWrite: Bool {
    failure == nil && messageIndex < pattern.messages.count && (messageIndex % 2 == 0) == initiator
  }

  /// The peer's raw static key: known in advance, or received in the handshake.
  public var remoteStaticKey: [UInt8]? { remoteStatic }

  /// h, the hash of the whole handshake so far; after completion, the channel binding value
  /// (section 11.2), identical on both sides.
  public var handshakeHash: [UInt8] { symmetric.handshakeHash }

  /// Split(): the transport cipher states, (initiator→responder, responder→initiator).
  ///
  /// Both sides get the same pair. Each call returns fresh states at nonce zero, so call it
  /// once: two states with the same key and nonce would reuse a nonce.
  ///
  /// - Throws: ``NoiseError/outOfOrder(_:)`` before the handshake is complete.
  public func split() throws(NoiseError) -> (NoiseCipherState, NoiseCipherState) {
    guard isComplete else { throw .outOfOrder("\(protocolName) is not complete: no transport keys yet") }
    return symmetric.split()
  }

  /// WriteMessage(): the next handshake message, carrying `payload` (encrypted once a key is
  /// mixed in).
  ///
  /// - Throws: ``NoiseError/outOfOrder(_:)`` when it is not this side's turn;
  ///   ``NoiseError/missingKey(_:)`` for a key the message needs; ``NoiseError/invalidKey``
  ///   if a DH result is all zeros; ``NoiseError/malformedMessage(_:)`` if the message would
  ///   exceed 65535 bytes.
  public mutating func writeMessage(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
    try checkTurn(writing: true)
    var next = self
    do throws(NoiseError) {
      let message = try next.write(payload: payload)
      guard message.count <= NoiseCipherState.maximumMessageLength else {
        throw NoiseError.malformedMessage(
          "message \(messageIndex + 1) would be \(message.count) bytes, over Noise's 65535-byte limit")
      }
      self = next
      return message
    } catch {
      // Only a DH failure is the peer's doing (a low-order key it sent); the rest are the
      // caller's to fix.
      if error == .invalidKey { failure = error }
      throw error
    }
  }

  /// ReadMessage(): processes the peer's next handshake message and returns its payload.
  ///
  /// - Throws: ``NoiseError/outOfOrder(_:)`` when it is this side's turn to write;
  ///   ``NoiseError/malformedMessage(_:)`` if the message is too short for its tokens or over
  ///   65535 bytes; ``NoiseError/decryptionFailed`` if a tag does not verify;
  ///   ``NoiseError/invalidKey`` if a DH result is all zeros; ``NoiseError/missingKey(_:)``
  ///   for a key the message needs (then nothing changed: supply it and read again).
  public mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
    try checkTurn(writing: false)
    var next = self
    do throws(NoiseError) {
      guard message.count <= NoiseCipherState.maximumMessageLength else {
        throw NoiseError.malformedMessage(
          "message \(messageIndex + 1) is \(message.count) bytes, over Noise's 65535-byte limit")
      }
      let payload = try next.read(message)
      self = next
      return payload
    } catch {
      switch error {
      case .missingKey, .outOfOrder: break
      default: failure = error
      }
      throw error
    }
  }

  private func checkTurn(writing: Bool) throws(NoiseError) {
    if let failure { throw failure }
    guard messageIndex < pattern.messages.count else {
      throw .outOfOrder("\(protocolName) is complete: no more handshake messages")
    }
    guard isMyTurnToWrite == writing else {
      let writer = (messageIndex % 2 == 0) ? "initiator" : "responder"
      throw .outOfOrder("message \(messageIndex + 1) of \(protocolName) is the \(writer)'s to write")
    }
  }

  private static func checkPreSharedKey(_ psk: [UInt8], for pattern: NoisePattern) -> NoiseError? {
    guard pattern.usesPreSharedKey else { return .outOfOrder("Noise pattern \(pattern.name) takes no psk") }
    guard psk.count == 32 else { return .invalidKey }
    return nil
  }

  // MARK: - The token interpreter

  private mutating func write(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
    var message: [UInt8] = []
    for token in pattern.messages[messageIndex] {
      switch token {
      case .e:
        let ephemeral = chosenEphemeral ?? PrivateKey()
        localEphemeral = ephemeral
        let publicKey = NoiseDH.publicBytes(ephemeral)
        message += publicKey
        mixEphemeral(publicKey)
      case .s:
        guard let localStatic else { throw .missingKey("local static key") }
        message += try symmetric.encryptAndHash(NoiseDH.publicBytes(localStatic))
      case .ee, .es, .se, .ss:
        try mixDH(token)
      case .psk:
        try mixPreSharedKey()
      }
    }
    message += try symmetric.encryptAndHash(payload)
    messageIndex += 1
    return message
  }

  private mutating func read(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
    var offset = 0
    for token in pattern.messages[messageIndex] {
      switch token {
      case .e:
        let publicKey = try take(NoiseDH.length, from: message, at: &offset, for: "e token")
        remoteEphemeral = publicKey
        mixEphemeral(publicKey)
      case .s:
        // Encrypted (with its tag) once a key is mixed in, clear before.
        let length = NoiseDH.length + (symmetric.hasKey ? NoiseCipherState.tagLength : 0)
        let field = try take(length, from: message, at: &offset, for: "s token")
        remoteStatic = try symmetric.decryptAndHash(field)
      case .ee, .es, .se, .ss:
        try mixDH(token)
      case .psk:
        try mixPreSharedKey()
      }
    }
    let rest = Array(message[offset...])
    if symmetric.hasKey && rest.count < NoiseCipherState.tagLength {
      throw .malformedMessage(
        "message \(messageIndex + 1) of \(protocolName) is \(message.count) bytes, too short for its payload's tag")
    }
    let payload = try symmetric.decryptAndHash(rest)
    messageIndex += 1
    return payload
  }

  /// The next `count` bytes of `message`, or a malformedMessage naming what was cut short.
  private func take(
    _ count: Int, from message: [UInt8], at offset: inout Int, for what: String
  ) throws(NoiseError) -> [UInt8] {
    guard message.count - offset >= count else {
      throw .malformedMessage(
        "message \(messageIndex + 1) of \(protocolName) is \(message.count) bytes, too short for its \(what)")
    }
    defer { offset += count }
    return Array(message[offset..<(offset + count)])
  }

  /// The `e` token's hashing; in a psk handshake the key is mixed in too (section 9.2), so
  /// that psk-derived keys are randomized by the ephemerals.
  private mutating func mixEphemeral(_ publicKey: [UInt8]) {
    symmetric.mixHash(publicKey)
    if pattern.usesPreSharedKey { symmetric.mixKey(publicKey) }
  }

  /// The `ee`, `es`, `se` and `ss` tokens: MixKey(DH(…)) with the keys each names.
  private mutating func mixDH(_ token: NoiseToken) throws(NoiseError) {
    // Which of each side's keys the token names: its ephemeral (true) or its static (false).
    let (initiatorEphemeral, responderEphemeral): (Bool, Bool) =
      switch token {
      case .ee: (true, true)
      case .es: (true, false)
      case .se: (false, true)
      case .ss: (false, false)
      case .e, .s, .psk: preconditionFailure("\(token) is not a DH token")
      }
    let (localEphemeral, remoteEphemeral) =
      initiator ? (initiatorEphemeral, responderEphemeral) : (responderEphemeral, initiatorEphemeral)
    guard let local = localEphemeral ? self.localEphemeral : localStatic else {
      throw .missingKey(localEphemeral ? "local ephemeral key" : "local static key")
    }
    guard let remote = remoteEphemeral ? self.remoteEphemeral : remoteStatic else {
      throw .missingKey(remoteEphemeral ? "remote ephemeral key" : "remote static key")
    }
    symmetric.mixKey(try NoiseDH.agree(local, with: remote))
  }

  private mutating func mixPreSharedKey() throws(NoiseError) {
    guard let preSharedKey else { throw .missingKey("pre-shared key (psk) for \(protocolName)") }
    symmetric.mixKeyAndHash(preSharedKey)
  }
}
