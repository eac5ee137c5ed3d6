import ChatProtocol
import NIOCore
import PropertyBased
import Testing

@Suite("File transfer frames: encoding, decoding, every malformed length")
struct FileFrameTests {
  static let id = TransferID(bytes: Array(0..<16))!
  static let key = [UInt8](repeating: 0x6b, count: FileOffer.resumeKeyLength)

  /// One of each frame, with the shortest and the longest fields the wire allows.
  static let frames: [FileFrame] = [
    .offer(FileOffer(id: id, size: 0, resumeKey: key, peer: "", name: "a")),
    .offer(FileOffer(id: id, size: 1 << 40, resumeKey: key, peer: "小明", name: "文件.txt")),
    .offer(
      FileOffer(
        id: id, size: .max, resumeKey: key, peer: String(repeating: "p", count: 64),
        name: String(repeating: "文", count: 85))),
    .accept(FileAccept(id: id, offset: 0, window: 1)),
    .accept(FileAccept(id: id, offset: .max, window: .max)),
    .reject(id, reason: ""),
    .reject(id, reason: "no room on the disk"),
    .chunk(FileChunk(id: id, offset: 0, data: ByteBuffer(bytes: [0]))),
    .chunk(FileChunk(id: id, offset: 1 << 33, data: ByteBuffer(bytes: (0..<4096).map { UInt8($0 & 0xff) }))),
    .credit(id, bytes: 1),
    .credit(id, bytes: .max),
    .done(id, sha256: [UInt8](repeating: 0xee, count: 32)),
    .result(id, .verified, reason: ""),
    .result(id, .hashMismatch, reason: "sha256 differs"),
    .result(id, .failed, reason: "磁盘已满"),
    .cancel(id, reason: ""),
    .cancel(id, reason: "stopped by bob"),
  ]

  @Test(arguments: frames)
  func everyFileFrameSurvivesARoundTrip(_ file: FileFrame) throws {
    let frame = Frame.file(file)
    let bytes = encode([frame])
    #expect(bytes.count == frame.wireLength)
    #expect(bytes[4] == file.type.rawValue)
    #expect(decodeStream([bytes[...]]) == .success([frame]))
    // One byte at a time, as the slowest network would deliver it.
    #expect(decodeStream(bytes.indices.map { bytes[$0...$0] }) == .success([frame]))
    #expect(file.id == Self.id)
  }

  @Test func typesAre0x40To0x47AndTheRestOfTheRangeIsUnknown() {
    let files: [FileFrame] = [
      .offer(FileOffer(id: Self.id, size: 0, resumeKey: Self.key, peer: "", name: "a")),
      .accept(FileAccept(id: Self.id, offset: 0, window: 1)), .reject(Self.id, reason: ""),
      .chunk(FileChunk(id: Self.id, offset: 0, data: ByteBuffer(bytes: [1]))),
      .credit(Self.id, bytes: 1), .done(Self.id, sha256: []),
      .result(Self.id, .verified, reason: ""), .cancel(Self.id, reason: ""),
    ]
    let types = files.map { Frame.file($0).type }
    #expect(types.map(\.rawValue) == Array(0x40...0x47))
    for reserved in UInt8(0x48)...0x4f {
      #expect(FrameType(rawValue: reserved) == nil)
      let error = decodeStream([[0, 0, 0, 16, reserved] + [UInt8](repeating: 0, count: 16)]).error
      #expect(error?.code == .unknownFrameType, "0x\(String(reserved, radix: 16))")
    }
  }

  @Test func theAcceptExampleInTheProtocolDocumentIsExact() {
    let id = TransferID(bytes: (0..<16).map { UInt8($0 * 0x11) })!
    let frame = Frame.file(.accept(FileAccept(id: id, offset: 0, window: 4 << 20)))
    let expected = "0000001c41" + "00112233445566778899aabbccddeeff" + "0000000000000000" + "00400000"
    #expect(hexString(encode([frame])) == expected)
  }

  @Test func offerLengthsMatchTheDocument() {
    let shortest = Frame.file(.offer(FileOffer(id: Self.id, size: 0, resumeKey: Self.key, peer: "", name: "a")))
    #expect(shortest.payloadLength == 42)
    #expect(Frame.file(Self.frames[2]).payloadLength == 360)
  }

  /// A payload for `type` and the error it must give.
  struct Malformed: Sendable, CustomTestStringConvertible {
    var name: String
    var type: UInt8
    var payload: [UInt8]
    var code: ErrorCode
    var mentions: String
    var testDescription: String { name }
  }

  static let id16 = Array(0..<16) as [UInt8]
  static func offer(peer: [UInt8], name: [UInt8], peerLength: UInt8? = nil) -> [UInt8] {
    let size: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 9]
    let length: UInt8 = peerLength ?? UInt8(peer.count)
    var payload: [UInt8] = id16 + size
    payload += key
    payload.append(length)
    return payload + peer + name
  }

  static let malformed: [Malformed] = [
    Malformed(
      name: "offer without a file name", type: 0x40, payload: offer(peer: [], name: []), code: .malformedFrame,
      mentions: "at least"),
    Malformed(
      name: "offer cut inside the fixed fields", type: 0x40, payload: Array(offer(peer: [], name: [0x61]).prefix(30)),
      code: .malformedFrame, mentions: "at least"),
    Malformed(
      name: "offer with a 65-byte peer name", type: 0x40,
      payload: offer(peer: [UInt8](repeating: 0x61, count: 65), name: [0x61]), code: .malformedFrame,
      mentions: "peer name length 65"),
    Malformed(
      name: "offer whose peer name takes the rest (no file name)", type: 0x40,
      payload: offer(peer: Array("bob".utf8), name: []), code: .malformedFrame, mentions: "no file name"),
    Malformed(
      name: "offer whose peer length runs past the end", type: 0x40,
      payload: offer(peer: Array("bob".utf8), name: [], peerLength: 9), code: .malformedFrame, mentions: "peer name"),
    Malformed(
      name: "offer with a 256-byte file name", type: 0x40,
      payload: offer(peer: [], name: [UInt8](repeating: 0x61, count: 256)), code: .malformedFrame,
      mentions: "256 bytes"),
    Malformed(
      name: "offer with a file name that is not UTF-8", type: 0x40, payload: offer(peer: [], name: [0x61, 0xff]),
      code: .invalidUTF8, mentions: "file name"),
    Malformed(
      name: "offer with a peer name that is not UTF-8", type: 0x40, payload: offer(peer: [0xc3, 0x28], name: [0x61]),
      code: .invalidUTF8, mentions: "peer name"),
    Malformed(
      name: "accept of 27 bytes", type: 0x41, payload: id16 + [UInt8](repeating: 1, count: 11), code: .malformedFrame,
      mentions: "exactly 28"),
    Malformed(
      name: "accept of 29 bytes", type: 0x41, payload: id16 + [UInt8](repeating: 1, count: 13), code: .malformedFrame,
      mentions: "exactly 28"),
    Malformed(
      name: "accept with a window of 0", type: 0x41, payload: id16 + [UInt8](repeating: 0, count: 12),
      code: .malformedFrame, mentions: "window is 0"),
    Malformed(
      name: "reject shorter than an id", type: 0x42, payload: Array(id16.prefix(15)), code: .malformedFrame,
      mentions: "transfer id"),
    Malformed(
      name: "reject with a reason that is not UTF-8", type: 0x42, payload: id16 + [0xfe], code: .invalidUTF8,
      mentions: "reason"),
    Malformed(
      name: "chunk without data", type: 0x43, payload: id16 + [UInt8](repeating: 0, count: 8), code: .malformedFrame,
      mentions: "at least one byte of data"),
    Malformed(
      name: "credit of 19 bytes", type: 0x44, payload: id16 + [0, 0, 1], code: .malformedFrame, mentions: "exactly 20"),
    Malformed(
      name: "credit of 21 bytes", type: 0x44, payload: id16 + [0, 0, 0, 1, 0], code: .malformedFrame,
      mentions: "exactly 20"),
    Malformed(
      name: "credit of 0 bytes", type: 0x44, payload: id16 + [0, 0, 0, 0], code: .malformedFrame,
      mentions: "credit of 0"),
    Malformed(
      name: "done with a 31-byte hash", type: 0x45, payload: id16 + [UInt8](repeating: 0, count: 31),
      code: .malformedFrame, mentions: "exactly 48"),
    Malformed(
      name: "done with a 33-byte hash", type: 0x45, payload: id16 + [UInt8](repeating: 0, count: 33),
      code: .malformedFrame, mentions: "exactly 48"),
    Malformed(
      name: "result without a status", type: 0x46, payload: id16, code: .malformedFrame, mentions: "a status"),
    Malformed(
      name: "result of unknown status 3", type: 0x46, payload: id16 + [3], code: .malformedFrame,
      mentions: "unknown result status 3"),
    Malformed(
      name: "result with a reason that is not UTF-8", type: 0x46, payload: id16 + [2, 0x80], code: .invalidUTF8,
      mentions: "reason"),
    Malformed(name: "empty cancel", type: 0x47, payload: [], code: .malformedFrame, mentions: "transfer id"),
  ]

  @Test(arguments: malformed)
  func everyMalformedFileFrameIsRefusedClearly(_ bad: Malformed) throws {
    let length = UInt32(bad.payload.count)
    let header: [UInt8] = [
      UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff),
    ]
    let error = try #require(decodeStream([(header + [bad.type] + bad.payload)[...]]).error, "decoded")
    #expect(error.code == bad.code, "\(error.message)")
    #expect(error.message.contains(bad.mentions), "\(error.message)")
  }

  @Test func transferIDsAreSixteenBytesShownByTheirFirstFour() {
    #expect(TransferID(bytes: Array(0..<15)) == nil)
    #expect(TransferID(bytes: Array(0..<17)) == nil)
    let id = TransferID(bytes: [0xde, 0xad, 0xbe, 0xef] + [UInt8](repeating: 0, count: 12))!
    #expect(id.short == "deadbeef")
    #expect(id.description == "deadbeef")
    #expect(id.hexString == "deadbeef" + String(repeating: "0", count: 24))
    let fresh = (0..<8).map { _ in TransferID.random() }
    #expect(Set(fresh).count == 8, "random ids differ")
    #expect(fresh.allSatisfy { $0.bytes.count == TransferID.length && $0.short.count == 8 })
  }

  @Test func randomChunksSurviveARoundTripThroughRandomCuts() async {
    await propertyCheck(
      count: 200,
      input: Gen.uint64(), Gen.int(in: 0...255).array(of: 1...600), Gen.int(in: 1...97)
    ) { offset, data, cut in
      let frame = Frame.file(
        .chunk(FileChunk(id: Self.id, offset: offset, data: ByteBuffer(bytes: data.map(UInt8.init)))))
      let bytes = encode([frame, .ping(1), frame])
      let chunks = stride(from: 0, to: bytes.count, by: cut).map { bytes[$0..<min(bytes.count, $0 + cut)] }
      #expect(decodeStream(chunks) == .success([frame, .ping(1), frame]))
    }
  }
}
