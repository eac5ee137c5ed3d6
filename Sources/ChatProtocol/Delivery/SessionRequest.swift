/// A client's SESSION frame: start a new session, or resume one.
///
/// Sent by a connector whose peer listed the `resume` capability, right after its side of
/// the handshake (after its AUTH_PROOF when both offer auth). The listener acts on it only
/// once the connector's proof has verified, so only a peer that knows the shared secret
/// can resume a session.
///
/// ```
/// offset  size  field
///      0    16  session id to resume, or 16 zero bytes for a new session
///     16     8  last room message number this client received (UInt64), 0 if none
/// ```
public struct SessionRequest: Hashable, Sendable {
  public static let payloadLength = SessionID.length + 8

  public var sessionID: SessionID
  public var lastReceived: UInt64

  public init(sessionID: SessionID, lastReceived: UInt64) {
    self.sessionID = sessionID
    self.lastReceived = lastReceived
  }
}
