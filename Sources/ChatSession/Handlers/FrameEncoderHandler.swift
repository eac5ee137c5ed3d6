import ChatProtocol
import NIOCore

/// Encodes each outgoing ``Frame`` into one buffer, header and payload together, so that a
/// message never leaves as two small TCP segments.
struct FrameEncoderHandler: MessageToByteEncoder {
  typealias OutboundIn = Frame

  func encode(data: Frame, out: inout ByteBuffer) {
    data.encode(into: &out)
  }
}
