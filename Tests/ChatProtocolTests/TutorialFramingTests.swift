import ChatProtocol
import NIOCore
import Testing

@Suite("Tutorial framing: struct.pack('i') lengths, split and merged reads, refusals")
struct TutorialFramingTests {
  /// Frames as `struct.pack('i', len(b)) + b` writes them on x86-64.
  static func frame(_ text: String) -> [UInt8] { frame(Array(text.utf8)) }

  static func frame(_ bytes: [UInt8]) -> [UInt8] {
    TutorialFrameDecoder.header(length: bytes.count) + bytes
  }

  static let texts = ["hello", "你好，世界", "", "a", String(repeating: "长", count: 300)]
  static let stream = texts.flatMap { frame($0) }

  /// Decodes `chunks` fed one after another into one buffer, as reads arrive.
  static func decode(
    _ chunks: [ArraySlice<UInt8>], limit: Int = 1 << 20
  ) -> Result<[String], TutorialFrameError> {
    let decoder = TutorialFrameDecoder(maximumPayloadLength: limit)
    var buffer = ByteBuffer()
    var texts: [String] = []
    do {
      for chunk in chunks {
        buffer.writeBytes(chunk)
        while let payload = try decoder.decode(&buffer) { texts.append(String(decoding: payload, as: UTF8.self)) }
      }
    } catch {
      return .failure(error)
    }
    return .success(texts)
  }

  @Test func headerIsStructPackIOnALittleEndianMachine() {
    // struct.pack('i', 0x12345678).hex() == '78563412' on x86-64.
    #expect(TutorialFrameDecoder.header(length: 0x1234_5678) == [0x78, 0x56, 0x34, 0x12])
    #expect(TutorialFrameDecoder.header(length: 5) == [5, 0, 0, 0])
    #expect(TutorialFrameDecoder.header(length: 0) == [0, 0, 0, 0])
  }

  @Test func severalFramesInOneRead() {
    #expect(Self.decode([Self.stream[...]]) == .success(Self.texts))
  }

  @Test func oneByteAtATime() {
    #expect(Self.decode(Self.stream.indices.map { Self.stream[$0...$0] }) == .success(Self.texts))
  }

  @Test func everySplitPointIntoTwoReads() {
    for cut in 0...Self.stream.count {
      let chunks = [Self.stream[..<cut], Self.stream[cut...]]
      #expect(Self.decode(chunks) == .success(Self.texts), "cut at \(cut)")
    }
  }

  @Test func lengthSplitAcrossReadsWaitsWithoutConsuming() throws {
    let decoder = TutorialFrameDecoder(maximumPayloadLength: 1024)
    var buffer = ByteBuffer(bytes: [6, 0])
    #expect(try decoder.decode(&buffer) == nil)
    #expect(buffer.readableBytes == 2)
    buffer.writeBytes([0, 0] + Array("你好".utf8).prefix(4))
    #expect(try decoder.decode(&buffer) == nil)
    #expect(buffer.readableBytes == 8)
    buffer.writeBytes(Array("你好".utf8).suffix(2))
    #expect(try decoder.decode(&buffer) == Array("你好".utf8))
    #expect(buffer.readableBytes == 0)
  }

  @Test func zeroLengthFramesAreMessagesOfNoBytes() {
    let bytes = Self.frame("") + Self.frame("") + Self.frame("x")
    #expect(Self.decode([bytes[...]]) == .success(["", "", "x"]))
  }

  @Test func negativeLengthIsRefusedAsSoonAsTheHeaderIsIn() throws {
    // struct.pack('i', -2): ff ff ff fe would be big-endian; little-endian is fe ff ff ff.
    let result = Self.decode([[0xfe, 0xff, 0xff, 0xff][...]])
    guard case .failure(let error) = result else {
      Issue.record("a negative length was accepted")
      return
    }
    #expect(error == .negativeLength(-2, header: [0xfe, 0xff, 0xff, 0xff]))
    #expect(error.description.contains("negative length (-2"))
  }

  @Test func oversizedLengthIsRefusedBeforeThePayloadArrives() throws {
    // 0x7fffffff announced: refused with only the header in, nothing set aside for it.
    let result = Self.decode([[0xff, 0xff, 0xff, 0x7f][...]])
    #expect(result == .failure(.tooLarge(Int(Int32.max), limit: 1 << 20, header: [0xff, 0xff, 0xff, 0x7f])))
  }

  @Test func theLimitIsExact() {
    let payload = [UInt8](repeating: 0x61, count: 1024)
    #expect(Self.decode([Self.frame(payload)[...]], limit: 1024) == .success([String(repeating: "a", count: 1024)]))
    let tooLarge = Self.frame(payload + [0x61])
    guard case .failure(.tooLarge(1025, limit: 1024, _)) = Self.decode([tooLarge[...]], limit: 1024) else {
      Issue.record("1025 bytes passed a 1024-byte limit")
      return
    }
  }

  @Test func refusalsGuessTheUsualMistakes() {
    // chat's own hello: a big-endian length, so a small one starts with 00.
    let chat = TutorialFrameError.tooLarge(0x5001_0000, limit: 1024, header: [0, 0, 1, 0x50])
    #expect(chat.description.contains("chat's own protocol"))
    // A bare reply such as the tutorial's uppercase echo.
    let bare = TutorialFrameError.tooLarge(0x4C4C_4548, limit: 1024, header: Array("HELL".utf8))
    #expect(bare.description.contains("without a length header"))
    let random = TutorialFrameError.negativeLength(-1, header: [0x9a, 0x11, 0xe0, 0xfc])
    #expect(random.description.contains("hmac challenge"))
  }

  @Test func randomChunkingNeverChangesTheMessages() {
    var generator = SplitMix(seed: 15)
    for _ in 0..<200 {
      var chunks: [ArraySlice<UInt8>] = []
      var start = 0
      while start < Self.stream.count {
        let length = Int(generator.next() % 40)
        let end = min(Self.stream.count, start + length)
        chunks.append(Self.stream[start..<end])
        start = end
      }
      #expect(Self.decode(chunks) == .success(Self.texts))
    }
  }

  @Test func garbageNeverCrashesOrAllocatesBeyondTheLimit() {
    var generator = SplitMix(seed: 4)
    for _ in 0..<2000 {
      let bytes = (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      let decoder = TutorialFrameDecoder(maximumPayloadLength: 32)
      var buffer = ByteBuffer(bytes: bytes)
      while let payload = try? decoder.decode(&buffer) { #expect(payload.count <= 32) }
    }
  }
}
