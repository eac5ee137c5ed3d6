import ChatEvents
import ChatProtocol
import NIOConcurrencyHelpers
import Testing

@testable import ChatNetwork

@Suite("The bounded queue between an endpoint and its front end")
struct SessionEventBufferTests {
  func message(_ bytes: Int) -> SessionEvent {
    .messageReceived(
      from: "bob", message: TextMessage(sequence: 1, text: String(repeating: "x", count: bytes)), textBytes: 0,
      wireBytes: 0)
  }

  @Test func readingPausesAboveTheWatermarkAndResumesWhenTheFrontEndTakesItsEvents() async {
    let buffer = SessionEventBuffer(highWatermark: 1000)
    let changes = NIOLockedValueBox(0)
    buffer.setFlowControl { changes.withLockedValue { $0 += 1 } }
    #expect(!buffer.yield(message(500)))
    #expect(buffer.yield(message(500)))
    // Once paused, more events do not pause again.
    #expect(!buffer.yield(message(500)))
    #expect(buffer.isPaused)
    #expect(changes.withLockedValue { $0 } == 1)

    var iterator = SessionEvents(buffer).makeAsyncIterator()
    _ = await iterator.next()
    #expect(!buffer.isPaused)
    #expect(changes.withLockedValue { $0 } == 2)
    // The rest of the batch comes without the buffer.
    _ = await iterator.next()
    _ = await iterator.next()
    buffer.finish()
    #expect(await iterator.next() == nil)
  }

  /// The producer's "fell behind" and the consumer's "caught up" can reach the event loop
  /// in either order. Applied as news (close, open) in the wrong order, they left the gate
  /// closed with nothing left to open it: the client stopped reading for good (seen once
  /// under load, at 923 of 2,000 messages). Applied as "look at isPaused now", the order
  /// does not matter.
  @Test func notificationsAppliedInEitherOrderLeaveTheGateAsTheBufferIs() async {
    let buffer = SessionEventBuffer(highWatermark: 100)
    let gate = ReadGate()
    let notifications = NIOLockedValueBox(0)
    buffer.setFlowControl { notifications.withLockedValue { $0 += 1 } }
    buffer.yield(message(200))  // falls behind: one notification
    var iterator = SessionEvents(buffer).makeAsyncIterator()
    _ = await iterator.next()  // catches up: another
    #expect(notifications.withLockedValue { $0 } == 2)
    // Whatever order the loop runs them in, each applies the state as it is then.
    for _ in 0..<2 { gate.set(open: !buffer.isPaused) }
    #expect(gate.isOpen)
    buffer.yield(message(200))
    gate.set(open: !buffer.isPaused)
    #expect(!gate.isOpen)
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
