public import NIOCore

/// Cuts a TCP byte stream into ``Frame`` values, however the bytes were split in transit.
///
/// Feed it the bytes received so far; it consumes one whole frame at a time and leaves a
/// partial frame in the buffer until the rest arrives. It checks the announced length
/// against ``maximumPayloadLength`` as soon as the header is in, so an oversize frame is
/// refused before any memory is set aside for it.
///
/// ```
/// bytes in:  | 00 00 00 0a 10 00 00 | 00 00 00 00 00 01 68 69 00 00 |
///                                          ...
/// frames out:  .text(seq 1, "hi")  once all 15 bytes have arrived
/// ```
///
/// After it throws, the stream is out of step: close the connection.
public struct FrameDecoder: Sendable {
  /// Largest payload accepted; a header announcing more is a ``ErrorCode/frameTooLarge`` error.
  public var maximumPayloadLength: Int
  private var decodedAnyFrame = false

  /// - Parameter recognisesForeignProtocols: whether to look for HTTP, TLS or SSH in the
  ///   first bytes (a connection's outer stream) or not (frames opened from a record).
  public init(
    maximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength, recognisesForeignProtocols: Bool = true
  ) {
    self.maximumPayloadLength = maximumPayloadLength
    self.decodedAnyFrame = !recognisesForeignProtocols
  }

  /// Removes and returns the next whole frame from `buffer`, or nil if more bytes are needed.
  public mutating func decode(_ buffer: inout ByteBuffer) throws(FrameError) -> Frame? {
    guard buffer.readableBytes >= FrameHeader.size else {
      if !decodedAnyFrame, let foreign = ForeignProtocol.recognise(buffer.readableBytesView) {
        throw FrameError(.notChatProtocol, foreign.explanation)
      }
      return nil
    }
    let start = buffer.readerIndex
    let length = Int(buffer.getInteger(at: start, as: UInt32.self)!)
    let typeByte = buffer.getInteger(at: start + 4, as: UInt8.self)!
    if !decodedAnyFrame, let foreign = ForeignProtocol.recognise(buffer.readableBytesView) {
      throw FrameError(.notChatProtocol, foreign.explanation)
    }
    guard let type = FrameType(rawValue: typeByte) else {
      throw FrameError(.unknownFrameType, "unknown frame type 0x\(hex(typeByte))")
    }
    guard length <= maximumPayloadLength else {
      throw FrameError(
        .frameTooLarge,
        "frame announces \(length) bytes of payload, more than the maximum of \(maximumPayloadLength)"
      )
    }
    guard buffer.readableBytes >= FrameHeader.size + length else { return nil }
    buffer.moveReaderIndex(forwardBy: FrameHeader.size)
    var payload = buffer.readSlice(length: length)!
    let frame = try PayloadParser(type: type, payload: payload).parse(&payload)
    decodedAnyFrame = true
    return frame
  }
}

func hex(_ byte: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}

/// Bytes in lowercase hex, two digits each: hashes, ids and keys as chat writes them.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
  bytes.map(hex).joined()
}
