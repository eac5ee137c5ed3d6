import ChatProtocol
import NIOCore
import Testing

@Suite("Session machine: file frames pass through only with the `files` capability")
struct FileSessionTests {
  static let withFiles = [Capability.room, Capability.resume, Capability.files]
  static let id = TransferID(bytes: [UInt8](repeating: 0x42, count: TransferID.length))!
  static let offer = FileFrame.offer(
    FileOffer(
      id: id, size: 5, resumeKey: [UInt8](repeating: 1, count: FileOffer.resumeKeyLength), peer: "", name: "文件.txt"))

  static func pair(connector: [String] = withFiles, listener: [String] = withFiles, listenerMaximum: Int? = nil)
    -> MachinePair
  {
    var pair = MachinePair(
      connectorSecret: nil, listenerSecret: nil, connectorCapabilities: connector, listenerCapabilities: listener,
      listenerMaximumPayloadLength: listenerMaximum ?? FrameHeader.defaultMaximumPayloadLength)
    pair.start()
    return pair
  }

  @Test func fileFramesPassBothWaysWhenBothHellosListFiles() {
    var pair = Self.pair()
    #expect(pair.connector.supportsFiles && pair.listener.supportsFiles)
    #expect(pair.connector.sendFile(Self.offer) == [.send(.file(Self.offer))])
    let wireBytes = Frame.file(Self.offer).wireLength
    #expect(pair.listenerReceives(.file(Self.offer), now: 0) == [.report(.fileFrame(Self.offer, wireBytes: wireBytes))])
    let accept = FileFrame.accept(FileAccept(id: Self.id, offset: 0, window: 4 << 20))
    #expect(pair.listener.sendFile(accept) == [.send(.file(accept))])
    #expect(pair.connectorReceives(.file(accept), now: 0) == [.report(.fileFrame(accept, wireBytes: 5 + 28))])
    // Neither side took the file frames for a fault.
    #expect(pair.connector.isEstablished && pair.listener.isEstablished)
  }

  @Test(arguments: [
    (FileSessionTests.withFiles, [Capability.room, Capability.resume]),
    ([Capability.room, Capability.resume], FileSessionTests.withFiles),
    ([Capability.room], [Capability.room]),
  ])
  func withoutFilesOnBothSidesAFileFrameIsAProtocolError(connector: [String], listener: [String]) throws {
    var pair = Self.pair(connector: connector, listener: listener)
    #expect(pair.connector.isEstablished && pair.listener.isEstablished)
    #expect(!pair.connector.supportsFiles && !pair.listener.supportsFiles)
    #expect(pair.connector.sendFile(Self.offer).isEmpty, "nothing is sent without the capability")
    let actions = pair.listenerReceives(.file(Self.offer), now: 0)
    #expect(!actions.contains { if case .report(.fileFrame) = $0 { true } else { false } })
    let report = try #require(actions.first?.sentFrame?.errorReport, "no error frame: \(actions)")
    #expect(report.code == .unexpectedFrame)
    #expect(report.message.contains("fileOffer"))
    #expect(actions.contains(.close))
  }

  @Test func beforeTheHandshakeFileFramesAreRefusedAndNothingIsSent() throws {
    var machine = SessionMachine(
      configuration: .init(role: .listener, name: "alice", secret: nil, capabilities: Self.withFiles),
      nonce: randomNonce())
    #expect(machine.sendFile(Self.offer).isEmpty)
    _ = machine.start()
    #expect(!machine.supportsFiles)
    #expect(machine.maximumFileChunkLength == nil)
    #expect(machine.sendFile(Self.offer).isEmpty)
    let actions = machine.receive(.file(.cancel(Self.id, reason: "")), now: 0)
    let report = try #require(actions.first?.sentFrame?.errorReport, "no error frame: \(actions)")
    #expect(report.code == .unexpectedFrame)
    #expect(machine.hasEnded)
  }

  @Test func framesThePeerWouldRefuseAreNotSent() {
    var pair = Self.pair()
    #expect(pair.connector.sendFile(.done(Self.id, sha256: [UInt8](repeating: 1, count: 31))).isEmpty)
    #expect(pair.listener.sendFile(.credit(Self.id, bytes: 0)).isEmpty)
    let done = FileFrame.done(Self.id, sha256: [UInt8](repeating: 1, count: 32))
    #expect(pair.connector.sendFile(done) == [.send(.file(done))])
    #expect(pair.connector.isEstablished && pair.listener.isEstablished)
  }

  @Test func afterTheEndNothingIsSent() {
    var pair = Self.pair()
    _ = pair.connector.close(Goodbye(code: .userQuit, reason: "bye"))
    #expect(!pair.connector.supportsFiles)
    #expect(pair.connector.sendFile(.cancel(Self.id, reason: "")).isEmpty)
  }

  @Test func chunksAreCutToFitThePeersMaximum() {
    var big = Self.pair()
    #expect(big.connector.maximumFileChunkLength == 128 * 1024, "128 KiB when the peer takes 1 MiB")
    var small = Self.pair(listenerMaximum: 4096)
    let limit = small.connector.maximumFileChunkLength
    #expect(limit == 4096 - 32)
    let fits = FileFrame.chunk(
      FileChunk(id: Self.id, offset: 0, data: ByteBuffer(repeating: 7, count: limit ?? 0)))
    #expect(small.connector.sendFile(fits) == [.send(.file(fits))])
    // A chunk over the peer's maximum is the caller's bug: nothing goes out.
    let tooBig = FileFrame.chunk(
      FileChunk(id: Self.id, offset: 0, data: ByteBuffer(repeating: 7, count: 4096 - FileChunk.headerLength + 1)))
    #expect(small.connector.sendFile(tooBig).isEmpty)
    #expect(small.connector.isEstablished, "and the session goes on")
    // The listener's peer (the connector) takes the default 1 MiB.
    #expect(small.listener.maximumFileChunkLength == 128 * 1024)
    #expect(big.listener.sendFile(tooBig) == [.send(.file(tooBig))])
  }
}
