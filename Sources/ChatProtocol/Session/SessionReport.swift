/// What the session machine tells the front end, through the shell that runs it.
public enum SessionReport: Hashable, Sendable {
  /// Both sides offer auth; proofs are being exchanged with this peer.
  case authenticating(PeerIdentity)
  /// The handshake is over: messages may flow.
  case established(PeerIdentity, AuthStatus)
  /// A chat message arrived, with its payload size and its size on the wire (header included).
  case messageReceived(TextMessage, from: String, payloadBytes: Int, wireBytes: Int)
  /// A chat message was handed to the transport in one frame.
  case messageSent(TextMessage, payloadBytes: Int, wireBytes: Int)
  /// A message the user asked to send that was not sent, and why.
  case messageNotSent(String, reason: String)
  /// The relay told us something about the room.
  case roomEvent(RoomEvent)
  /// The peer asked for the room's participant list.
  case whoRequested
  /// A ping's answer came back after this many nanoseconds.
  case roundTrip(nanoseconds: UInt64)
  /// The session is over; no more reports follow.
  case ended(SessionEnd)
}
