public import ChatProtocol

/// What happened to a file transfer.
public enum FileTransferUpdate: Hashable, Sendable {
  /// Outgoing: the offer went out and waits for the receiver's answer.
  case offered
  /// Incoming: a peer offers a file; answer with `/accept` or `/reject` (or automatically,
  /// with `--accept-files`).
  case offerReceived
  /// The transfer runs: saving to `path` (incoming) or reading it (outgoing), carrying on
  /// after `resumedAt` bytes the receiver already had.
  case started(path: String, resumedAt: UInt64)
  /// `bytes` of the file have gone through; `bytesPerSecond` is a smoothed speed.
  case progress(bytes: UInt64, bytesPerSecond: Double)
  /// The connection dropped: the transfer carries on when the session resumes.
  case interrupted(reason: String)
  /// Over: verified, failed, rejected or cancelled; `path` is where the file is (incoming,
  /// verified: its final name; failed: the `.part` file kept, if any).
  case finished(TransferOutcome, path: String?)
}
