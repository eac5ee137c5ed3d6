import NIOCore

/// The bytes both sides feed Noise as its prologue: both hellos exactly as sent, so a hello
/// changed in transit (a capability stripped, another cipher forced) breaks the handshake.
///
/// ```
/// prologue = "chat/2 prologue" || u32(len(Hc)) || Hc || u32(len(Hl)) || Hl
/// ```
enum HandshakePrologue {
  static let label = Array("chat/2 prologue".utf8)

  static func bytes(connectorHello: Hello, listenerHello: Hello) -> [UInt8] {
    var buffer = ByteBuffer(bytes: label)
    for hello in [connectorHello, listenerHello] {
      let encoded = Frame.hello(hello).encoded()
      let payload = encoded.getSlice(at: FrameHeader.size, length: encoded.readableBytes - FrameHeader.size)!
      buffer.writeInteger(UInt32(payload.readableBytes))
      buffer.writeImmutableBuffer(payload)
    }
    return Array(buffer.readableBytesView)
  }
}
