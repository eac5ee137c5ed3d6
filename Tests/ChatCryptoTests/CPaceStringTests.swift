import ChatCrypto
import Testing

/// The string utilities against the draft's own vectors for them (appendix "CPace function
/// definitions"), which exercise lengths the protocol vector doesn't (0, 127, 128).
@Suite("CPace string utilities")
struct CPaceStringTests {
  @Test("prepend_len: LEB128 length, one byte up to 127, two from 128")
  func prependLength() {
    #expect(CPaceStrings.prependLength([]) == [0x00])
    #expect(CPaceStrings.prependLength(Array("1234".utf8)) == bytes(hex: "0431323334"))
    let short = (0..<127).map { UInt8($0) }
    #expect(CPaceStrings.prependLength(short) == [0x7F] + short)
    let long = (0..<128).map { UInt8($0) }
    #expect(CPaceStrings.prependLength(long) == [0x80, 0x01] + long)
    #expect(CPaceStrings.prependLength([UInt8](repeating: 7, count: 300)).prefix(2) == [0xAC, 0x02])
  }

  @Test("lv_cat")
  func lengthValueConcatenation() {
    let result = CPaceStrings.lengthValueConcatenation(Array("1234".utf8), Array("5".utf8), [], Array("678".utf8))
    #expect(result == bytes(hex: "043132333401350003363738"))
  }

  @Test("lexiographically_larger")
  func lexicographicOrder() {
    #expect(!CPaceStrings.isLexicographicallyLarger([0], [0, 0]))
    #expect(CPaceStrings.isLexicographicallyLarger([1], [0, 0]))
    #expect(CPaceStrings.isLexicographicallyLarger([0, 0], [0]))
    #expect(!CPaceStrings.isLexicographicallyLarger([0, 0], [1]))
    #expect(!CPaceStrings.isLexicographicallyLarger([0, 1], [1]))
    #expect(!CPaceStrings.isLexicographicallyLarger(Array("ABCD".utf8), Array("BCD".utf8)))
  }

  @Test("o_cat")
  func orderedConcatenation() {
    #expect(
      CPaceStrings.orderedConcatenation(Array("ABCD".utf8), Array("BCD".utf8)) == bytes(hex: "6f6342434441424344"))
    #expect(
      CPaceStrings.orderedConcatenation(Array("BCD".utf8), Array("ABCDE".utf8)) == bytes(hex: "6f634243444142434445"))
  }

  @Test("transcript_ir")
  func transcriptInitiatorResponder() {
    let first = CPaceStrings.transcriptInitiatorResponder(
      initiatorShare: Array("123".utf8), initiatorData: Array("PartyA".utf8),
      responderShare: Array("234".utf8), responderData: Array("PartyB".utf8))
    #expect(first == bytes(hex: "03313233065061727479410332333406506172747942"))
    let second = CPaceStrings.transcriptInitiatorResponder(
      initiatorShare: Array("3456".utf8), initiatorData: Array("PartyA".utf8),
      responderShare: Array("2345".utf8), responderData: Array("PartyB".utf8))
    #expect(second == bytes(hex: "043334353606506172747941043233343506506172747942"))
  }

  @Test("transcript_oc, the same whichever party computes it")
  func transcriptOrdered() {
    let first = CPaceStrings.transcriptOrdered(
      shareA: Array("123".utf8), dataA: Array("PartyA".utf8), shareB: Array("234".utf8), dataB: Array("PartyB".utf8))
    #expect(first == bytes(hex: "6f6303323334065061727479420331323306506172747941"))
    let swapped = CPaceStrings.transcriptOrdered(
      shareA: Array("234".utf8), dataA: Array("PartyB".utf8), shareB: Array("123".utf8), dataB: Array("PartyA".utf8))
    #expect(swapped == first)
    let second = CPaceStrings.transcriptOrdered(
      shareA: Array("3456".utf8), dataA: Array("PartyA".utf8), shareB: Array("2345".utf8), dataB: Array("PartyB".utf8))
    #expect(second == bytes(hex: "6f63043334353606506172747941043233343506506172747942"))
  }

  @Test("generator_string pads to the hash block only while the password is short")
  func generatorStringPadding() {
    let dsi = Array("CPace255".utf8)
    let short = CPaceStrings.generatorString(
      domainSeparator: dsi, password: Array("pw".utf8), channelIdentifier: [], sessionID: [], hashBlockLength: 128)
    // DSI (9) + PRS (3) + padding (1 + 115) = 128, then CI and sid (one byte each).
    #expect(short.count == 130)
    #expect(short[12] == 115)
    let long = CPaceStrings.generatorString(
      domainSeparator: dsi, password: [UInt8](repeating: 1, count: 200), channelIdentifier: [], sessionID: [],
      hashBlockLength: 128)
    // 9 + (2 + 200) + an empty padding field (1) + 1 + 1.
    #expect(long.count == 214)
  }
}
