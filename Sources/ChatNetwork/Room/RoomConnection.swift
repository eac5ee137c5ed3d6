import ChatProtocol
import NIOCore

/// What the room asks of a member's connection: a chat session (``SessionHandler``) or a
/// plain line client (``LineClientHandler``). Both report to the room with the same
/// ``SessionReport``s, so joins, rates, pacing, leaves and the too-slow drop are one path.
protocol RoomConnection: AnyObject {
  /// Passes on a room message to a member without room frames (written, not flushed).
  func relay(_ text: String, from sender: String)
  /// Tells the member about the room (written, not flushed).
  func announce(_ event: RoomEvent)
  /// Writes room frames the room encoded once for all members that take them.
  func writeBroadcast(_ bytes: ByteBuffer)
  /// Whether writes are waiting for ``flushPending()``.
  var hasUnflushedWrites: Bool { get }
  /// Set by the room while the connection is on its list for the next flush pass.
  var queuedForFlush: Bool { get set }
  func flushPending()
  /// Reports `report` to the member and hangs up.
  func abort(_ report: ErrorReport)
  /// Answers a SESSION frame (chat sessions only).
  func acceptSession(_ acceptance: SessionAcceptance)
  /// The room passed on the member's messages up to `sequence`.
  func relayed(through sequence: UInt64)
  /// Confirms what the room relayed outside a read batch.
  func acknowledgeRelayed()
  /// Stops reading from the member (pacing), or reads again.
  func setReading(_ reading: Bool)
  /// The largest frame payload the member accepts.
  var peerMaximumPayloadLength: Int { get }
  /// Whether the member takes what is written without anything waiting in its queue.
  var isKeepingUp: Bool { get }
  /// Whether the member sends and expects receipts.
  var usesReceipts: Bool { get }
  /// Whether the member takes room frames (ROOM_TEXT and the rest).
  var supportsRoom: Bool { get }
  /// The last of the member's messages the room has passed on.
  var lastRelayedSequence: UInt64 { get }
  /// Says goodbye and hangs up.
  func close(_ goodbye: Goodbye)
  /// Called when the member has taken everything queued for it.
  var whenDrained: (() -> Void)? { get set }
}

extension SessionHandler: RoomConnection {}

extension SessionHandler: FileLink {}
