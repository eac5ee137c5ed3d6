/// Names of optional protocol features announced in hellos.
public enum Capability {
  /// Room frames: ROOM_TEXT, ROOM_EVENT, WHO (see docs/PROTOCOL.md, "Rooms").
  public static let room = "room"
}
