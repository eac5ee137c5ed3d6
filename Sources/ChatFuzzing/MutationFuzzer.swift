import ChatProtocol
import NIOCore

/// A small coverage-blind mutation fuzzer, for machines and CI runs without libFuzzer's
/// instrumentation: it starts from valid inputs (``seedCorpus``), mutates them (bit flips,
/// byte changes, inserts, deletes, splices, lengths set to edge values) and runs each
/// through ``FuzzHarness/run(_:)``. Deterministic for a given seed.
public struct MutationFuzzer {
  private var generator: SplitMix
  private var corpus: [[UInt8]]

  public init(seed: UInt64, corpus: [[UInt8]] = MutationFuzzer.seedCorpus) {
    generator = SplitMix(seed: seed)
    self.corpus = corpus
  }

  /// The next input to try.
  public mutating func next() -> [UInt8] {
    var input = corpus[Int(generator.next() % UInt64(corpus.count))]
    let mutations = 1 + Int(generator.next() % 6)
    for _ in 0..<mutations { mutate(&input) }
    if input.count > 1 << 14 { input.removeLast(input.count - (1 << 14)) }
    return input
  }

  private mutating func mutate(_ input: inout [UInt8]) {
    let position = input.isEmpty ? 0 : Int(generator.next() % UInt64(input.count))
    switch generator.next() % 8 {
    case 0 where !input.isEmpty:
      input[position] ^= 1 << UInt8(generator.next() % 8)
    case 1 where !input.isEmpty:
      input[position] = UInt8(truncatingIfNeeded: generator.next())
    case 2:
      input.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
    case 3 where !input.isEmpty:
      input.removeSubrange(position..<min(input.count, position + 1 + Int(generator.next() % 8)))
    case 4:
      let other = corpus[Int(generator.next() % UInt64(corpus.count))].dropFirst(2)
      input.insert(contentsOf: other, at: position)
    case 5 where input.count >= position + 4:
      // A length or sequence field set to an edge value.
      let edges: [UInt32] = [0, 1, 0x7f, 0xff, 0x1000, 0x1001, 0x7fff_ffff, 0xffff_ffff]
      let value = edges[Int(generator.next() % UInt64(edges.count))]
      withUnsafeBytes(of: value.bigEndian) { bytes in
        for index in 0..<4 { input[position + index] = bytes[index] }
      }
    case 6 where !input.isEmpty:
      // Scenario byte: another role, secret, handshake or resume setting.
      input[0] = UInt8(truncatingIfNeeded: generator.next())
    default:
      input.append(contentsOf: [0xef, 0xbf, 0xbf, 0xc3, 0x28, 0xf0, 0x9f, 0x98][..<Int(1 + generator.next() % 8)])
    }
  }

  /// Valid streams to start from: each frame type, a handshake, a conversation.
  public static var seedCorpus: [[UInt8]] {
    func stream(_ frames: [Frame]) -> [UInt8] {
      var buffer = ByteBuffer()
      for frame in frames { frame.encode(into: &buffer) }
      return Array(buffer.readableBytesView)
    }
    let id = SessionID(bytes: [UInt8](repeating: 5, count: SessionID.length))
    let hello = Hello(
      offersAuth: false, maximumPayloadLength: 4096, nonce: [UInt8](repeating: 1, count: Hello.nonceLength),
      name: "小明", capabilities: [Capability.room, Capability.resume])
    let conversation: [Frame] = [
      .text(TextMessage(sequence: 1, text: "你好")), .ack(1), .ping(42), .pong(42),
      .roomText(RoomText(sequence: 3, sender: "ann", text: "hi")),
      .roomEvent(RoomEvent(kind: .joined, participantCount: 2, name: "ben", detail: "127.0.0.1:1")),
      .refused(Refusal(sequence: 1, reason: "slow down")), .whoRequest,
      .text(TextMessage(sequence: 2, text: "second")), .bye(Goodbye(code: .userQuit, reason: "bye")),
    ]
    // Every file frame (0x40–0x47) once: mutations reach each one's length and UTF-8 checks.
    let transfer = TransferID(bytes: [UInt8](repeating: 0x1f, count: TransferID.length))!
    let files: [Frame] = [
      .file(
        .offer(
          FileOffer(
            id: transfer, size: 3, resumeKey: [UInt8](repeating: 2, count: FileOffer.resumeKeyLength), peer: "ann",
            name: "文件.txt"))),
      .file(.accept(FileAccept(id: transfer, offset: 0, window: 4 << 20))),
      .file(.chunk(FileChunk(id: transfer, offset: 0, data: ByteBuffer(bytes: [1, 2, 3])))),
      .file(.credit(transfer, bytes: 65536)),
      .file(.done(transfer, sha256: [UInt8](repeating: 0xab, count: FileFrame.hashLength))),
      .file(.result(transfer, .verified, reason: "")),
      .file(.reject(transfer, reason: "no thanks")),
      .file(.cancel(transfer, reason: "stopped")),
    ]
    return [
      [0x00, 7] + stream([.hello(hello), .session(SessionRequest(sessionID: .none, lastReceived: 0))]),
      [0x05, 3]
        + stream([.hello(hello), .sessionAccept(SessionAcceptance(sessionID: id, resumed: true, lastReceived: 0))]),
      [0x02, 11]
        + stream([
          .hello(
            Hello(offersAuth: true, maximumPayloadLength: 4096, nonce: [UInt8](repeating: 2, count: 32), name: "eve")),
          .cpace([UInt8](repeating: 0, count: 32)), .noise([UInt8](repeating: 1, count: 32)),
        ]),
      [0x0c, 5] + stream(conversation),
      [0x0d, 1] + stream(conversation),
      [0x1d, 64] + stream(conversation.reversed()),
      [0x0c, 23] + stream(files + [.text(TextMessage(sequence: 1, text: "after the files"))]),
      [0x19, 40] + stream(files),
      [0x08, 2] + stream([.error(ErrorReport(code: .busy, message: "full"))]),
      // Whole handshakes as a genuine peer sends them (CPace with a secret, Noise, then
      // sealed records): mutations of these reach the handshake's and the decryptor's checks.
      [0x06, 13]
        + stream(
          HandshakenSession.make(.init(role: .listener, secret: true, resume: true, keepsUndelivered: false)).peerFrames
        ),
      [0x01, 17]
        + stream(
          HandshakenSession.make(.init(role: .connector, secret: false, resume: false, keepsUndelivered: false))
            .peerFrames),
      [0x03, 64]
        + stream(
          HandshakenSession.make(.init(role: .connector, secret: true, resume: false, keepsUndelivered: false))
            .peerFrames),
      [0x00, 9] + Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
      [0x00, 9] + [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03],
    ]
  }
}

/// SplitMix64, seedable, so a run can be repeated.
struct SplitMix {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
