import NIOCore
import Testing

@testable import ChatNetwork

/// The writer's two queues: file data waits behind every other frame, in its own order.
@Suite("Outbound writer: file data behind chat")
struct OutboundWriterTests {
  private func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

  private func text(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

  @Test func chatQueuedAfterFileDataGoesOutFirst() {
    var writer = OutboundWriter(limit: 1 << 20)
    // The peer isn't reading: everything waits.
    #expect(writer.takeBulk(bytes("chunk 1;"), writable: false) == .nothing)
    #expect(writer.takeBulk(bytes("chunk 2;"), writable: false) == .nothing)
    #expect(writer.take(bytes("text a;"), writable: false) == .nothing)
    #expect(writer.takeBulk(bytes("done;"), writable: false) == .nothing)
    #expect(writer.take(bytes("text b;"), writable: false) == .nothing)
    var order: [String] = []
    while let next = writer.nextQueued() { order.append(text(next)) }
    #expect(order == ["text a;", "text b;", "chunk 1;", "chunk 2;", "done;"])
    #expect(writer.isEmpty)
  }

  @Test func fileDataGoesOutAtOnceOnlyWhenNothingWaits() {
    var writer = OutboundWriter(limit: 1 << 20)
    #expect(writer.takeBulk(bytes("chunk;"), writable: true) == .write(bytes("chunk;")))
    #expect(writer.take(bytes("text;"), writable: false) == .nothing)
    #expect(
      writer.takeBulk(bytes("chunk 2;"), writable: true) == .nothing, "a chat frame waits: the chunk goes after it")
    #expect(!writer.queuesAreEmpty)
  }

  @Test func fileDataPastItsLimitIsAnOverflow() {
    var writer = OutboundWriter(limit: 10 << 20)
    // Twice the chat queue's limit (or 16 MiB, what a relay's member needs for its windows).
    #expect(writer.takeBulk(ByteBuffer(repeating: 1, count: 20 << 20), writable: false) == .nothing)
    #expect(writer.takeBulk(bytes("y"), writable: false) == .overflow)
    var small = OutboundWriter(limit: 10)
    #expect(small.takeBulk(ByteBuffer(repeating: 1, count: 16 << 20), writable: false) == .nothing)
    #expect(small.takeBulk(bytes("y"), writable: false) == .overflow)
  }
}

extension OutboundWriter.Step: Equatable {
  static func == (lhs: Self, rhs: Self) -> Bool {
    switch (lhs, rhs) {
    case (.nothing, .nothing), (.overflow, .overflow): true
    case (.write(let a), .write(let b)): a == b
    default: false
    }
  }
}
