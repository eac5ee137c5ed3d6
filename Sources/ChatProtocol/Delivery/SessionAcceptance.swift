/// The listener's SESSION_ACCEPT frame: which session this connection carries.
///
/// ```
/// offset  size  field
///      0    16  session id (the resumed one, or a fresh one)
///     16     1  flags: bit 0 = resumed (the id is the one asked for); other bits 0
///     17     8  last TEXT sequence number received from the client in this session (UInt64)
/// ```
///
/// A client that asked to resume and gets `resumed` = false is in a new session: the
/// listener restarted or forgot the old one. Its message numbers start again at 1.
public struct SessionAcceptance: Hashable, Sendable {
  public static let payloadLength = SessionID.length + 1 + 8
  static let resumedFlag: UInt8 = 1

  public var sessionID: SessionID
  public var resumed: Bool
  public var lastReceived: UInt64

  public init(sessionID: SessionID, resumed: Bool, lastReceived: UInt64) {
    self.sessionID = sessionID
    self.resumed = resumed
    self.lastReceived = lastReceived
  }
}
