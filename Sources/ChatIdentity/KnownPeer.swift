/// One pinned key: the peer (by address or name) and the static public key it presented.
public struct KnownPeer: Sendable, Hashable {
  /// Whether `subject` is an address this side dialled or a name a peer connected with.
  public var kind: PinKind
  /// The address or name; everything after the fourth space of its known_peers line, so it
  /// may contain spaces but never control characters.
  public var subject: String
  /// The peer's 32-byte X25519 static public key.
  public var publicKey: [UInt8]
  /// True once the safety number was compared (by voice) and confirmed.
  public var verified: Bool

  /// A pin as given; `KnownPeers.pin` is what checks the subject and the key.
  public init(kind: PinKind, subject: String, publicKey: [UInt8], verified: Bool) {
    self.kind = kind
    self.subject = subject
    self.publicKey = publicKey
    self.verified = verified
  }
}
