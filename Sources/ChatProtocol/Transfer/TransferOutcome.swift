/// How a transfer ended, on either side.
public enum TransferOutcome: Hashable, Sendable, CustomStringConvertible {
  /// Every byte arrived and the receiver's SHA-256 of the whole file matched the sender's
  /// (lowercase hex).
  case verified(sha256: String)
  /// It didn't complete; `reason` says why in words for the user.
  case failed(reason: String)
  /// The receiver said no (or the offer was refused by a limit).
  case rejected(reason: String)
  /// One side stopped it (`/cancel`, or the program quit).
  case cancelled(reason: String)

  public var description: String {
    switch self {
    case .verified(let sha256): "verified (SHA-256 \(sha256))"
    case .failed(let reason): "failed: \(reason)"
    case .rejected(let reason): "rejected: \(reason)"
    case .cancelled(let reason): "cancelled: \(reason)"
    }
  }

  /// Whether the file arrived whole and verified.
  public var isVerified: Bool {
    if case .verified = self { return true }
    return false
  }
}
