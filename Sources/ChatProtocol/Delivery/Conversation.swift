public import DequeModule

/// What one side of a session keeps across connections so that nothing typed is lost:
/// the session's id, the message numbers in both directions, the messages sent but not
/// yet acknowledged and the messages typed while there was no connection.
///
/// A ``SessionMachine`` runs one connection; a connector hands the machine of each new
/// connection the conversation the previous one left behind (``SessionMachine/conversation``).
public struct Conversation: Hashable, Sendable {
  /// The most messages kept waiting for a connection; more are refused with a reason.
  public static let maximumQueued = 10_000

  /// The session this side belongs to; ``SessionID/none`` until a listener assigned one.
  public internal(set) var sessionID = SessionID.none
  /// The number given to our last TEXT message in this session.
  public internal(set) var lastSentSequence: UInt64 = 0
  /// Our messages sent in this session and not yet acknowledged, oldest first.
  public internal(set) var unacknowledged: Deque<TextMessage> = []
  /// Our messages not yet sent: typed while disconnected or during the handshake.
  public internal(set) var queued: Deque<String> = []
  /// The peer's last TEXT number received in this session.
  public internal(set) var lastReceivedSequence: UInt64 = 0
  /// The last room message number received (ROOM_TEXT).
  public internal(set) var lastRoomSequence: UInt64 = 0

  public init() {}

  /// Keeps `text` to send once a connection is up. Returns a report for the front end: the
  /// message is pending, or it is refused because too many are waiting.
  public mutating func queue(_ text: String, reason: String) -> SessionReport {
    guard !text.isEmpty else { return .messageNotSent(text, reason: "empty message") }
    guard queued.count < Self.maximumQueued else {
      return .messageNotSent(text, reason: "\(Self.maximumQueued) messages are already waiting for the connection")
    }
    queued.append(text)
    return .messagePending(text, reason: reason)
  }

  /// Gives up on the session: every message not yet sent is reported not sent, and every
  /// message not acknowledged is reported not confirmed, both with `reason`.
  public mutating func abandon(reason: String) -> [SessionReport] {
    var reports: [SessionReport] = unacknowledged.map { .notDelivered($0, reason: reason) }
    reports += queued.map { .messageNotSent($0, reason: reason) }
    unacknowledged.removeAll()
    queued.removeAll()
    return reports
  }

  /// Starts a new session with `id`: numbering starts again in both directions. Messages
  /// of the old session that were never acknowledged are returned (their fate is unknown).
  mutating func startOver(with id: SessionID) -> [TextMessage] {
    let lost = Array(unacknowledged)
    unacknowledged.removeAll()
    sessionID = id
    lastSentSequence = 0
    lastReceivedSequence = 0
    lastRoomSequence = 0
    return lost
  }

  /// Removes the messages the peer acknowledged (numbers up to `sequence`) and returns
  /// their numbers, oldest first.
  mutating func acknowledge(through sequence: UInt64) -> [UInt64] {
    var confirmed: [UInt64] = []
    while let message = unacknowledged.first, message.sequence <= sequence {
      confirmed.append(message.sequence)
      unacknowledged.removeFirst()
    }
    return confirmed
  }

  /// Removes message `sequence` from the unacknowledged ones and returns it.
  mutating func remove(_ sequence: UInt64) -> TextMessage? {
    guard let index = unacknowledged.firstIndex(where: { $0.sequence == sequence }) else { return nil }
    return unacknowledged.remove(at: index)
  }
}
