public import NIOCore

extension Frame {
  /// Appends this frame, header and payload, to `buffer` so it can go out in one write.
  ///
  /// Text fields longer than the wire allows are the caller's to refuse beforehand; see
  /// ``SessionMachine/send(text:)``.
  public func encode(into buffer: inout ByteBuffer) {
    buffer.reserveCapacity(minimumWritableBytes: wireLength)
    buffer.writeInteger(UInt32(payloadLength))
    buffer.writeInteger(type.rawValue)
    switch self {
    case .hello(let hello):
      buffer.writeInteger(hello.version)
      buffer.writeInteger(hello.flags)
      buffer.writeInteger(hello.maximumPayloadLength)
      buffer.writeBytes(hello.nonce)
      buffer.writeInteger(UInt8(hello.name.utf8.count))
      buffer.writeString(hello.name)
      buffer.writeInteger(UInt8(hello.capabilities.count))
      for capability in hello.capabilities {
        buffer.writeInteger(UInt8(capability.utf8.count))
        buffer.writeString(capability)
      }
    case .cpace(let bytes), .noise(let bytes):
      buffer.writeBytes(bytes)
    case .sealed(let record):
      buffer.writeImmutableBuffer(record)
    case .session(let request):
      buffer.writeBytes(request.sessionID.bytes)
      buffer.writeInteger(request.lastReceived)
    case .sessionAccept(let acceptance):
      buffer.writeBytes(acceptance.sessionID.bytes)
      buffer.writeInteger(acceptance.resumed ? SessionAcceptance.resumedFlag : 0)
      buffer.writeInteger(acceptance.lastReceived)
    case .ack(let sequence):
      buffer.writeInteger(sequence)
    case .refused(let refusal):
      buffer.writeInteger(refusal.sequence)
      buffer.writeString(refusal.reason)
    case .text(let message):
      buffer.writeInteger(message.sequence)
      buffer.writeString(message.text)
    case .roomText(let message):
      buffer.writeInteger(message.sequence)
      buffer.writeInteger(UInt8(message.sender.utf8.count))
      buffer.writeString(message.sender)
      buffer.writeString(message.text)
    case .roomEvent(let event):
      buffer.writeInteger(event.kind.rawValue)
      buffer.writeInteger(UInt16(clamping: event.participantCount))
      buffer.writeInteger(UInt8(event.name.utf8.count))
      buffer.writeString(event.name)
      buffer.writeString(event.detail)
    case .whoRequest:
      break
    case .ping(let value), .pong(let value):
      buffer.writeInteger(value)
    case .bye(let bye):
      buffer.writeInteger(bye.code.rawValue)
      buffer.writeString(bye.reason)
    case .error(let report):
      buffer.writeInteger(report.code.rawValue)
      buffer.writeString(report.message)
    case .file(let file):
      file.encodePayload(into: &buffer)
    }
  }

  /// The frame's bytes, header included, in a buffer of their own.
  public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
    var buffer = allocator.buffer(capacity: wireLength)
    encode(into: &buffer)
    return buffer
  }
}
