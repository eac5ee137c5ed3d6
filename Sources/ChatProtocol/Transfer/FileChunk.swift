public import NIOCore

/// Bytes of a file at an offset (FILE_CHUNK, `0x43`).
///
/// ```
/// offset  size  field
///      0    16  transfer id
///     16     8  offset (UInt64) of the first byte in the file
///     24     n  data, the rest of the payload, n ≥ 1
/// ```
///
/// The sender sends chunks in order, within the credit it was granted; a chunk at another
/// offset, past the size or beyond the credit is an error for that transfer.
public struct FileChunk: Hashable, Sendable {
  /// Payload bytes before the data: id and offset.
  public static let headerLength = TransferID.length + 8

  /// The transfer the bytes belong to.
  public let id: TransferID
  /// Where ``data`` starts in the file.
  public let offset: UInt64
  /// The file's bytes (its readable bytes), at least one.
  public let data: ByteBuffer

  /// - Precondition: `data` has at least one readable byte.
  public init(id: TransferID, offset: UInt64, data: ByteBuffer) {
    precondition(data.readableBytes >= 1, "a chunk carries at least one byte")
    self.id = id
    self.offset = offset
    self.data = data
  }

  /// Payload bytes of the FILE_CHUNK frame carrying this chunk.
  var payloadLength: Int { Self.headerLength + data.readableBytes }
}
