public import ChatCrypto
public import Crypto

/// From two hellos to the channel's keys: CPace with a shared secret, then the Noise
/// handshake (XXpsk3 with a secret, XX without), as a pure state machine
/// (docs/PROTOCOL.md §3).
///
/// ```
/// connector (initiator)               listener (responder)
///   opening: [CPACE Ya], NOISE msg1     opening: [CPACE Yb]
///   CPACE Yb  -> psk                     CPACE Ya  -> psk (before msg1)
///   NOISE msg2 -> NOISE msg3, keys       NOISE msg1 -> NOISE msg2
///                                        NOISE msg3 -> keys
/// ```
public struct ChannelHandshake: Sendable {
  /// What a step produced: frames to send, and the keys once the handshake is complete.
  public enum Step: Sendable {
    /// Send these frames; the handshake goes on.
    case proceed([Frame])
    /// Send these frames (in the clear), then seal everything with the keys.
    case complete([Frame], ChannelKeys)
  }

  public let role: Role
  public let cipher: ChannelCipher
  private var noise: NoiseHandshake
  private let cpace: CPaceParty?
  private var peerShareReceived = false
  private var noiseMessagesRead = 0

  /// Starts the handshake once both hellos are known. ``SessionMachine`` drives it for
  /// chat; test tools and benchmarks that write their own frames drive it themselves.
  public init(
    role: Role, secret: SharedSecret?, localHello: Hello, peerHello: Hello,
    identity: Curve25519.KeyAgreement.PrivateKey, randomness: HandshakeRandomness
  ) {
    self.role = role
    let (connectorHello, listenerHello) = role == .connector ? (localHello, peerHello) : (peerHello, localHello)
    cipher = ChannelCipher.agreed(localHello.capabilities, peerHello.capabilities)
    noise = NoiseHandshake(
      pattern: secret == nil ? .xx : .xxpsk3, cipher: cipher.noise, initiator: role == .connector,
      prologue: HandshakePrologue.bytes(connectorHello: connectorHello, listenerHello: listenerHello),
      staticKey: identity, ephemeralKey: randomness.ephemeralKey)
    cpace = secret.map {
      CPaceParty(
        password: $0.bytes, channelIdentifier: Self.channelIdentifier,
        sessionID: connectorHello.nonce + listenerHello.nonce, associatedData: [],
        scalar: randomness.cpaceScalar)
    }
  }

  /// CPace's channel identifier (CI) for this protocol.
  static let channelIdentifier = Array("chat/2".utf8)

  /// Whether the handshake proves a shared secret (CPace ran).
  public var provesSecret: Bool { cpace != nil }

  /// The frames to send as soon as the peer's hello is in.
  public mutating func opening() throws(HandshakeFailure) -> [Frame] {
    var frames: [Frame] = cpace.map { [.cpace($0.share)] } ?? []
    if role == .connector { frames.append(.noise(try write())) }
    return frames
  }

  /// The peer's CPace share: derive the psk Noise mixes in.
  public mutating func receiveShare(_ share: [UInt8]) throws(HandshakeFailure) {
    guard let cpace, !peerShareReceived, noiseMessagesRead == 0 else {
      throw .unexpected("a CPACE frame \(cpace == nil ? "without a shared secret" : "out of order")")
    }
    peerShareReceived = true
    let key: [UInt8]
    do {
      key = try cpace.intermediateSessionKey(
        peerShare: share, peerAssociatedData: [], isInitiator: role == .connector)
    } catch {
      throw .authentication(
        local: "the peer's CPace share is invalid (a low-order point): not a genuine peer",
        remote: "auth failed: the peer's CPace share is invalid")
    }
    do {
      try noise.setPreSharedKey(Array(key.prefix(32)))
    } catch {
      throw .unexpected("a CPACE frame after the pre-shared key was needed")
    }
  }

  /// One Noise handshake message from the peer.
  public mutating func receiveNoise(_ message: [UInt8]) throws(HandshakeFailure) -> Step {
    if cpace != nil, !peerShareReceived {
      throw .unexpected("a NOISE frame before the peer's CPACE share")
    }
    let lastMessage = role == .listener && noiseMessagesRead == 1
    let payload: [UInt8]
    do {
      payload = try noise.readMessage(message)
    } catch .decryptionFailed where lastMessage && cpace != nil {
      throw .authentication(
        local: "the peer's handshake does not match: the shared secrets differ (or the handshake was altered)",
        remote: "auth failed: the shared secrets differ (or the handshake was altered)")
    } catch {
      throw Self.failure(error)
    }
    noiseMessagesRead += 1
    guard payload.isEmpty else {
      throw .frame(FrameError(.malformedFrame, "noise frame: a handshake payload must be empty"))
    }
    switch role {
    case .listener where noise.isComplete:
      return .complete([], try keys())
    case .listener:
      return .proceed([.noise(try write())])
    case .connector:
      let last = try write()
      return .complete([.noise(last)], try keys())
    }
  }

  private mutating func write() throws(HandshakeFailure) -> [UInt8] {
    do {
      return try noise.writeMessage(payload: [])
    } catch {
      throw Self.failure(error)
    }
  }

  private func keys() throws(HandshakeFailure) -> ChannelKeys {
    guard noise.isComplete, let peerKey = noise.remoteStaticKey else {
      throw .unexpected("a NOISE frame out of order")
    }
    do {
      let (initiatorToResponder, responderToInitiator) = try noise.split()
      let (sending, receiving) =
        role == .connector
        ? (initiatorToResponder, responderToInitiator) : (responderToInitiator, initiatorToResponder)
      return ChannelKeys(
        cipher: cipher, sending: sending, receiving: receiving, peerKey: peerKey,
        handshakeHash: noise.handshakeHash)
    } catch {
      throw Self.failure(error)
    }
  }

  private static func failure(_ error: NoiseError) -> HandshakeFailure {
    switch error {
    case .invalidKey:
      .frame(FrameError(.tampered, "the connection was tampered with: a handshake key is invalid (a low-order point)"))
    case .decryptionFailed:
      .frame(FrameError(.tampered, "the connection was tampered with: a handshake message did not authenticate"))
    case .malformedMessage(let detail):
      .frame(FrameError(.malformedFrame, "noise frame: \(detail)"))
    case .outOfOrder(let detail), .missingKey(let detail):
      .unexpected(detail)
    case .nonceExhausted:
      .frame(FrameError(.tampered, "the handshake ran out of nonces"))
    }
  }
}

/// Why a handshake step failed: what to tell the peer, and whether it is an auth failure.
public enum HandshakeFailure: Error, Sendable {
  /// The secrets differ or a share is invalid: the peer is told `remote`.
  case authentication(local: String, remote: String)
  /// A protocol error (tampering, a malformed or unexpected frame).
  case frame(FrameError)

  static func unexpected(_ what: String) -> HandshakeFailure {
    .frame(FrameError(.unexpectedFrame, "unexpected \(what)"))
  }
}

/// The channel's keys after the handshake, one direction each, and what the peer proved.
public struct ChannelKeys: Sendable {
  public var cipher: ChannelCipher
  /// This side's direction: seals what it sends.
  public var sending: NoiseCipherState
  /// The peer's direction: opens what it receives.
  public var receiving: NoiseCipherState
  /// The peer's static public key, which Noise proved it holds.
  public var peerKey: [UInt8]
  public var handshakeHash: [UInt8]
}
