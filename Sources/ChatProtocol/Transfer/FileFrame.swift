import NIOCore

/// One frame of a file transfer (types `0x40`–`0x47`, capability `files`; docs/PROTOCOL.md
/// §10). Carried in ``Frame/file(_:)``.
///
/// The order of a transfer: OFFER → (ACCEPT | REJECT) → CHUNK and CREDIT … → DONE → RESULT;
/// CANCEL from either side at any time before RESULT. A malformed file frame ends the session
/// like any malformed frame; a well-formed one that does not fit its transfer's state is that
/// transfer's error (the receiver sends CANCEL) and the session goes on.
public enum FileFrame: Hashable, Sendable {
  /// Sender → receiver: a file, its size and name (`0x40`).
  case offer(FileOffer)
  /// Receiver → sender: send it, from this offset, with this much credit (`0x41`).
  case accept(FileAccept)
  /// Receiver → sender: no, and why (may be empty) (`0x42`).
  case reject(TransferID, reason: String)
  /// Sender → receiver: bytes of the file (`0x43`).
  case chunk(FileChunk)
  /// Receiver → sender: this many more bytes may be sent, ≥ 1 (`0x44`).
  case credit(TransferID, bytes: UInt32)
  /// Sender → receiver: every byte is sent; the whole file's SHA-256, 32 bytes (`0x45`).
  case done(TransferID, sha256: [UInt8])
  /// Receiver → sender: how it ended, and why (`0x46`).
  case result(TransferID, FileResultStatus, reason: String)
  /// Either side: stop this transfer, and why (may be empty) (`0x47`).
  case cancel(TransferID, reason: String)

  /// Bytes of a SHA-256 in FILE_DONE.
  public static let hashLength = 32

  /// The transfer this frame belongs to.
  public var id: TransferID {
    switch self {
    case .offer(let offer): offer.id
    case .accept(let accept): accept.id
    case .chunk(let chunk): chunk.id
    case .reject(let id, _), .credit(let id, _), .done(let id, _), .result(let id, _, _), .cancel(let id, _): id
    }
  }

  /// The type byte of the frame carrying it.
  public var type: FrameType {
    switch self {
    case .offer: .fileOffer
    case .accept: .fileAccept
    case .reject: .fileReject
    case .chunk: .fileChunk
    case .credit: .fileCredit
    case .done: .fileDone
    case .result: .fileResult
    case .cancel: .fileCancel
    }
  }

  /// Bytes of payload, without the frame header.
  public var payloadLength: Int {
    switch self {
    case .offer(let offer): offer.payloadLength
    case .accept: FileAccept.payloadLength
    case .chunk(let chunk): chunk.payloadLength
    case .credit: TransferID.length + 4
    case .done(_, let hash): TransferID.length + hash.count
    case .result(_, _, let reason): TransferID.length + 1 + reason.utf8.count
    case .reject(_, let reason), .cancel(_, let reason): TransferID.length + reason.utf8.count
    }
  }

  /// Whether the peer's parser will take it: the checks the cases' own types can't make (an
  /// offer, an accept and a chunk check theirs when they are made).
  public var isWellFormed: Bool {
    switch self {
    case .done(_, let hash): hash.count == Self.hashLength
    case .credit(_, let bytes): bytes >= 1
    case .offer, .accept, .reject, .chunk, .result, .cancel: true
    }
  }

  /// Appends the payload (not the header) to `buffer`.
  func encodePayload(into buffer: inout ByteBuffer) {
    buffer.writeBytes(id.bytes)
    switch self {
    case .offer(let offer):
      buffer.writeInteger(offer.size)
      buffer.writeBytes(offer.resumeKey)
      buffer.writeInteger(UInt8(offer.peer.utf8.count))
      buffer.writeString(offer.peer)
      buffer.writeString(offer.name)
    case .accept(let accept):
      buffer.writeInteger(accept.offset)
      buffer.writeInteger(accept.window)
    case .chunk(let chunk):
      buffer.writeInteger(chunk.offset)
      buffer.writeImmutableBuffer(chunk.data)
    case .credit(_, let bytes):
      buffer.writeInteger(bytes)
    case .done(_, let hash):
      buffer.writeBytes(hash)
    case .result(_, let status, let reason):
      buffer.writeInteger(status.rawValue)
      buffer.writeString(reason)
    case .reject(_, let reason), .cancel(_, let reason):
      buffer.writeString(reason)
    }
  }
}
