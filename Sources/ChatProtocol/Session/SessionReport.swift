/// What the session machine tells the front end, through the shell that runs it.
public enum SessionReport: Hashable, Sendable {
  /// Both sides offer auth; proofs are being exchanged with this peer.
  case authenticating(PeerIdentity)
  /// The handshake is over: messages may flow.
  case established(PeerIdentity, AuthStatus)
  /// Which session this connection carries (peers with the `resume` capability).
  case sessionStarted(SessionID, SessionStart)
  /// Listener side: the connector asked for a new session or to resume one; the shell
  /// answers with ``SessionMachine/acceptSession(_:)``.
  case sessionRequested(SessionRequest, from: PeerIdentity)
  /// A chat message arrived, with its payload size and its size on the wire (header included).
  case messageReceived(TextMessage, from: String, textBytes: Int, wireBytes: Int)
  /// A chat message was handed to the transport in one frame.
  case messageSent(TextMessage, textBytes: Int, wireBytes: Int)
  /// A message sent before a connection dropped and not acknowledged, sent again after the
  /// session resumed.
  case messageResent(TextMessage, textBytes: Int, wireBytes: Int)
  /// A message kept until it can be sent (no connection yet), and why it waits.
  case messagePending(String, reason: String)
  /// The peer acknowledged these messages of ours (by sequence number, oldest first).
  case delivered([UInt64])
  /// One of ours that was sent but is not confirmed delivered: refused by the peer, or the
  /// session was lost before the peer acknowledged it.
  case notDelivered(TextMessage, reason: String)
  /// A message the user asked to send that was not sent, and why.
  case messageNotSent(String, reason: String)
  /// Listener side: the peer has received every room message up to this number.
  case peerAcknowledged(UInt64)
  /// The relay told us something about the room.
  case roomEvent(RoomEvent)
  /// The peer asked for the room's participant list.
  case whoRequested
  /// A file transfer's frame arrived (both hellos list `files`), with its size on the wire
  /// (header included). The transfer layer checks it against the transfer's state.
  case fileFrame(FileFrame, wireBytes: Int)
  /// A ping's answer came back after this many nanoseconds.
  case roundTrip(nanoseconds: UInt64)
  /// Nothing has arrived from the peer for this long, which is longer than it should be.
  case peerSilent(nanoseconds: UInt64)
  /// The peer is heard again after a ``peerSilent(nanoseconds:)`` report.
  case peerResponsive
  /// The session is over; no more reports follow but receipts for messages already sent.
  case ended(SessionEnd)
}

/// How a connection's session began.
public enum SessionStart: Hashable, Sendable {
  /// A new session; nothing to resume.
  case new
  /// The session of an earlier connection, resumed; `resent` messages went out again.
  case resumed(resent: Int)
  /// This side asked to resume, but the listener did not know the session (it restarted,
  /// or forgot it): this is a new session, and `unconfirmed` messages of the old one were
  /// never acknowledged.
  case replaced(unconfirmed: Int)
}
