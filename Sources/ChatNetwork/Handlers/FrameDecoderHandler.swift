import ChatProtocol
import NIOCore

/// Adapts the pure ``FrameDecoder`` to NIO's `ByteToMessageHandler`.
struct FrameDecoderHandler: ByteToMessageDecoder {
  typealias InboundOut = Frame

  private var decoder: FrameDecoder
  private let limit: FrameLimit

  /// - Parameter limit: the largest payload accepted, read before each frame: the session
  ///   handler raises it once the handshake is done.
  init(limit: FrameLimit) {
    self.limit = limit
    decoder = FrameDecoder(maximumPayloadLength: limit.maximumPayloadLength)
  }

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
    decoder.maximumPayloadLength = limit.maximumPayloadLength
    guard let frame = try decoder.decode(&buffer) else { return .needMoreData }
    context.fireChannelRead(wrapInboundOut(frame))
    return .continue
  }

  mutating func decodeLast(
    context: ChannelHandlerContext,
    buffer: inout ByteBuffer,
    seenEOF: Bool
  ) throws -> DecodingState {
    while try decode(context: context, buffer: &buffer) == .continue {}
    if seenEOF, buffer.readableBytes > 0 {
      let partial = buffer.readableBytes
      buffer.clear()
      // A cut connection, not a protocol error: the peer may well resume.
      throw TruncatedFrame(bytes: partial)
    }
    return .needMoreData
  }
}

/// The connection closed with part of a frame received.
struct TruncatedFrame: Error, CustomStringConvertible {
  var bytes: Int
  var description: String { "the connection closed in the middle of a frame (\(bytes) bytes of it had arrived)" }
}

/// The largest frame payload a connection accepts at the moment, shared by its decoder and
/// its session handler on the channel's event loop (SessionMachine/acceptedPayloadLength).
final class FrameLimit {
  var maximumPayloadLength: Int

  init(_ maximumPayloadLength: Int) {
    self.maximumPayloadLength = maximumPayloadLength
  }
}
