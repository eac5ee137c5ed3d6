import ChatCrypto
import Crypto
import Testing

/// Every value of the draft's X25519/SHA-512 vector (Resources/cpace-x25519-vectors.json),
/// step by step: a failure names the first step that differs.
@Suite("CPace X25519/SHA-512 vectors")
struct CPaceVectorTests {
  let suite: CPaceVectors.Suite
  let intermediate: CPaceVectors.Intermediate

  init() throws {
    let vectors = try CPaceVectors.load()
    suite = vectors.suite
    intermediate = vectors.intermediate
  }

  var password: [UInt8] { bytes(hex: suite.password) }
  var channelIdentifier: [UInt8] { bytes(hex: suite.channelIdentifier) }
  var sessionID: [UInt8] { bytes(hex: suite.sessionID) }

  func partyA() -> CPaceParty {
    CPaceParty(
      password: password, channelIdentifier: channelIdentifier, sessionID: sessionID,
      associatedData: bytes(hex: suite.dataA), scalar: bytes(hex: suite.scalarA))
  }

  func partyB() -> CPaceParty {
    CPaceParty(
      password: password, channelIdentifier: channelIdentifier, sessionID: sessionID,
      associatedData: bytes(hex: suite.dataB), scalar: bytes(hex: suite.scalarB))
  }

  @Test("the inputs are the draft's (PRS 'Password', ADa 'ADa', ADb 'ADb')")
  func inputs() {
    #expect(password == Array("Password".utf8))
    #expect(bytes(hex: suite.dataA) == Array("ADa".utf8))
    #expect(bytes(hex: suite.dataB) == Array("ADb".utf8))
  }

  @Test("generator string (ZPAD length 109)")
  func generatorString() {
    let string = CPace.generatorString(password: password, channelIdentifier: channelIdentifier, sessionID: sessionID)
    #expect(hex(string) == intermediate.generatorString.lowercased())
    #expect(string.count == 170)
  }

  @Test("hash of the generator string, and the field element decoded from it")
  func generatorHashAndDecodedElement() {
    let string = CPace.generatorString(password: password, channelIdentifier: channelIdentifier, sessionID: sessionID)
    let hash = Array(Array(SHA512.hash(data: string)).prefix(32))
    #expect(hex(hash) == intermediate.generatorHash.lowercased())
    // decodeUCoordinate clears bit 255 (d3 -> 53); the value is below p, so it encodes back as is.
    #expect(hex(Field25519(decoding: hash).encoded) == intermediate.decodedElement.lowercased())
  }

  @Test("generator g")
  func generator() {
    let g = CPace.generator(password: password, channelIdentifier: channelIdentifier, sessionID: sessionID)
    #expect(hex(g) == suite.generator.lowercased())
  }

  @Test("shares Ya and Yb from the draft's scalars")
  func shares() {
    #expect(hex(partyA().share) == suite.shareA.lowercased())
    #expect(hex(partyB().share) == suite.shareB.lowercased())
    #expect(partyA().share.count == CPace.shareLength)
  }

  @Test("K = scalar_mult_vfy(ya, Yb) = scalar_mult_vfy(yb, Ya)")
  func sharedPoint() throws {
    let fromA = try X25519.scalarMultiply(scalar: bytes(hex: suite.scalarA), point: bytes(hex: suite.shareB))
    let fromB = try X25519.scalarMultiply(scalar: bytes(hex: suite.scalarB), point: bytes(hex: suite.shareA))
    #expect(hex(fromA) == suite.sharedPoint.lowercased())
    #expect(hex(fromB) == suite.sharedPoint.lowercased())
  }

  @Test("transcript_ir and the ISK's hash input")
  func initiatorResponderTranscript() {
    let transcript = CPaceStrings.transcriptInitiatorResponder(
      initiatorShare: bytes(hex: suite.shareA), initiatorData: bytes(hex: suite.dataA),
      responderShare: bytes(hex: suite.shareB), responderData: bytes(hex: suite.dataB))
    #expect(hex(transcript) == intermediate.transcriptIR.lowercased())
    let input =
      CPaceStrings.lengthValueConcatenation(Array("CPace255_ISK".utf8), sessionID, bytes(hex: suite.sharedPoint))
      + transcript
    #expect(hex(input) == intermediate.keyInputIR.lowercased())
  }

  @Test("ISK_IR, from both sides")
  func initiatorResponderKey() throws {
    let keyA = try partyA().intermediateSessionKey(
      peerShare: bytes(hex: suite.shareB), peerAssociatedData: bytes(hex: suite.dataB), isInitiator: true)
    let keyB = try partyB().intermediateSessionKey(
      peerShare: bytes(hex: suite.shareA), peerAssociatedData: bytes(hex: suite.dataA), isInitiator: false)
    #expect(hex(keyA) == suite.keyIR.lowercased())
    #expect(keyB == keyA)
    #expect(keyA.count == 64)
  }

  @Test("transcript_oc, its ISK input, and ISK_SY from both sides")
  func orderedKey() throws {
    let transcript = CPaceStrings.transcriptOrdered(
      shareA: bytes(hex: suite.shareA), dataA: bytes(hex: suite.dataA), shareB: bytes(hex: suite.shareB),
      dataB: bytes(hex: suite.dataB))
    #expect(hex(transcript) == intermediate.transcriptOC.lowercased())
    let input =
      CPaceStrings.lengthValueConcatenation(Array("CPace255_ISK".utf8), sessionID, bytes(hex: suite.sharedPoint))
      + transcript
    #expect(hex(input) == intermediate.keyInputOC.lowercased())
    let keyA = try partyA().intermediateSessionKeyOrdered(
      peerShare: bytes(hex: suite.shareB), peerAssociatedData: bytes(hex: suite.dataB))
    let keyB = try partyB().intermediateSessionKeyOrdered(
      peerShare: bytes(hex: suite.shareA), peerAssociatedData: bytes(hex: suite.dataA))
    #expect(hex(keyA) == suite.keyOC.lowercased())
    #expect(keyB == keyA)
  }
}
