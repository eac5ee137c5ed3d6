/// What a peer said about itself in its hello, and what its handshake proved.
public struct PeerIdentity: Hashable, Sendable {
  public var name: String
  public var capabilities: [String]
  /// The largest text payload the peer accepts; messages above it are refused before sending.
  public var maximumPayloadLength: Int
  /// What the encrypted channel established: cipher, secret, the peer's identity key and
  /// its trust. Nil until the handshake is done.
  public var security: ChannelSecurity?

  public init(
    name: String, capabilities: [String] = [], maximumPayloadLength: Int, security: ChannelSecurity? = nil
  ) {
    self.name = name
    self.capabilities = capabilities
    self.maximumPayloadLength = maximumPayloadLength
    self.security = security
  }
}
