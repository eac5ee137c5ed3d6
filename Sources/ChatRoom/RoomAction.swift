public import ChatProtocol

/// What the room asks its shell to do, in order.
public enum RoomAction: Hashable, Sendable {
  /// Pass `text`, written by participant `from` (called `sender`), to every participant,
  /// its sender included. `sequence` is the message's number in the room's single order.
  case broadcast(from: ParticipantID, sender: String, text: String, sequence: UInt64)
  /// Tell participant `to` about the room.
  case announce(to: ParticipantID, RoomEvent)
  /// Tell every participant about the room, but those in `except`.
  case announceAll(RoomEvent, except: [ParticipantID])
  /// Stop reading from participant `id` for `nanoseconds`: it is over its rate. Its
  /// messages wait in its own socket (its writes slow down) rather than being refused.
  case pause(ParticipantID, nanoseconds: UInt64)
  /// A line for the relay's log (joins, leaves).
  case log(String)
  /// A defence acted (rate limit, flood, auth throttling): for the log and the host.
  case alert(String)
}
