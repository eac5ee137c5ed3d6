/// Names of optional protocol features announced in hellos.
public enum Capability {
  /// Room frames: ROOM_TEXT, ROOM_EVENT, WHO (see docs/PROTOCOL.md, "Rooms").
  public static let room = "room"
  /// Delivery receipts and resumable sessions: SESSION, SESSION_ACCEPT, ACK, REFUSED (see
  /// docs/PROTOCOL.md, "Delivery and resume").
  public static let resume = "resume"
}
