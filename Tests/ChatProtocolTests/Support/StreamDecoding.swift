import ChatProtocol
import NIOCore

/// Feeds `chunks` to a decoder one by one, as reads from a socket would arrive, the way
/// NIO's ByteToMessageHandler accumulates them; returns every frame decoded, or the error.
func decodeStream(
  _ chunks: [ArraySlice<UInt8>],
  maximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength
) -> Result<[Frame], FrameError> {
  var decoder = FrameDecoder(maximumPayloadLength: maximumPayloadLength)
  var buffer = ByteBuffer()
  var frames: [Frame] = []
  for chunk in chunks {
    buffer.writeBytes(chunk)
    do {
      while let frame = try decoder.decode(&buffer) { frames.append(frame) }
    } catch {
      return .failure(error)
    }
    buffer.discardReadBytes()
  }
  return .success(frames)
}

func encode(_ frames: [Frame]) -> [UInt8] {
  var buffer = ByteBuffer()
  for frame in frames { frame.encode(into: &buffer) }
  return Array(buffer.readableBytesView)
}
