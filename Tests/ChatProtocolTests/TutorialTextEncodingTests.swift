import ChatProtocol
import Testing

@Suite("Tutorial text encodings: GBK and GB18030 both ways, undecodable bytes escaped")
struct TutorialTextEncodingTests {
  @Test func gbkRoundTrip() throws {
    // '你好，世界'.encode('gbk').hex() == 'c4e3bac3a3accac0bde7'
    let bytes: [UInt8] = [0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac, 0xca, 0xc0, 0xbd, 0xe7]
    #expect(try TutorialTextEncoding.gbk.encode("你好，世界").get() == bytes)
    #expect(TutorialTextEncoding.gbk.decode(bytes) == "你好，世界")
    #expect(TutorialTextEncoding.gbk.decode(Array("plain ASCII".utf8)) == "plain ASCII")
  }

  @Test func gb18030WritesWhatGBKCannot() throws {
    // '😀'.encode('gb18030').hex() == '9439fc36'
    #expect(try TutorialTextEncoding.gb18030.encode("😀").get() == [0x94, 0x39, 0xfc, 0x36])
    #expect(TutorialTextEncoding.gb18030.decode([0xc4, 0xe3, 0x94, 0x39, 0xfc, 0x36]) == "你😀")
    #expect(TutorialTextEncoding.gbk.encode("hi 😀") == .failure(EncodingRefusal(encoding: .gbk, scalar: "😀")))
    #expect(EncodingRefusal(encoding: .gbk, scalar: "😀").description == "U+1F600 can't be written in GBK")
  }

  @Test func undecodableBytesAreEscapedNotDropped() {
    // b'\xc4\xe3\xff\x41\xba'.decode('gbk', errors='backslashreplace') == '你\xffA\xba'
    #expect(TutorialTextEncoding.gbk.decode([0xc4, 0xe3, 0xff, 0x41, 0xba]) == "你\\xFFA\\xBA")
    #expect(TutorialTextEncoding.gbk.decode([0xff]) == "\\xFF")
    #expect(TutorialTextEncoding.gbk.decode([]) == "")
  }

  @Test func invalidUTF8IsEscapedByteByByte() {
    #expect(TutorialTextEncoding.utf8.decode(Array("你好".utf8)) == "你好")
    // The first two bytes of 你 (a cut character), then an ASCII letter, then a stray 0xff.
    #expect(TutorialTextEncoding.utf8.decode([0xe4, 0xbd, 0x41, 0xff]) == "\\xE4\\xBDA\\xFF")
  }

  @Test func namesAreRead() {
    #expect(TutorialTextEncoding(name: "GBK") == .gbk)
    #expect(TutorialTextEncoding(name: "cp936") == .gbk)
    #expect(TutorialTextEncoding(name: "utf8") == .utf8)
    #expect(TutorialTextEncoding(name: "GB18030") == .gb18030)
    #expect(TutorialTextEncoding(name: "latin1") == nil)
    #expect(TutorialTextEncoding.gbk.unavailability == nil)
  }

  @Test func randomBytesAlwaysDecodeToSomething() {
    var generator = SplitMix(seed: 936)
    for _ in 0..<500 {
      let bytes = (0..<Int(generator.next() % 24)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      for encoding in TutorialTextEncoding.allCases {
        let text = encoding.decode(bytes)
        #expect(bytes.isEmpty || !text.isEmpty)
      }
    }
  }
}
