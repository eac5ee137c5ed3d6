import ChatCrypto
import Testing

/// The draft's low-order and non-canonical points for G_X25519.scalar_mult_vfy: each gives
/// the expected q, and exactly those with q = neutral element (u0–u5, u7) make a party abort.
@Suite("CPace low-order and non-canonical points")
struct CPaceLowOrderTests {
  static let table = CPaceVectors.shared.lowOrder

  @Test("the table is the draft's: twelve points, seven must abort, the same as testvectors.json")
  func table() throws {
    let vectors = try CPaceVectors.load()
    #expect(Self.table.points.count == 12)
    #expect(Self.table.points.filter(\.mustAbort).map(\.name) == ["u0", "u1", "u2", "u3", "u4", "u5", "u7"])
    for (index, point) in Self.table.points.enumerated() {
      #expect(vectors.points["Invalid Y\(index)"] == point.u)
    }
  }

  @Test("scalar_mult_vfy(s, u) = q", arguments: CPaceVectors.shared.lowOrder.points)
  func scalarMultiplication(point: CPaceVectors.LowOrder.Point) throws {
    let q = try X25519.scalarMultiply(scalar: bytes(hex: Self.table.s), point: bytes(hex: point.u))
    #expect(hex(q) == point.q.lowercased(), "\(point.name)")
    #expect(X25519.isAllZero(q) == point.mustAbort, "\(point.name)")
  }

  @Test(
    "a party receiving the point aborts exactly when the draft says",
    arguments: CPaceVectors.shared.lowOrder.points)
  func partyAborts(point: CPaceVectors.LowOrder.Point) throws {
    let party = CPaceParty(
      password: Array("Password".utf8), channelIdentifier: [], sessionID: [], associatedData: [],
      scalar: bytes(hex: Self.table.s))
    let peerShare = bytes(hex: point.u)
    let results = [
      Result { () throws(CPaceError) in
        try party.intermediateSessionKey(peerShare: peerShare, peerAssociatedData: [], isInitiator: true)
      },
      Result { () throws(CPaceError) in
        try party.intermediateSessionKey(peerShare: peerShare, peerAssociatedData: [], isInitiator: false)
      },
      Result { () throws(CPaceError) in
        try party.intermediateSessionKeyOrdered(peerShare: peerShare, peerAssociatedData: [])
      },
    ]
    for result in results {
      switch result {
      case .success(let key):
        #expect(!point.mustAbort, "\(point.name) must abort")
        #expect(key.count == 64)
      case .failure(let error):
        #expect(point.mustAbort, "\(point.name) must not abort: \(error)")
        #expect(error == .invalidShare("the share is a low-order point"))
      }
    }
  }

  @Test("a share of the wrong length is refused", arguments: [0, 31, 33, 64])
  func wrongLength(length: Int) {
    let party = CPaceParty(password: [], channelIdentifier: [], sessionID: [], associatedData: [])
    #expect(throws: CPaceError.invalidShare("a share is 32 bytes, not \(length)")) {
      try party.intermediateSessionKey(
        peerShare: [UInt8](repeating: 9, count: length), peerAssociatedData: [], isInitiator: true)
    }
  }
}
