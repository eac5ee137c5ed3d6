import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import Testing

/// Line clients in a room (`--lines`), through the real listener with a short detection
/// wait: silence and text make line clients, a chat client still handshakes, lines are
/// paced like any member's and cut at the room's limit.
@Suite("Line clients in a room")
struct LineClientRoomTests {
  static func limits(rate: Double = 1e6, burst: Double = 1e9) -> RoomLimits {
    var limits = RoomLimits()
    limits.acceptsLineClients = true
    limits.lineDetectionWait = 0.2
    limits.messagesPerSecond = rate
    limits.messageBurst = burst
    return limits
  }

  @Test func aSilentClientJoinsAsALineClientAfterTheWait() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: Self.limits())
    let client = try await TextLineClient(port: listener.port)
    let name = "nc-127.0.0.1-\(client.localPort)"
    try await hostLog.first("the line client joined") { $0.isRoom(.joined, name) }
    try await client.lines.first("its welcome") { $0 == "* you are \(name); 2 in the room" }
    listener.send("你好\u{1b}[2J")
    try await client.lines.first("the host's message, escaped") { $0 == "host: 你好\\u{1b}[2J" }
    await client.close()
    try await hostLog.first("it left") { $0.isRoom(.left, name) }
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func chatClientsStillHandshakeInARoomThatTakesLines() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"), limits: Self.limits())
    let (bob, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    try await bobLog.first("bob welcomed") { $0.roomEvent?.kind == .welcome }
    let client = try await TextLineClient(port: listener.port)
    try await client.send("hi bob\n")
    #expect(try await bobLog.first("the line") { $0.receivedText == "hi bob" }.receivedFrom?.hasPrefix("nc-") == true)
    try await hostLog.first("at the host too") { $0.receivedText == "hi bob" }
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await client.close()
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aLineClientOverItsRateIsPacedNotRefused() async throws {
    // One message a second after a burst of two: five lines at once take about 3 s.
    let (listener, hostLog) = try await startListener(
      SessionOptions(name: "host"), limits: Self.limits(rate: 1, burst: 2))
    let client = try await TextLineClient(port: listener.port)
    try await client.send((1...5).map { "line \($0)\n" }.joined())
    let all = try await hostLog.wait("five lines, in order", seconds: 20) { events, _ in
      events.filter { $0.receivedText?.hasPrefix("line ") == true }.count == 5
    }
    #expect(all.compactMap(\.receivedText).filter { $0.hasPrefix("line ") } == (1...5).map { "line \($0)" })
    await client.close()
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aLineOverTheRoomsLimitIsCutIntoMessagesAndTheClientIsTold() async throws {
    // 1024-byte frames: members' TEXT is 65 bytes smaller, less 8 for its number.
    let options = SessionOptions(name: "host", maximumPayloadLength: 1024)
    let (listener, hostLog) = try await startListener(options, limits: Self.limits())
    let client = try await TextLineClient(port: listener.port)
    let limit = 1024 - RoomText.senderOverhead - 8
    try await client.send(String(repeating: "a", count: 2000) + "\n")
    let pieces = try await hostLog.wait("the pieces") { events, _ in
      events.compactMap(\.receivedText).reduce(0) { $0 + $1.utf8.count } == 2000
    }
    #expect(pieces.compactMap(\.receivedText).map(\.utf8.count) == [limit, limit, 2000 - 2 * limit])
    try await client.lines.first("the notice") {
      $0 == "* a line longer than \(limit) bytes is sent as several messages"
    }
    await client.close()
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aRoomWithASecretRefusesALineClientInOneLine() async throws {
    let options = SessionOptions(name: "host", secret: secret("sesame"))
    let (listener, hostLog) = try await startListener(options, limits: Self.limits())
    let client = try await TextLineClient(port: listener.port)
    // On a loaded machine the wait may end first and the refusal close the connection
    // before this is written: either way the client is a line client, refused.
    try? await client.send("hello\n")
    try await client.lines.waitForFinish(seconds: 15)
    #expect(await client.lines.entries == ["this room requires a shared secret; connect with chat"])
    try await hostLog.first("the refusal") { $0.refusal?.hasPrefix("line client: ") == true }
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }
}
