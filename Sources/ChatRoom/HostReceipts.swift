public import ChatProtocol

/// Which of the host's messages every member has received.
///
/// A host message is delivered once each member that was in the room when it was sent,
/// and that sends receipts, has acknowledged it (or has left for good after some other
/// member did). Members are named by session, so a member who resumes still counts.
public struct HostReceipts: Sendable {
  private struct Pending: Sendable {
    var message: TextMessage
    var waitingFor: Set<SessionID>
    var confirmedBy = 0
    /// Members that came back after it was no longer kept: they never got it.
    var missedBy = 0
  }

  private var pending: [Pending] = []

  public init() {}

  /// How many host messages wait for receipts.
  public var count: Int { pending.count }

  /// The host sent `message` while the sessions `members` were in the room and could take
  /// it (`others` members could, `tooLargeFor` more were skipped for its size). Returns a
  /// report at once when nobody can confirm it.
  public mutating func sent(
    _ message: TextMessage, to members: Set<SessionID>, others: Int, tooLargeFor: Int = 0
  ) -> SessionReport? {
    guard !members.isEmpty else {
      let reason =
        if others > 0 {
          "no one in the room sends receipts (their programs are older)"
        } else if tooLargeFor > 0 {
          "it is larger than anyone in the room accepts"
        } else {
          "no one else is in the room"
        }
      return .notDelivered(message, reason: reason)
    }
    pending.append(Pending(message: message, waitingFor: members))
    return nil
  }

  /// Session `member` has every room message up to `sequence`.
  public mutating func acknowledged(by member: SessionID, through sequence: UInt64) -> [SessionReport] {
    for index in pending.indices where pending[index].message.sequence <= sequence {
      if pending[index].waitingFor.remove(member) != nil { pending[index].confirmedBy += 1 }
    }
    return settle()
  }

  /// Session `member` resumed after the room's messages up to `sequence` were no longer
  /// kept: it never got those, and its later receipts must not count for them.
  public mutating func missed(by member: SessionID, through sequence: UInt64) -> [SessionReport] {
    for index in pending.indices where pending[index].message.sequence <= sequence {
      if pending[index].waitingFor.remove(member) != nil { pending[index].missedBy += 1 }
    }
    return settle()
  }

  /// Session `member` is gone for good: nobody waits for it any more.
  public mutating func forget(_ member: SessionID) -> [SessionReport] {
    for index in pending.indices {
      pending[index].waitingFor.remove(member)
    }
    return settle()
  }

  private mutating func settle() -> [SessionReport] {
    var delivered: [UInt64] = []
    var reports: [SessionReport] = []
    pending.removeAll { entry in
      guard entry.waitingFor.isEmpty else { return false }
      if entry.confirmedBy > 0 {
        delivered.append(entry.message.sequence)
      } else if entry.missedBy > 0 {
        reports.append(
          .notDelivered(entry.message, reason: "it was no longer kept when the members it was for came back"))
      } else {
        reports.append(.notDelivered(entry.message, reason: "everyone it was for left before receiving it"))
      }
      return true
    }
    if !delivered.isEmpty { reports.insert(.delivered(delivered), at: 0) }
    return reports
  }
}
