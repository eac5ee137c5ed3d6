/// What a peer said about itself in its hello.
public struct PeerIdentity: Hashable, Sendable {
  public var name: String
  public var capabilities: [String]
  /// The largest text payload the peer accepts; messages above it are refused before sending.
  public var maximumPayloadLength: Int

  public init(name: String, capabilities: [String] = [], maximumPayloadLength: Int) {
    self.name = name
    self.capabilities = capabilities
    self.maximumPayloadLength = maximumPayloadLength
  }
}
