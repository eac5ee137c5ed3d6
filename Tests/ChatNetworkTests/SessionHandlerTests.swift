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

  /// The other end of the embedded channel: a connector's session machine that runs the
  /// real handshake against it, then seals what the test sends and opens what it gets.
  struct Peer {
    var machine = SessionMachine(
      configuration: .init(role: .connector, name: "bob", secret: nil, capabilities: [Capability.room]),
      nonce: [UInt8](repeating: 7, count: 32))
    var sealer: RecordSealer?
    var decoder = FrameDecoder(maximumPayloadLength: 1 << 22)
    var reports: [SessionReport] = []

    /// The peer's hello, encoded, for the test to deliver as it likes.
    mutating func hello() -> ByteBuffer {
      var bytes = ByteBuffer()
      for case .send(let frame) in machine.start() { frame.encode(into: &bytes) }
      return bytes
    }

    /// Feeds the machine's actions to the channel (as the peer's bytes).
    mutating func write(_ actions: [SessionAction], to channel: EmbeddedChannel) throws {
      for action in actions {
        switch action {
        case .send(let frame):
          let bytes = frame.encoded()
          try channel.writeInbound(sealer == nil ? bytes : sealer!.sealed(bytes))
        case .beginSealing(let new): sealer = new
        case .report(let report): reports.append(report)
        case .close: break
        }
      }
    }

    /// Takes in `bytes` the channel wrote, answering as the peer would.
    mutating func take(_ bytes: ByteBuffer, answeringOn channel: EmbeddedChannel) throws {
      var buffer = bytes
      while let frame = try decoder.decode(&buffer) { try write(machine.receive(frame, now: 0), to: channel) }
    }

    /// Takes in everything the channel wrote until it writes nothing more.
    mutating func pump(_ channel: EmbeddedChannel) throws {
      while let buffer = try channel.readOutbound(as: ByteBuffer.self) { try take(buffer, answeringOn: channel) }
    }

    /// Runs the whole handshake with the listener on `channel`.
    static func handshaken(with channel: EmbeddedChannel) throws -> Peer {
      var peer = Peer()
      try channel.writeInbound(peer.hello())
      try peer.pump(channel)
      return peer
    }

    var texts: [String] {
      reports.compactMap { if case .messageReceived(let message, _, _, _) = $0 { message.text } else { nil } }
    }
  }

  @Test func helloGoesOutInOneWriteAndASplitPeerHelloEstablishes() throws {
    let (channel, reports) = try makeChannel()
    let first = try #require(try channel.readOutbound(as: ByteBuffer.self))
    var decoder = FrameDecoder()
    var copy = first
    let hello = try #require(try decoder.decode(&copy)?.hello, "first write is not a whole hello")
    #expect(copy.readableBytes == 0, "one write holds exactly the hello, header and payload")
    #expect(hello.name == "alice")
    // The peer's hello arrives in three pieces; then the handshake runs to the end.
    var peer = Peer()
    let bytes = Array(peer.hello().readableBytesView)
    for piece in [bytes[..<3], bytes[3..<20], bytes[20...]] {
      try channel.writeInbound(ByteBuffer(bytes: piece))
    }
    try peer.take(first, answeringOn: channel)
    try peer.pump(channel)
    #expect(reports.all.contains { if case .established(_, .unauthenticated) = $0 { true } else { false } })
    #expect(peer.machine.isEstablished, "the listener's first record (a ping) confirmed its keys")
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
    var peer = try Peer.handshaken(with: channel)
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
    // The error still reaches the peer, and opens: what was dropped from the queue was never
    // sealed, so the error's record has the number the peer expects.
    try peer.pump(channel)
    let peerEnd = peer.reports.compactMap { if case .ended(let end) = $0 { end } else { nil } }.first
    #expect(peerEnd?.failure?.0 == .tooSlow, "the peer was told why: \(String(describing: peerEnd))")
    #expect(try channel.finish(acceptAlreadyClosed: true).isClean)
  }

  @Test func queuedFramesDrainInOrderWhenThePeerReadsAgain() throws {
    let (channel, reports) = try makeChannel()
    var peer = try Peer.handshaken(with: channel)
    channel.isWritable = false
    channel.pipeline.fireChannelWritabilityChanged()
    for index in 1...5 { channel.writeAndFlush(SessionCommand.send("m\(index)"), promise: nil) }
    #expect(try readFrames(channel).isEmpty, "nothing is written while the peer is not reading")
    channel.isWritable = true
    channel.pipeline.fireChannelWritabilityChanged()
    try peer.pump(channel)
    #expect(peer.texts == ["m1", "m2", "m3", "m4", "m5"])
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
