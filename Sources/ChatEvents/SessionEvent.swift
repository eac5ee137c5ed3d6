public import ChatProtocol

/// Everything a front end learns from the session layer, in order, on one stream.
///
/// Front ends never touch sockets: they read these and call ``ChatEndpoint`` methods.
public enum SessionEvent: Hashable, Sendable {
  /// The listener is bound and waiting for a peer.
  case listening(address: String)
  /// A one-to-one listener (`--framing tutorial`) is bound and waits for one peer at a
  /// time; `auth` is what each peer will have to pass.
  case listeningOneToOne(address: String, auth: AuthStatus)
  /// A connection attempt has begun.
  case connecting(to: String)
  /// TCP is up; the hello exchange begins.
  case connected(to: String)
  /// The peer's hello arrived and both sides are proving the shared secret.
  case authenticating(peer: String)
  /// The handshake finished: messages flow.
  case established(peer: PeerIdentity, auth: AuthStatus, address: String)
  /// A message from the peer with its payload size and wire size (header included).
  case messageReceived(from: String, message: TextMessage, textBytes: Int, wireBytes: Int)
  /// One of ours, handed to the transport, with the same counts.
  case messageSent(message: TextMessage, textBytes: Int, wireBytes: Int)
  /// One of ours, sent as one UDP datagram (`chat --udp`). UDP gives no receipt, so it is
  /// settled as sent and never marked delivered.
  case datagramSent(message: TextMessage, textBytes: Int, wireBytes: Int)
  /// What UDP did to one peer's datagrams so far, as this side counts them; sent when the
  /// counts change, at most a few times a second.
  case datagramStats(peer: String, counts: DatagramCounts)
  /// One of ours, sent again after the session resumed (it was not acknowledged before the
  /// connection dropped).
  case messageResent(message: TextMessage, textBytes: Int, wireBytes: Int)
  /// One of ours, kept until it can be sent (no connection yet), and why it waits.
  case messagePending(text: String, reason: String)
  /// The peer acknowledged these messages of ours, by sequence number (in a room: the
  /// relay has them in the room's order; for the host: every member present has them).
  case delivered(sequences: [UInt64])
  /// These messages of ours were written to the connection, and nothing more will ever be
  /// known of them: the tutorials' framing has no receipts. Settles them as far as they
  /// can be.
  case written(sequences: [UInt64])
  /// One of ours that was sent but is not confirmed delivered, and why.
  case notDelivered(message: TextMessage, reason: String)
  /// One of ours that was not sent, and why; nothing is dropped silently.
  case messageNotSent(text: String, reason: String)
  /// Which session the connection carries: new, resumed, or new because the listener no
  /// longer knew the old one.
  case session(id: String, start: SessionStart)
  /// Nothing has arrived from the peer for this long (more than it should be).
  case peerSilent(nanoseconds: UInt64)
  /// The peer is heard again after ``peerSilent(nanoseconds:)``.
  case peerResponsive
  /// The connection failed or dropped (`reason`); attempt number `attempt` starts after
  /// `delay` nanoseconds.
  case reconnecting(attempt: Int, delay: UInt64, reason: String)
  /// A measured round trip.
  case roundTrip(nanoseconds: UInt64)
  /// Hosting a room: a member joined (or came back) over a channel that proved this key;
  /// `pinnedAs` is the name in its hello, under which the key is pinned (`name` is its name
  /// in the room, which may carry a suffix).
  case memberKey(name: String, pinnedAs: String, security: ChannelSecurity)
  /// The conversation with the peer at `address` is over.
  case disconnected(address: String, end: SessionEnd)
  /// A listener turned away a connection, and why (for example busy).
  case refused(address: String, reason: String)
  /// Something happened in the room: a join, a leave, your name, a /who line, a notice.
  case room(RoomEvent)
  /// A file transfer's news: an offer, its start, progress (a few times a second at most),
  /// an interruption, its end.
  case file(FileTransferInfo, FileTransferUpdate)
  /// A line of the relay's log: a defence acted, a client was turned away.
  case log(String)
  /// Something the user should know that changes nothing (for example no secret set).
  case warning(String)
  /// The endpoint itself failed (bind, connect, name lookup); the stream ends after it.
  case failed(String)
}
