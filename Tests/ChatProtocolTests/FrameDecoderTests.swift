import ChatProtocol
import NIOCore
import PropertyBased
import Testing

@Suite("Frame decoder: sticky and split packets, limits, bad input")
struct FrameDecoderTests {
  static let sample: [Frame] = [
    .text(TextMessage(sequence: 1, text: "hello")),
    .ping(42),
    .text(TextMessage(sequence: 2, text: "你好，世界 🌏")),
    .pong(42),
    .bye(Goodbye(code: .userQuit, reason: "再见")),
  ]

  @Test func manyFramesInOneRead() {
    #expect(decodeStream([encode(Self.sample)[...]]) == .success(Self.sample))
  }

  @Test func oneByteAtATime() {
    let bytes = encode(Self.sample)
    #expect(decodeStream(bytes.indices.map { bytes[$0...$0] }) == .success(Self.sample))
  }

  @Test func everySplitPointIntoTwoReads() {
    let bytes = encode(Self.sample)
    for cut in 0...bytes.count {
      #expect(decodeStream([bytes[..<cut], bytes[cut...]]) == .success(Self.sample), "cut at \(cut)")
    }
  }

  @Test func everyPairOfSplitPointsIntoThreeReads() {
    let bytes = encode(Array(Self.sample.prefix(3)))
    for first in 0...bytes.count {
      for second in first...bytes.count {
        let chunks = [bytes[..<first], bytes[first..<second], bytes[second...]]
        #expect(decodeStream(chunks) == .success(Array(Self.sample.prefix(3))), "cuts at \(first), \(second)")
      }
    }
  }

  @Test func partialFrameWaitsWithoutConsuming() throws {
    var decoder = FrameDecoder()
    var buffer = ByteBuffer(bytes: encode([.ping(7)]).dropLast())
    #expect(try decoder.decode(&buffer) == nil)
    #expect(buffer.readableBytes == FrameHeader.size + 7)
    buffer.writeBytes(encode([.ping(7)]).suffix(1))
    #expect(try decoder.decode(&buffer) == .ping(7))
    #expect(buffer.readableBytes == 0)
  }

  @Test func oversizeHeaderFailsBeforeThePayloadArrives() throws {
    // Only the five header bytes: the decoder must refuse now, not wait for 2 GiB.
    let header: [UInt8] = [0x80, 0x00, 0x00, 0x00, FrameType.text.rawValue]
    let error = try #require(decodeStream([header[...]]).error, "an oversize header was accepted")
    #expect(error.code == .frameTooLarge)
    #expect(error.message.contains("2147483648"))
  }

  @Test func configuredMaximumIsEnforcedExactly() throws {
    let text = String(repeating: "a", count: 100)
    let frame = Frame.text(TextMessage(sequence: 1, text: text))
    #expect(decodeStream([encode([frame])[...]], maximumPayloadLength: 108) == .success([frame]))
    let error = try #require(
      decodeStream([encode([frame])[...]], maximumPayloadLength: 107).error,
      "a payload one byte over the maximum was accepted")
    #expect(error.code == .frameTooLarge)
  }

  @Test func garbageNeverCrashesAndEndsInAFrameOrAnError() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      let count = Int.random(in: 0...64, using: &generator)
      let garbage = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
      // Any outcome is fine except a crash; a decode that "succeeds" must re-encode the same.
      if case .success(let frames) = decodeStream([garbage[...]]) {
        let consumed = encode(frames)
        #expect(Array(garbage.prefix(consumed.count)) == consumed)
      }
    }
  }

  @Test(arguments: [("GET / HTTP/1.1\r\n", "HTTP"), ("SSH-2.0-OpenSSH_9.2\r\n", "SSH")])
  func foreignProtocolsAreNamed(text: String, word: String) throws {
    let error = try #require(decodeStream([Array(text.utf8)[...]]).error, "\(word) was not refused")
    #expect(error.code == .notChatProtocol)
    #expect(error.message.contains(word))
  }

  @Test func randomFramesSurviveRandomCuts() async {
    let mixedCharacter = Gen<Character?>.element(of: Array("aZ9 中文字你好😀é\u{301}\t") as [Character]).map { $0! }
    let frameGenerator = Gen<Frame>.oneOf(
      mixedCharacter.string(of: 1...40).map { Frame.text(TextMessage(sequence: 1, text: $0)) },
      Gen.uint64().map { Frame.ping($0) },
      Gen.uint64().map { Frame.pong($0) },
      Gen.letterOrNumber.string(of: 0...20).map { Frame.bye(Goodbye(code: .shuttingDown, reason: $0)) },
      Gen.int(in: 0...3000).map { Frame.text(TextMessage(sequence: 9, text: String(repeating: "中", count: $0 + 1))) }
    )
    await propertyCheck(
      count: 300,
      input: frameGenerator.array(of: 1...12),
      Gen.int(in: 1...400).array(of: 1...30)
    ) { frames, cuts in
      let bytes = encode(frames)
      var chunks: [ArraySlice<UInt8>] = []
      var start = 0
      for length in cuts where start < bytes.count {
        let end = min(bytes.count, start + length)
        chunks.append(bytes[start..<end])
        start = end
      }
      chunks.append(bytes[start...])
      #expect(decodeStream(chunks) == .success(frames))
    }
  }
}
