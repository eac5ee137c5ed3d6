/// Names of optional protocol features announced in hellos.
public enum Capability {
  /// Room frames: ROOM_TEXT, ROOM_EVENT, WHO (see docs/PROTOCOL.md, "Rooms").
  public static let room = "room"
  /// Delivery receipts and resumable sessions: SESSION, SESSION_ACCEPT, ACK, REFUSED (see
  /// docs/PROTOCOL.md, "Delivery and resume").
  public static let resume = "resume"
  /// File transfer: FILE_OFFER … FILE_CANCEL (see docs/PROTOCOL.md, "File transfer").
  public static let files = "files"
}

extension Capability {
  /// "This side would rather seal records with AES-256-GCM" (its CPU has AES
  /// instructions): used when both hellos list it (docs/PROTOCOL.md §3, "Cipher").
  public static let aesGCM = "aesgcm"
}
