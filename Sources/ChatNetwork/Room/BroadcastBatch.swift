import ChatProtocol
import ChatRoom
import NIOCore

/// The room frames of one event-loop pass, encoded once into one buffer, and the members
/// that take them: every member is handed the same bytes, not a copy (a member that joined
/// during the pass, only the part after its joining).
///
/// It hands out the writes (``take()``) rather than making them, so the room can carry
/// them out after the batch is settled: a member dropped while they are written (its queue
/// overflowed) can't disturb a loop over the members.
struct BroadcastBatch {
  struct Member {
    let id: ParticipantID
    let handler: any RoomConnection
    /// The largest frame payload this member accepts.
    let maximumPayloadLength: Int
    /// Where this member's share of the current buffer starts.
    var from: Int
  }

  private(set) var members: [Member] = []
  private var buffer: ByteBuffer?
  /// The smallest ``Member/maximumPayloadLength`` among the members: a frame above it
  /// can't go to everyone in the shared buffer.
  private(set) var smallestMaximum = Int.max

  var isEmpty: Bool { buffer == nil }

  /// Adds a member; it takes what is appended from now on.
  mutating func add(_ id: ParticipantID, _ handler: any RoomConnection) {
    let maximum = handler.peerMaximumPayloadLength
    members.append(Member(id: id, handler: handler, maximumPayloadLength: maximum, from: buffer?.writerIndex ?? 0))
    smallestMaximum = min(smallestMaximum, maximum)
  }

  mutating func remove(_ id: ParticipantID) {
    members.removeAll { $0.id == id }
    smallestMaximum = members.map(\.maximumPayloadLength).min() ?? .max
  }

  /// Appends `frame` for every member; returns false when there is no member to take it.
  mutating func append(_ frame: Frame) -> Bool {
    guard !members.isEmpty else { return false }
    if buffer == nil { buffer = ByteBufferAllocator().buffer(capacity: 16 << 10) }
    frame.encode(into: &buffer!)
    return true
  }

  /// The writes the batch makes, each member's share of the buffer, and an empty batch.
  mutating func take() -> [(handler: any RoomConnection, bytes: ByteBuffer)] {
    guard let bytes = buffer else { return [] }
    buffer = nil
    let end = bytes.writerIndex
    var writes: [(handler: any RoomConnection, bytes: ByteBuffer)] = []
    writes.reserveCapacity(members.count)
    for index in members.indices {
      let from = members[index].from
      members[index].from = 0
      guard from < end else { continue }
      writes.append((members[index].handler, from == 0 ? bytes : bytes.getSlice(at: from, length: end - from)!))
    }
    return writes
  }
}
