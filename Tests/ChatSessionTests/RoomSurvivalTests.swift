import ChatProtocol
import ChatRoom
import ChatSession
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

/// The room survives its members: one that stops reading, leaves mid-broadcast, sends
/// what others can't take, or floods it, costs only itself.
@Suite("The room survives its members")
struct RoomSurvivalTests {
  /// Limits that let a test send as fast as it likes: rates play no part here.
  static var unlimited: RoomLimits {
    var limits = RoomLimits()
    limits.bytesPerSecond = 1e12
    limits.byteBurst = 1e12
    limits.messagesPerSecond = 1e9
    limits.messageBurst = 1e9
    return limits
  }

  /// A member that takes room frames and stops reading is dropped in the middle of a
  /// broadcast to every member (it joined first, so the others come after it in the
  /// room's list): the room goes on, and the reader behind it gets everything.
  @Test func aMemberDroppedMidBroadcastDoesNotTakeTheRoomDown() async throws {
    var limits = Self.unlimited
    limits.maximumQueuedBytes = 256 << 10
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: limits)
    let stalled = try await RawClient(port: listener.port, reading: false)
    try await stalled.sendHello(name: "stalled", capabilities: [Capability.room])
    try await hostLog.first("stalled joined") { $0.isRoom(.joined, "stalled") }
    let (reader, readerLog) = connect(to: listener, SessionOptions(name: "reader"))
    try await readerLog.first("reader welcomed") { $0.roomEvent?.kind == .welcome }
    let big = String(repeating: "x", count: 16 << 10)
    let batches = 40
    for batch in 0..<batches {
      for index in 1...8 { listener.send("\(batch * 8 + index) \(big)") }
      try await readerLog.wait("batch \(batch) at the reader") { events, _ in
        events.filter { $0.receivedFrom == "host" }.count >= (batch + 1) * 8
      }
    }
    let dropped = try await hostLog.first("stalled dropped") { $0.isRoom(.left, "stalled") }
    #expect(dropped.roomEvent?.detail.contains("not reading") == true, "\(dropped)")
    #expect(!(await readerLog.entries.contains { $0.end != nil }), "the reader was not disturbed")
    // The room still works for someone new.
    let (late, lateLog) = connect(to: listener, SessionOptions(name: "late"))
    try await lateLog.first("late welcomed") { $0.roomEvent?.kind == .welcome }
    listener.send("still here")
    try await lateLog.first("a message after the drop") { $0.receivedText == "still here" }
    await late.close(Goodbye(code: .userQuit, reason: ""))
    await reader.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }
}
