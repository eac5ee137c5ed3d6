import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("A connector held back by its front end is not the peer's silence")
struct HeldReadingTests {
  @Test func aConnectorWhoseEventsWaitDoesNotDeclareTheRelayDead() async throws {
    var limits = RoomLimits()
    limits.bytesPerSecond = 1e9
    limits.byteBurst = 1e9
    limits.messagesPerSecond = 1_000_000
    limits.messageBurst = 1_000_000
    var fast = SessionOptions(name: "alice")
    // Short enough that holding reads for 3 s would be fatal if it counted as silence; long
    // enough that a loaded machine (the whole suite in parallel, debug-built ciphers) answers
    // pings in time.
    fast.pingInterval = .milliseconds(200)
    fast.deadAfter = .milliseconds(1000)
    let (listener, hostLog) = try await startListener(fast, limits: limits)
    var bobOptions = fast
    bobOptions.name = "bob"
    // Nobody takes bob's events for now: after 2 MiB of them, bob stops reading.
    let bob = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: listener.port), options: bobOptions,
      group: MultiThreadedEventLoopGroup.singleton)
    try await hostLog.first("bob joined") { $0.isRoom(.joined, "bob") }
    let text = String(repeating: "x", count: 64 << 10)
    for _ in 0..<32 { listener.send(text) }
    // Far longer than bob's --dead-after: were bob judging the relay by what it reads, it
    // would have declared it dead and left.
    try await Task.sleep(for: .seconds(3))
    let log = collect(bob)
    let events = try await log.wait("all 32 messages") { events, _ in
      events.filter { $0.receivedText == text }.count >= 32
    }
    #expect(!events.contains { if case .disconnected = $0 { true } else { false } })
    #expect(!(await hostLog.entries.contains { $0.isRoom(.left, "bob") }))
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }
}
