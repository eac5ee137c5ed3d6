import NIOCore

/// The file transfer's frames (`0x40`–`0x47`, docs/PROTOCOL.md §10). Every length is
/// checked here; what only the transfer's state can tell (an offset past the size, a chunk
/// beyond the credit) is the transfer's to check.
extension PayloadParser {
  func parseFileOffer(_ payload: inout ByteBuffer) throws(FrameError) -> FileOffer {
    try expectLength(
      atLeast: FileOffer.fixedLength + 1,
      "an id, a size, a resume key, a peer name length and at least one byte of file name")
    let id = readTransferID(&payload)
    let size = payload.readInteger(as: UInt64.self)!
    let resumeKey = payload.readBytes(length: FileOffer.resumeKeyLength)!
    let peerLength = Int(payload.readInteger(as: UInt8.self)!)
    guard peerLength <= FileOffer.maximumPeerLength else {
      throw malformed("peer name length \(peerLength) is more than \(FileOffer.maximumPeerLength)")
    }
    guard payload.readableBytes > peerLength else {
      throw malformed("the frame ends inside the peer name, or there is no file name after it")
    }
    let peer = try readUTF8(&payload, length: peerLength, field: "peer name")
    let nameLength = payload.readableBytes
    guard nameLength <= FileOffer.maximumNameLength else {
      throw malformed("the file name is \(nameLength) bytes, more than \(FileOffer.maximumNameLength)")
    }
    let name = try readUTF8(&payload, length: nameLength, field: "file name")
    return FileOffer(id: id, size: size, resumeKey: resumeKey, peer: peer, name: name)
  }

  func parseFileAccept(_ payload: inout ByteBuffer) throws(FrameError) -> FileAccept {
    try expectLength(exactly: FileAccept.payloadLength)
    let id = readTransferID(&payload)
    let offset = payload.readInteger(as: UInt64.self)!
    let window = payload.readInteger(as: UInt32.self)!
    guard window >= 1 else { throw malformed("the window is 0; an accept grants at least 1 byte") }
    return FileAccept(id: id, offset: offset, window: window)
  }

  func parseFileChunk(_ payload: inout ByteBuffer) throws(FrameError) -> FileChunk {
    try expectLength(atLeast: FileChunk.headerLength + 1, "an id, an offset and at least one byte of data")
    let id = readTransferID(&payload)
    let offset = payload.readInteger(as: UInt64.self)!
    return FileChunk(id: id, offset: offset, data: payload.readSlice(length: payload.readableBytes)!)
  }

  func parseFileCredit(_ payload: inout ByteBuffer) throws(FrameError) -> FileFrame {
    try expectLength(exactly: TransferID.length + 4)
    let id = readTransferID(&payload)
    let bytes = payload.readInteger(as: UInt32.self)!
    guard bytes >= 1 else { throw malformed("a credit of 0 bytes; it grants at least 1") }
    return .credit(id, bytes: bytes)
  }

  func parseFileDone(_ payload: inout ByteBuffer) throws(FrameError) -> FileFrame {
    try expectLength(exactly: TransferID.length + FileFrame.hashLength)
    let id = readTransferID(&payload)
    return .done(id, sha256: payload.readBytes(length: FileFrame.hashLength)!)
  }

  func parseFileResult(_ payload: inout ByteBuffer) throws(FrameError) -> FileFrame {
    try expectLength(atLeast: TransferID.length + 1, "an id and a status")
    let id = readTransferID(&payload)
    let statusByte = payload.readInteger(as: UInt8.self)!
    guard let status = FileResultStatus(rawValue: statusByte) else {
      throw malformed("unknown result status \(statusByte)")
    }
    let reason = try readUTF8(&payload, length: payload.readableBytes, field: "reason")
    return .result(id, status, reason: reason)
  }

  /// FILE_REJECT and FILE_CANCEL: an id and a reason, which may be empty.
  func parseFileReason(
    _ payload: inout ByteBuffer, _ make: (TransferID, String) -> FileFrame
  ) throws(FrameError) -> FileFrame {
    try expectLength(atLeast: TransferID.length, "a 16-byte transfer id")
    let id = readTransferID(&payload)
    let reason = try readUTF8(&payload, length: payload.readableBytes, field: "reason")
    return make(id, reason)
  }

  /// The 16-byte id every file frame starts with (the caller checked the length).
  private func readTransferID(_ payload: inout ByteBuffer) -> TransferID {
    TransferID(uncheckedBytes: payload.readBytes(length: TransferID.length)!)
  }
}
