import ChatProtocol

/// A connection as the transfer engine sees it: somewhere to send file frames, and whether
/// it takes more bulk data now. A ``SessionHandler`` is one.
protocol FileLink: AnyObject {
  /// Writes `frame` (sealed) and flushes it.
  func sendFile(_ frame: FileFrame)
  /// Whether both hellos listed `files`, and the largest FILE_CHUNK data it takes.
  var fileChunkLimit: Int? { get }
  /// Whether what was written has gone out, so a chunk now would not wait behind others
  /// (chat messages must never queue behind file data).
  var isKeepingUp: Bool { get }
}
