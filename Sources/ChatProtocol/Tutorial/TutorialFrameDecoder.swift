public import NIOCore

/// Cuts a byte stream into the tutorials' frames: a 4-byte `struct.pack('i', n)` length,
/// then `n` bytes of text, however the bytes were split or merged in transit.
///
/// ```
/// bytes in:  | 06 00 00 00 e4 bd | a0 e5 a5 bd 02 00 00 00 68 69 |
/// frames out:                      "你好" (6 bytes), "hi" (2 bytes)
/// ```
///
/// `struct.pack('i')` writes a C `int` in the machine's native byte order; every machine
/// the tutorials ran on (x86-64, ARM64) is little-endian, so this reads little-endian
/// explicitly, whatever the machine chat runs on. The length is signed: a negative one, or
/// one above ``maximumPayloadLength``, is refused as soon as the four header bytes are in,
/// before any memory is set aside for the payload. After a refusal the stream is out of
/// step: close the connection.
public struct TutorialFrameDecoder: Sendable {
  /// Bytes in a header: `struct.calcsize('i')`.
  public static let headerSize = 4

  /// Largest payload accepted (`--max-frame`).
  public var maximumPayloadLength: Int

  /// A decoder that refuses any frame longer than `maximumPayloadLength` bytes.
  public init(maximumPayloadLength: Int) {
    self.maximumPayloadLength = maximumPayloadLength
  }

  /// Removes and returns the next whole frame's payload from `buffer`, or nil while more
  /// bytes are needed (a partial frame stays in the buffer).
  public func decode(_ buffer: inout ByteBuffer) throws(TutorialFrameError) -> [UInt8]? {
    guard let length = try announcedLength(in: buffer) else { return nil }
    guard buffer.readableBytes >= Self.headerSize + length else { return nil }
    buffer.moveReaderIndex(forwardBy: Self.headerSize)
    return buffer.readBytes(length: length)
  }

  /// The payload length the header at the front of `buffer` announces, once all four
  /// bytes are in; throws when it can't be accepted.
  public func announcedLength(in buffer: ByteBuffer) throws(TutorialFrameError) -> Int? {
    guard buffer.readableBytes >= Self.headerSize else { return nil }
    let header = buffer.getBytes(at: buffer.readerIndex, length: Self.headerSize)!
    let length = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: Int32.self)!
    if length < 0 { throw .negativeLength(length, header: header) }
    guard Int(length) <= maximumPayloadLength else {
      throw .tooLarge(Int(length), limit: maximumPayloadLength, header: header)
    }
    return Int(length)
  }

  /// The header `struct.pack('i', length)` writes on a little-endian machine.
  public static func header(length: Int) -> [UInt8] {
    precondition(length >= 0 && length <= Int(Int32.max), "a tutorial frame holds at most 2^31-1 bytes")
    let value = UInt32(length)
    return [UInt8(value & 0xff), UInt8((value >> 8) & 0xff), UInt8((value >> 16) & 0xff), UInt8(value >> 24)]
  }
}
