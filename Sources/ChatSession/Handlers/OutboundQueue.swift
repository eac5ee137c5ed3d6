import ChatProtocol
import NIOCore

/// Frames waiting for a peer that is not reading, bounded in bytes so a stalled peer can't
/// make memory grow without end.
struct OutboundQueue {
  let limit: Int
  private(set) var bytes = 0
  private var frames = CircularBuffer<Frame>()

  init(limit: Int) {
    self.limit = limit
  }

  var isEmpty: Bool { frames.isEmpty }

  /// Queues `frame`; returns false (and queues nothing) when it would pass the limit.
  mutating func append(_ frame: Frame) -> Bool {
    let size = frame.wireLength
    guard bytes + size <= limit else { return false }
    bytes += size
    frames.append(frame)
    return true
  }

  mutating func popFirst() -> Frame? {
    guard let frame = frames.popFirst() else { return nil }
    bytes -= frame.wireLength
    return frame
  }

  mutating func removeAll() {
    frames.removeAll()
    bytes = 0
  }
}
