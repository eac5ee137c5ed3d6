/// "Send it, starting here": the receiver's yes to an offer (FILE_ACCEPT, `0x41`).
///
/// ```
/// offset  size  field
///      0    16  transfer id
///     16     8  offset (UInt64): bytes the receiver already has (resume); ≤ the offer's size
///     24     4  window (UInt32): the first credit, in bytes, ≥ 1
/// ```
public struct FileAccept: Hashable, Sendable {
  /// Bytes in a FILE_ACCEPT payload.
  public static let payloadLength = TransferID.length + 8 + 4

  /// The transfer accepted.
  public let id: TransferID
  /// Where the sender starts: the bytes the receiver already has from an earlier try. The
  /// frame's parser can't check it against the offer's size; the transfer does.
  public let offset: UInt64
  /// How many bytes the sender may send before it hears of more credit (FILE_CREDIT).
  public let window: UInt32

  /// - Precondition: `window` ≥ 1.
  public init(id: TransferID, offset: UInt64, window: UInt32) {
    precondition(window >= 1, "an accept grants at least one byte of credit")
    self.id = id
    self.offset = offset
    self.window = window
  }
}
