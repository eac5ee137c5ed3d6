public import ChatProtocol

/// What the room asks its shell to do, in order.
public enum RoomAction: Hashable, Sendable {
  /// Pass `text`, written by `sender`, to every participant (its sender included).
  /// `sequence` is the message's number in the room's single order.
  case broadcast(sender: String, text: String, sequence: UInt64)
  /// Tell participant `to` about the room.
  case announce(to: ParticipantID, RoomEvent)
  /// Tell every participant about the room, but `except`.
  case announceAll(RoomEvent, except: ParticipantID?)
  /// Tell participant `to` that its message numbered `number` (its own numbering) is not
  /// relayed, and why.
  case refuse(ParticipantID, number: UInt64, reason: String)
  /// Send `report` to the participant and hang up.
  case disconnect(ParticipantID, ErrorReport)
  /// A line for the relay's log (joins, leaves).
  case log(String)
  /// A defence acted (rate limit, flood, auth throttling): for the log and the host.
  case alert(String)
}
