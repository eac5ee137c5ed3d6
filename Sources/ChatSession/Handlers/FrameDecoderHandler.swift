import ChatProtocol
import NIOCore

/// Adapts the pure ``FrameDecoder`` to NIO's `ByteToMessageHandler`.
struct FrameDecoderHandler: ByteToMessageDecoder {
  typealias InboundOut = Frame

  private var decoder: FrameDecoder

  init(maximumPayloadLength: Int) {
    decoder = FrameDecoder(maximumPayloadLength: maximumPayloadLength)
  }

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
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
      throw FrameError(
        .malformedFrame,
        "the connection closed in the middle of a frame (\(partial) bytes of it had arrived)"
      )
    }
    return .needMoreData
  }
}
