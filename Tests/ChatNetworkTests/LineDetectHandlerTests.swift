import ChatProtocol
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatNetwork

/// The detector on an EmbeddedChannel, its clock advanced by hand: first bytes, silence,
/// and silence that proves nothing because reads were held back.
@Suite("Line client detection on an EmbeddedChannel")
struct LineDetectHandlerTests {
  /// A channel with the detector and a collector of verdicts; `readsHeld` answers for the
  /// endpoint's read gate.
  private func makeChannel(readsHeld: @escaping () -> Bool = { false }) throws
    -> (EmbeddedChannel, LineDetectHandler, () -> [LineClientDetection])
  {
    let channel = EmbeddedChannel()
    var verdicts: [LineClientDetection] = []
    let detector = LineDetectHandler(wait: .milliseconds(1500), readsHeld: readsHeld) { verdicts.append($0) }
    try channel.pipeline.syncOperations.addHandler(detector)
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
    return (channel, detector, { verdicts })
  }

  @Test func aZeroByteIsChatAndTheBytesGoOnWhenReleased() throws {
    let (channel, detector, verdicts) = try makeChannel()
    try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x00]))
    try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x2B]))
    #expect(verdicts() == [.chat])
    #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "held until the room is ready")
    detector.release()
    #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x2B]))
    // It has stepped aside: what follows passes straight on.
    try channel.writeInbound(ByteBuffer(bytes: [0x01]))
    #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x01]))
    channel.embeddedEventLoop.advanceTime(by: .seconds(5))
    #expect(verdicts() == [.chat])
  }

  @Test func textIsALineClientAndHTTPWaitsForItsFourthByte() throws {
    let (channel, _, verdicts) = try makeChannel()
    try channel.writeInbound(ByteBuffer(string: "GE"))
    #expect(verdicts().isEmpty)
    try channel.writeInbound(ByteBuffer(string: "T / HTTP/1.1\r\n"))
    #expect(verdicts() == [.chat])
    let (other, _, otherVerdicts) = try makeChannel()
    try other.writeInbound(ByteBuffer(string: "你好\n"))
    #expect(otherVerdicts() == [.lines])
  }

  @Test func silenceForTheWaitIsALineClient() throws {
    let (channel, _, verdicts) = try makeChannel()
    channel.embeddedEventLoop.advanceTime(by: .milliseconds(1499))
    #expect(verdicts().isEmpty)
    channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
    #expect(verdicts() == [.lines])
  }

  @Test func silenceWhileReadsAreHeldProvesNothing() throws {
    var held = true
    let (channel, _, verdicts) = try makeChannel { held }
    channel.embeddedEventLoop.advanceTime(by: .seconds(10))
    #expect(verdicts().isEmpty, "a hello may be waiting unread")
    held = false
    channel.embeddedEventLoop.advanceTime(by: .milliseconds(1500))
    #expect(verdicts() == [.lines])
  }
}
