import ChatProtocol
import NIOConcurrencyHelpers
import Testing

@testable import ChatSession

@Suite("The bounded queue between an endpoint and its front end")
struct SessionEventBufferTests {
  func message(_ bytes: Int) -> SessionEvent {
    .messageReceived(
      from: "bob", message: TextMessage(sequence: 1, text: String(repeating: "x", count: bytes)), payloadBytes: 0,
      wireBytes: 0)
  }

  @Test func readingPausesAboveTheWatermarkAndResumesWhenTheFrontEndTakesItsEvents() async {
    let buffer = SessionEventBuffer(highWatermark: 1000)
    let calls = NIOLockedValueBox<[String]>([])
    buffer.setFlowControl(
      pause: { calls.withLockedValue { $0.append("pause") } },
      resume: { calls.withLockedValue { $0.append("resume") } })
    #expect(!buffer.yield(message(500)))
    #expect(buffer.yield(message(500)))
    // Once paused, more events do not pause again.
    #expect(!buffer.yield(message(500)))
    #expect(buffer.isPaused)
    #expect(calls.withLockedValue { $0 } == ["pause"])

    var iterator = SessionEvents(buffer).makeAsyncIterator()
    _ = await iterator.next()
    #expect(!buffer.isPaused)
    #expect(calls.withLockedValue { $0 } == ["pause", "resume"])
    // The rest of the batch comes without the buffer.
    _ = await iterator.next()
    _ = await iterator.next()
    buffer.finish()
    #expect(await iterator.next() == nil)
  }

  @Test func aWaitingFrontEndGetsTheNextEventAtOnce() async {
    let buffer = SessionEventBuffer()
    let events = SessionEvents(buffer)
    let reader = Task {
      var seen: [SessionEvent] = []
      for await event in events { seen.append(event) }
      return seen
    }
    buffer.yield(.peerResponsive)
    buffer.yield(.warning("w"))
    buffer.finish()
    // Events put in after the end are dropped.
    buffer.yield(.warning("late"))
    #expect(await reader.value == [.peerResponsive, .warning("w")])
  }
}
