/// How a transfer ended on the receiver's side, in FILE_RESULT (`0x46`).
public enum FileResultStatus: UInt8, Hashable, Sendable, CaseIterable {
  /// Every byte arrived and the file's SHA-256 matches the sender's: it is in place.
  case verified = 0
  /// The bytes arrived but their SHA-256 differs from the sender's; the `.part` file stays.
  case hashMismatch = 1
  /// The receiver could not finish (a write failed, the disk is full…); the reason says why.
  case failed = 2
}
