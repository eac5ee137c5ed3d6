public import ChatProtocol
public import Crypto

/// Everything a listener or connector needs to run sessions, beyond where to connect.
public struct SessionOptions: Sendable {
  /// The display name announced in the hello.
  public var name: String
  /// The shared secret, or nil for an unauthenticated session.
  public var secret: ChatProtocol.SharedSecret?
  /// Largest frame payload accepted from the peer (`--max-frame`).
  public var maximumPayloadLength: Int
  /// How long hello and auth may take before the peer is dropped.
  public var handshakeTimeout: Duration
  /// How often to probe the peer (and measure the round-trip time) while connected.
  public var pingInterval: Duration
  /// How long the peer may be silent, pongs included, before it is declared dead.
  public var deadAfter: Duration
  /// Whether to offer receipts and resumable sessions (the `resume` capability).
  public var offersResume: Bool
  /// Bytes that may wait for a peer that does not read before it is dropped as too slow.
  public var maximumQueuedOutboundBytes: Int
  /// How long to wait for the peer to hang up after this side said bye or reported an error.
  public var lingerTimeout: Duration
  /// This installation's static identity key (Noise's `s`); a fresh one per process when
  /// none is given (tests, benchmarks).
  public var identity: Curve25519.KeyAgreement.PrivateKey
  /// Checks each peer's identity key against pinned keys (known_peers).
  public var peerKeyCheck: PeerKeyCheck
  /// Whether to offer AES-256-GCM (`aesgcm`): by default when the CPU has AES instructions.
  public var offersAESGCM: Bool
  /// Whether to offer file transfer (`files`), and what to do with files received.
  public var offersFiles: Bool
  public var transfers: TransferSettings

  public init(
    name: String,
    secret: ChatProtocol.SharedSecret? = nil,
    maximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength,
    handshakeTimeout: Duration = .seconds(10),
    pingInterval: Duration = .seconds(10),
    deadAfter: Duration = .seconds(30),
    offersResume: Bool = true,
    maximumQueuedOutboundBytes: Int = 8 << 20,
    lingerTimeout: Duration = .seconds(2),
    identity: Curve25519.KeyAgreement.PrivateKey = Curve25519.KeyAgreement.PrivateKey(),
    peerKeyCheck: PeerKeyCheck = .unpinned,
    offersAESGCM: Bool = CPUFeatures.hasAESInstructions,
    offersFiles: Bool = true,
    transfers: TransferSettings = TransferSettings()
  ) {
    self.name = name
    self.secret = secret
    self.maximumPayloadLength = maximumPayloadLength
    self.handshakeTimeout = handshakeTimeout
    self.pingInterval = pingInterval
    self.deadAfter = deadAfter
    self.offersResume = offersResume
    self.maximumQueuedOutboundBytes = maximumQueuedOutboundBytes
    self.lingerTimeout = lingerTimeout
    self.identity = identity
    self.peerKeyCheck = peerKeyCheck
    self.offersAESGCM = offersAESGCM
    self.offersFiles = offersFiles
    self.transfers = transfers
  }

  func machineConfiguration(role: Role, keepsUndelivered: Bool, inRoom: Bool = false) -> SessionMachine.Configuration {
    SessionMachine.Configuration(
      role: role,
      name: name,
      secret: secret,
      maximumPayloadLength: maximumPayloadLength,
      capabilities: (offersResume ? [Capability.room, Capability.resume] : [Capability.room])
        + (offersAESGCM ? [Capability.aesGCM] : []) + (offersFiles ? [Capability.files] : []),
      pingInterval: Quantities.nanoseconds(pingInterval),
      deadAfter: Quantities.nanoseconds(deadAfter),
      keepsUndelivered: keepsUndelivered,
      acknowledgesWhenRelayed: inRoom,
      identity: identity,
      peerKeyCheck: peerKeyCheck
    )
  }
}
