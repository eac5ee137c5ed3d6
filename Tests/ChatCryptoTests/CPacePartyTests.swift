import ChatCrypto
import Testing

/// Whole runs between two parties: agreement, disagreement, and a second vector from the
/// independent Python implementation with inputs the draft's vector doesn't cover.
@Suite("CPace parties")
struct CPacePartyTests {
  func run(
    passwordA: String, passwordB: String, sessionID: [UInt8] = Array(0..<16), channel: [UInt8] = Array("ci".utf8)
  ) throws -> (initiator: [UInt8], responder: [UInt8]) {
    let a = CPaceParty(
      password: Array(passwordA.utf8), channelIdentifier: channel, sessionID: sessionID,
      associatedData: Array("alice".utf8))
    let b = CPaceParty(
      password: Array(passwordB.utf8), channelIdentifier: channel, sessionID: sessionID,
      associatedData: Array("bob".utf8))
    let keyA = try a.intermediateSessionKey(
      peerShare: b.share, peerAssociatedData: Array("bob".utf8), isInitiator: true)
    let keyB = try b.intermediateSessionKey(
      peerShare: a.share, peerAssociatedData: Array("alice".utf8), isInitiator: false)
    return (keyA, keyB)
  }

  @Test("the same password gives the same ISK, with fresh random scalars each run")
  func agreement() throws {
    let first = try run(passwordA: "correct horse", passwordB: "correct horse")
    #expect(first.initiator == first.responder)
    let second = try run(passwordA: "correct horse", passwordB: "correct horse")
    #expect(second.initiator == second.responder)
    #expect(second.initiator != first.initiator)
  }

  @Test("a different password gives different ISKs")
  func wrongPassword() throws {
    let keys = try run(passwordA: "correct horse", passwordB: "correct hors")
    #expect(keys.initiator != keys.responder)
  }

  @Test("both claiming the initiator role gives different ISKs")
  func roleMismatch() throws {
    let a = CPaceParty(password: [1], channelIdentifier: [], sessionID: [], associatedData: [0xA])
    let b = CPaceParty(password: [1], channelIdentifier: [], sessionID: [], associatedData: [0xB])
    let keyA = try a.intermediateSessionKey(peerShare: b.share, peerAssociatedData: [0xB], isInitiator: true)
    let keyB = try b.intermediateSessionKey(peerShare: a.share, peerAssociatedData: [0xA], isInitiator: true)
    #expect(keyA != keyB)
  }

  @Test("generators differ with the password, the channel and the session ID")
  func generatorInputs() {
    let base = CPace.generator(password: [1, 2], channelIdentifier: [3], sessionID: [4])
    #expect(base.count == 32)
    #expect(base == CPace.generator(password: [1, 2], channelIdentifier: [3], sessionID: [4]))
    #expect(base != CPace.generator(password: [1, 3], channelIdentifier: [3], sessionID: [4]))
    #expect(base != CPace.generator(password: [1, 2], channelIdentifier: [4], sessionID: [4]))
    #expect(base != CPace.generator(password: [1, 2], channelIdentifier: [3], sessionID: [5]))
    // Length prefixes keep field boundaries: moving a byte from PRS to CI changes g.
    #expect(base != CPace.generator(password: [1], channelIdentifier: [2, 3], sessionID: [4]))
  }

  /// Computed by scripts/cpace-reference.py (plain-integer Python, see the script): a 200-byte
  /// password (two-byte LEB128 length, no zero padding), an empty CI, scalars 0x11… and 0x22…,
  /// AD "alice" and "bob".
  @Test("a second vector: long password, empty channel identifier")
  func referenceVector() throws {
    let password = (0..<200).map { UInt8($0) }
    let sessionID = bytes(hex: "00112233445566778899aabbccddeeff")
    let g = CPace.generator(password: password, channelIdentifier: [], sessionID: sessionID)
    #expect(hex(g) == "771ad83b5ef2cbb511bb9f0cec20074d4dbdb3fc0fb65cf14018ed225c462b7d")
    let generatorString = CPace.generatorString(password: password, channelIdentifier: [], sessionID: sessionID)
    #expect(generatorString.count == 230)
    #expect(hex(Array(generatorString.prefix(12))) == "084350616365323535c80100")
    let a = CPaceParty(
      password: password, channelIdentifier: [], sessionID: sessionID, associatedData: Array("alice".utf8),
      scalar: [UInt8](repeating: 0x11, count: 32))
    let b = CPaceParty(
      password: password, channelIdentifier: [], sessionID: sessionID, associatedData: Array("bob".utf8),
      scalar: [UInt8](repeating: 0x22, count: 32))
    #expect(hex(a.share) == "dddab955f819576887026751d4ee0a879bb37b566b53f21a34aac1c307e91b24")
    #expect(hex(b.share) == "6493e9efc4aeccfceda70b3dd07eee06da27683e7fb21468b2ea73640b295917")
    let isk =
      "4a80cbfc31e7c5360530c785c49d9c9f32979fd901c8aa9caae29715fae77a89"
      + "021e58b9ce0fdc0485dd7c9202ae9d79d0ca256af2e9c65b81d050394ef76f2d"
    let keyA = try a.intermediateSessionKey(
      peerShare: b.share, peerAssociatedData: Array("bob".utf8), isInitiator: true)
    let keyB = try b.intermediateSessionKey(
      peerShare: a.share, peerAssociatedData: Array("alice".utf8), isInitiator: false)
    #expect(hex(keyA) == isk)
    #expect(keyB == keyA)
  }
}
