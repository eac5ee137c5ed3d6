import ChatEvents
import ChatProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatNetwork

/// The channel handlers on an EmbeddedChannel: bytes in, bytes out, no sockets.
@Suite("Session pipeline on an EmbeddedChannel")
struct SessionHandlerTests {
  final class Reports: Sendable {
    let box = NIOLockedValueBoxWrapper()
    var all: [SessionReport] { box.value }
  }

  func makeChannel(options: SessionOptions = SessionOptions(name: "alice")) throws -> (EmbeddedChannel, Reports) {
    let channel = EmbeddedChannel()
    let reports = Reports()
    try SessionPipeline.configure(channel, role: .listener, options: options) { reports.box.append($0) }
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9999)).wait()
    return (channel, reports)
  }

  func readFrames(_ channel: EmbeddedChannel) throws -> [Frame] {
    var decoder = FrameDecoder()
    var frames: [Frame] = []
    while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
      while let frame = try decoder.decode(&buffer) { frames.append(frame) }
    }
    return frames
  }

  func peerHello(name: String = "bob", offersAuth: Bool = false) -> Frame {
    .hello(
      Hello(offersAuth: offersAuth, maximumPayloadLength: 1 << 20, nonce: [UInt8](repeating: 7, count: 32), name: name))
  }

  @Test func helloGoesOutInOneWriteAndASplitPeerHelloEstablishes() throws {
    let (channel, reports) = try makeChannel()
    let first = try #require(try channel.readOutbound(as: ByteBuffer.self))
    var decoder = FrameDecoder()
    var copy = first
    let hello = try #require(try decoder.decode(&copy)?.hello, "first write is not a whole hello")
    #expect(copy.readableBytes == 0, "one write holds exactly the hello, header and payload")
    #expect(hello.name == "alice")
    // The peer's hello arrives in three pieces.
    let bytes = Array(peerHello().encoded().readableBytesView)
    for piece in [bytes[..<3], bytes[3..<20], bytes[20...]] {
      try channel.writeInbound(ByteBuffer(bytes: piece))
    }
    #expect(reports.all.contains { if case .established(_, .unauthenticated) = $0 { true } else { false } })
    #expect(try readFrames(channel).isEmpty, "nothing more is sent to a peer without receipts")
    #expect(channel.isActive)
    #expect(try channel.finish().isClean)
  }

  @Test func anOversizeHeaderIsAnsweredWithAnErrorAndTheChannelCloses() throws {
    let (channel, reports) = try makeChannel(options: SessionOptions(name: "alice", maximumPayloadLength: 4096))
    _ = try readFrames(channel)
    let header: [UInt8] = [0x00, 0x10, 0x00, 0x00, FrameType.text.rawValue]
    try channel.writeInbound(ByteBuffer(bytes: header))
    let sent = try readFrames(channel)
    let report = try #require(sent.last?.errorReport, "no error frame: \(sent)")
    #expect(report.code == .frameTooLarge)
    #expect(reports.all.contains { if case .ended(.failed(.frameTooLarge, _)) = $0 { true } else { false } })
    #expect(!channel.isActive, "the channel closed")
    #expect(try channel.finish(acceptAlreadyClosed: true).isClean)
  }

  @Test func aPeerThatStopsReadingIsDroppedAtTheQueueLimit() throws {
    let options = SessionOptions(name: "alice", maximumQueuedOutboundBytes: 10_000)
    let (channel, reports) = try makeChannel(options: options)
    try channel.writeInbound(peerHello().encoded())
    _ = try readFrames(channel)
    channel.isWritable = false
    channel.pipeline.fireChannelWritabilityChanged()
    let text = String(repeating: "z", count: 1000)
    for _ in 0..<20 {
      channel.writeAndFlush(SessionCommand.send(text), promise: nil)
    }
    let ended = reports.all.compactMap { report -> SessionEnd? in
      if case .ended(let end) = report { return end }
      return nil
    }
    #expect(ended.count == 1)
    let (code, reason) = try #require(ended.first?.failure, "not dropped as too slow: \(ended)")
    #expect(code == .tooSlow)
    #expect(reason.contains("not reading"))
    #expect(!channel.isActive, "the channel closed")
    #expect(try channel.finish(acceptAlreadyClosed: true).isClean)
  }

  @Test func queuedFramesDrainInOrderWhenThePeerReadsAgain() throws {
    let (channel, reports) = try makeChannel()
    try channel.writeInbound(peerHello().encoded())
    _ = try readFrames(channel)
    channel.isWritable = false
    channel.pipeline.fireChannelWritabilityChanged()
    for index in 1...5 { channel.writeAndFlush(SessionCommand.send("m\(index)"), promise: nil) }
    #expect(try readFrames(channel).isEmpty, "nothing is written while the peer is not reading")
    channel.isWritable = true
    channel.pipeline.fireChannelWritabilityChanged()
    let texts = try readFrames(channel).compactMap { frame -> String? in
      if case .text(let message) = frame { return message.text }
      return nil
    }
    #expect(texts == ["m1", "m2", "m3", "m4", "m5"])
    #expect(!reports.all.contains { if case .ended = $0 { true } else { false } })
    #expect(channel.isActive)
    #expect(try channel.finish().isClean)
  }
}

/// A tiny thread-safe list for collecting reports from handler callbacks.
final class NIOLockedValueBoxWrapper: Sendable {
  private let storage = NIOLockedValueBox<[SessionReport]>([])
  func append(_ report: SessionReport) { storage.withLockedValue { $0.append(report) } }
  var value: [SessionReport] { storage.withLockedValue { $0 } }
}
