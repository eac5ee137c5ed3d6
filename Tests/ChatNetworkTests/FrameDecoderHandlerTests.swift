import ChatProtocol
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import ChatNetwork

/// The frame decoder as NIO runs it: NIOTestUtils' verifier feeds it every frame type
/// alone, drip-fed a byte at a time, and many frames in one buffer, and checks that each
/// frame comes out once, whole, in order, with nothing left over.
@Suite("Frame decoder handler under ByteToMessageDecoderVerifier")
struct FrameDecoderHandlerTests {
  static let frames: [Frame] = [
    .hello(
      Hello(
        offersAuth: true, maximumPayloadLength: 1 << 20, nonce: [UInt8](repeating: 7, count: Hello.nonceLength),
        name: "小明", capabilities: [Capability.room, Capability.resume])),
    .cpace([UInt8](repeating: 0xab, count: 32)),
    .text(TextMessage(sequence: 1, text: "你好, bob")),
    .text(TextMessage(sequence: 2, text: String(repeating: "x", count: 5000))),
    .ack(42),
    .roomText(RoomText(sequence: 9, sender: "ann", text: "hi")),
    .roomEvent(RoomEvent(kind: .joined, participantCount: 3, name: "bo", detail: "authenticated")),
    .whoRequest,
    .ping(7),
    .pong(7),
    .bye(Goodbye(code: .userQuit, reason: "end of input")),
    .error(ErrorReport(code: .frameTooLarge, message: "too large")),
  ]

  @Test func everyFrameTypeSurvivesAnyCutOfTheStream() throws {
    let pairs = Self.frames.map { frame in (frame.encoded(), [frame]) }
    try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
      FrameDecoderHandler(limit: FrameLimit(1 << 20))
    }
  }

  @Test func aFrameOverTheLimitIsAnErrorNotAFrame() throws {
    let channel = EmbeddedChannel(
      handler: ByteToMessageHandler(FrameDecoderHandler(limit: FrameLimit(1024))))
    let big = Frame.text(TextMessage(sequence: 1, text: String(repeating: "x", count: 1024)))
    #expect(throws: FrameError.self) { try channel.writeInbound(big.encoded()) }
    #expect(try channel.readInbound(as: Frame.self) == nil)
    #expect(try channel.finish().isClean)
  }

  @Test func aFrameCutByTheCloseIsATruncatedFrame() throws {
    let channel = EmbeddedChannel(
      handler: ByteToMessageHandler(FrameDecoderHandler(limit: FrameLimit(1 << 20))))
    var bytes = Frame.ping(7).encoded()
    try channel.writeInbound(bytes.readSlice(length: 6)!)
    #expect(try channel.readInbound(as: Frame.self) == nil)
    // The peer closes its side with 6 of the ping's 13 bytes sent.
    channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    let error = try #require(throws: TruncatedFrame.self) { try channel.throwIfErrorCaught() }
    #expect(error.bytes == 6)
    #expect(try channel.finish().isClean)
  }
}
