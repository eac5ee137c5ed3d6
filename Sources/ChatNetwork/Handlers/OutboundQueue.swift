import NIOCore

/// Encoded frames waiting for a peer that is not reading, bounded in bytes so a stalled
/// peer can't make memory grow without end.
struct OutboundQueue {
  let limit: Int
  private(set) var bytes = 0
  private var buffers = CircularBuffer<ByteBuffer>()

  init(limit: Int) {
    self.limit = limit
  }

  var isEmpty: Bool { buffers.isEmpty }

  /// Queues `buffer`; returns false (and queues nothing) when it would pass the limit.
  mutating func append(_ buffer: ByteBuffer) -> Bool {
    let size = buffer.readableBytes
    guard bytes + size <= limit else { return false }
    bytes += size
    buffers.append(buffer)
    return true
  }

  mutating func popFirst() -> ByteBuffer? {
    guard let buffer = buffers.popFirst() else { return nil }
    bytes -= buffer.readableBytes
    return buffer
  }

  mutating func removeAll() {
    buffers.removeAll()
    bytes = 0
  }
}
