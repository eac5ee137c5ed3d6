import Crypto

/// One party's side of one CPace run (X25519/SHA-512): its secret scalar, the share it sends,
/// and, once the peer's share has come, the intermediate session key.
///
/// Make a new party for every run: the scalar must never be reused.
public struct CPaceParty: Sendable {
  /// Y = X25519(y, g), the 32 bytes to send to the peer with this party's associated data.
  public let share: [UInt8]

  private let privateKey: Curve25519.KeyAgreement.PrivateKey
  private let sessionID: [UInt8]
  private let associatedData: [UInt8]

  /// Starts a run: derives the generator from the password, channel identifier and session ID,
  /// and computes this party's share.
  ///
  /// - Parameters:
  ///   - password: PRS.
  ///   - channelIdentifier: CI; both parties must pass the same.
  ///   - sessionID: sid; both parties must pass the same.
  ///   - associatedData: this party's AD (ADa or ADb), sent alongside the share.
  ///   - scalar: 32 bytes for the secret scalar y (X25519 clamps it). `nil`, the normal case,
  ///     draws 32 bytes from `SystemRandomNumberGenerator`; tests pass the draft's ya or yb.
  ///     Any other length is a programming error and traps.
  public init(
    password: [UInt8], channelIdentifier: [UInt8], sessionID: [UInt8], associatedData: [UInt8],
    scalar: [UInt8]? = nil
  ) {
    let scalarBytes = scalar ?? Self.randomScalar()
    precondition(scalarBytes.count == 32, "a CPace scalar is 32 bytes")
    // Cannot fail: 32 bytes is all swift-crypto checks.
    let privateKey = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: scalarBytes)
    let generator = CPace.generator(password: password, channelIdentifier: channelIdentifier, sessionID: sessionID)
    self.privateKey = privateKey
    self.sessionID = sessionID
    self.associatedData = associatedData
    // BoringSSL's X25519 can't fail on 32-byte inputs. A platform that refused a low-order
    // generator (a 2⁻²⁵⁰ chance) would leave an all-zero share, which the peer rejects.
    self.share =
      (try? X25519.scalarMultiply(privateKey: privateKey, point: generator))
      ?? [UInt8](repeating: 0, count: CPace.shareLength)
  }

  /// The intermediate session key for the peer's share and associated data, 64 bytes, with the
  /// draft's initiator-responder transcript (transcript_ir): the initiator is party A.
  ///
  /// - Parameters:
  ///   - peerShare: the peer's Y, 32 bytes.
  ///   - peerAssociatedData: the peer's AD.
  ///   - isInitiator: whether this party is A (its share and data come first in the transcript).
  ///     The two parties must disagree on it.
  /// - Throws: `CPaceError.invalidShare` when the peer's share isn't 32 bytes, or when
  ///   K = X25519(y, peerShare) is all zeros (a low-order point: the draft says MUST abort).
  /// - Returns: ISK, 64 bytes; equal on both sides exactly when password, CI, sid and the
  ///   transcript views agree.
  public func intermediateSessionKey(
    peerShare: [UInt8], peerAssociatedData: [UInt8], isInitiator: Bool
  ) throws(CPaceError) -> [UInt8] {
    let sharedPoint = try sharedPoint(peerShare: peerShare)
    let transcript =
      isInitiator
      ? CPaceStrings.transcriptInitiatorResponder(
        initiatorShare: share, initiatorData: associatedData, responderShare: peerShare,
        responderData: peerAssociatedData)
      : CPaceStrings.transcriptInitiatorResponder(
        initiatorShare: peerShare, initiatorData: peerAssociatedData, responderShare: share,
        responderData: associatedData)
    return CPace.intermediateSessionKey(sessionID: sessionID, sharedPoint: sharedPoint, transcript: transcript)
  }

  /// The intermediate session key with the ordered-concatenation transcript (transcript_oc),
  /// for parties without initiator and responder roles. Throws as
  /// ``intermediateSessionKey(peerShare:peerAssociatedData:isInitiator:)`` does.
  package func intermediateSessionKeyOrdered(
    peerShare: [UInt8], peerAssociatedData: [UInt8]
  ) throws(CPaceError) -> [UInt8] {
    let sharedPoint = try sharedPoint(peerShare: peerShare)
    let transcript = CPaceStrings.transcriptOrdered(
      shareA: share, dataA: associatedData, shareB: peerShare, dataB: peerAssociatedData)
    return CPace.intermediateSessionKey(sessionID: sessionID, sharedPoint: sharedPoint, transcript: transcript)
  }

  /// K = scalar_mult_vfy(y, peerShare), or `invalidShare` when the share has the wrong length
  /// or K is the neutral element (all zeros).
  private func sharedPoint(peerShare: [UInt8]) throws(CPaceError) -> [UInt8] {
    guard peerShare.count == CPace.shareLength else {
      throw .invalidShare("a share is \(CPace.shareLength) bytes, not \(peerShare.count)")
    }
    let sharedPoint = try X25519.scalarMultiply(privateKey: privateKey, point: peerShare)
    // Checked in constant time; only the verdict, which the peer learns anyway, branches.
    if X25519.isAllZero(sharedPoint) {
      throw .invalidShare("the share is a low-order point")
    }
    return sharedPoint
  }

  /// 32 bytes from the system's cryptographically secure generator.
  private static func randomScalar() -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    for _ in 0..<4 {
      let word = generator.next()
      for index in 0..<8 {
        bytes.append(UInt8(truncatingIfNeeded: word >> (UInt64(index) * 8)))
      }
    }
    return bytes
  }
}
