import ChatProtocol
import NIOCore

/// What one session writes, in order, as bytes to put on the wire.
///
/// Frames written between two flushes gather and are sealed together at the flush: one
/// record, one AEAD operation, for a burst of messages or a room's notices, however many
/// frames. While the peer isn't reading they wait in the bounded ``OutboundQueue`` as
/// plaintext, and are sealed only as they go out: the record counter follows the bytes on
/// the wire, so frames dropped from the queue (a peer too slow) take no counter, and the
/// error that says so opens at the other end. Pure: the handler says whether the channel
/// takes writes and writes what this returns.
struct OutboundWriter {
  /// Seals everything once the handshake is done on this side; nil before.
  var sealer: RecordSealer?
  /// Plaintext frames waiting for the peer to read (bounded).
  private(set) var queue: OutboundQueue
  /// File data waiting (FILE_CHUNK and the FILE_DONE after it), which goes out only when
  /// nothing else waits: chat frames never queue behind a file. The receiver's credit
  /// bounds it; the limit is a backstop.
  private(set) var bulk: OutboundQueue
  /// Frames written since the last flush (with a sealer), to be sealed together.
  private var unsealed = ByteBuffer()

  /// Past this much, frames since the last flush are sealed without waiting for it, so a
  /// long burst is neither held back nor gathered without bound.
  static let recordTarget = 256 << 10

  init(limit: Int) {
    queue = OutboundQueue(limit: limit)
    // A relay's queue for a member holds the credit windows of the transfers to it (3 at
    // once, 4 MiB each by default) behind its chat frames.
    bulk = OutboundQueue(limit: max(2 * limit, 16 << 20))
  }

  /// The outcome of taking frames in: bytes to write now (if any), or the queue overflowed
  /// (nothing of it was kept).
  enum Step {
    case write(ByteBuffer)
    case nothing
    case overflow
  }

  /// Whether nothing is waiting (neither unflushed nor queued).
  var isEmpty: Bool { queue.isEmpty && bulk.isEmpty && unsealed.readableBytes == 0 }

  /// Whether nothing waits in either queue (what gathers for the next flush goes out with it).
  var queuesAreEmpty: Bool { queue.isEmpty && bulk.isEmpty }

  /// Takes file data (whole encoded frames): written at once, sealed on its own, when
  /// nothing waits and the peer keeps up; otherwise queued behind everything else.
  mutating func takeBulk(_ frames: ByteBuffer, writable: Bool) -> Step {
    if writable, queue.isEmpty, bulk.isEmpty, unsealed.readableBytes == 0 {
      return .write(sealer == nil ? frames : sealer!.sealed(frames))
    }
    return bulk.append(frames) ? .nothing : .overflow
  }

  var limit: Int { queue.limit }

  /// Takes `frames` (whole encoded frames). Without a sealer they go out at once when the
  /// peer keeps up; with one they wait for ``flush(writable:)``.
  mutating func take(_ frames: ByteBuffer, writable: Bool) -> Step {
    guard sealer != nil else { return send(frames, writable: writable, sealing: false) }
    unsealed.writeImmutableBuffer(frames)
    return unsealed.readableBytes >= Self.recordTarget ? flush(writable: writable) : .nothing
  }

  /// The flush: the frames since the last one, sealed into records and written when the
  /// peer keeps up, queued when it doesn't.
  mutating func flush(writable: Bool) -> Step {
    guard unsealed.readableBytes > 0 else { return .nothing }
    let frames = unsealed
    unsealed = ByteBuffer()
    return send(frames, writable: writable, sealing: true)
  }

  private mutating func send(_ frames: ByteBuffer, writable: Bool, sealing: Bool) -> Step {
    if writable, queue.isEmpty { return .write(sealing ? sealer!.sealed(frames) : frames) }
    return queue.append(frames) ? .nothing : .overflow
  }

  /// The next bytes to write while the channel takes them: queued frames, several sealed
  /// together into one record when there is a sealer.
  mutating func nextQueued() -> ByteBuffer? {
    guard var frames = queue.popFirst() else {
      guard let data = bulk.popFirst() else { return nil }
      return sealer == nil ? data : sealer!.sealed(data)
    }
    guard sealer != nil else { return frames }
    while frames.readableBytes < Self.recordTarget, let more = queue.popFirst() {
      frames.writeImmutableBuffer(more)
    }
    return sealer!.sealed(frames)
  }

  /// Drops everything waiting (a peer too slow to keep).
  mutating func abandon() {
    queue.removeAll()
    bulk.removeAll()
    unsealed.clear()
  }

  /// `frames` ready to write at once, past the queue (the last words to a peer dropped).
  mutating func immediate(_ frames: ByteBuffer) -> ByteBuffer {
    sealer == nil ? frames : sealer!.sealed(frames)
  }
}
