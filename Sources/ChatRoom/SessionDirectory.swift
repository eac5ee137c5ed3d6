public import ChatProtocol
import DequeModule

/// The relay's sessions: which connection carries each, and for those whose connection
/// dropped, what is needed to resume them. Dropped sessions are kept for a while
/// (``keepFor``) and up to a number (``maximumParked``), oldest forgotten first.
public struct SessionDirectory: Sendable {
  public struct Record: Hashable, Sendable {
    /// The connection carrying the session, or nil while parked.
    public var participant: ParticipantID?
    /// The name the client gave in its hello when the session began.
    public var name: String
    /// The last message number received from the client in this session.
    public var lastReceived: UInt64
    /// The participant that last carried the session in the room (while parked, the one
    /// whose place may still be kept), and the name the room gave it.
    public var roomParticipant: ParticipantID?
    public var roomName: String?
    /// The room's last message number when the session began: what the room said before
    /// it is not the session's to replay.
    public var roomSequenceAtStart: UInt64 = 0
    var parkedAt: UInt64 = 0
  }

  /// How long a dropped session can be resumed, in nanoseconds.
  public let keepFor: UInt64
  public let maximumParked: Int
  public private(set) var records: [SessionID: Record] = [:]
  private var parkedOrder: Deque<(SessionID, UInt64)> = []

  public init(keepFor: UInt64 = 600_000_000_000, maximumParked: Int = 10_000) {
    self.keepFor = keepFor
    self.maximumParked = max(1, maximumParked)
  }

  public subscript(id: SessionID) -> Record? { records[id] }

  /// The session a client asks to resume, if there is one by that id begun under the
  /// same name: a member who learned another's session id can't take it over under their
  /// own name.
  public func resumable(_ id: SessionID, name: String) -> Record? {
    guard !id.isNone, let record = records[id], record.name == name else { return nil }
    return record
  }

  /// Connection `participant` now carries session `id` (new or resumed).
  /// A new session begins with the room at message `roomSequenceAtStart`; a resumed one
  /// keeps the number it began with.
  public mutating func attach(
    _ id: SessionID, to participant: ParticipantID, name: String, lastReceived: UInt64,
    roomSequenceAtStart: UInt64 = 0
  ) {
    let earlier = records[id]
    records[id] = Record(
      participant: participant, name: name, lastReceived: lastReceived, roomParticipant: earlier?.roomParticipant,
      roomName: earlier?.roomName, roomSequenceAtStart: earlier?.roomSequenceAtStart ?? roomSequenceAtStart)
  }

  /// Session `id` is in the room as `participant`, called `roomName`.
  public mutating func joined(_ id: SessionID, as participant: ParticipantID, roomName: String) {
    records[id]?.roomParticipant = participant
    records[id]?.roomName = roomName
  }

  /// Session `id`'s connection `participant` is gone; it can be resumed until it expires.
  /// Returns the sessions that expired to make room or with age, for whoever waits on them.
  public mutating func park(_ id: SessionID, from participant: ParticipantID, lastReceived: UInt64, now: UInt64)
    -> [SessionID]
  {
    guard let record = records[id], record.participant == participant else { return expire(now: now) }
    var parked = record
    parked.participant = nil
    parked.lastReceived = lastReceived
    parked.parkedAt = now
    records[id] = parked
    parkedOrder.append((id, now))
    return expire(now: now)
  }

  /// Forgets parked sessions past their time, and the oldest beyond the limit.
  public mutating func expire(now: UInt64) -> [SessionID] {
    var expired: [SessionID] = []
    while let (id, parkedAt) = parkedOrder.first,
      parkedOrder.count > maximumParked || now >= parkedAt + keepFor
    {
      parkedOrder.removeFirst()
      // Only if it is still parked from that moment (not resumed, not parked again since).
      if let record = records[id], record.participant == nil, record.parkedAt == parkedAt {
        records[id] = nil
        expired.append(id)
      }
    }
    return expired
  }
}
