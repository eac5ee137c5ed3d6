import Crypto

/// CPace, the balanced password-authenticated key exchange of draft-irtf-cfrg-cpace, with the
/// group G_X25519 and the hash SHA-512 (the draft's recommended X25519 suite).
///
/// Both parties derive a secret generator from the password (PRS), the channel identifier (CI)
/// and the session ID (sid); each sends `X25519(y, g)` for a fresh scalar `y`; both hash the
/// shared point with the transcript into the intermediate session key (ISK). A party per run is a
/// ``CPaceParty``.
public enum CPace {
  /// The length of a share (Ya, Yb): an X25519 u-coordinate.
  public static let shareLength = 32

  /// G_X25519.DSI.
  static let domainSeparator = Array("CPace255".utf8)
  /// G_X25519.DSI || "_ISK", the prefix of the ISK's hash input.
  static let keyDomainSeparator = Array("CPace255_ISK".utf8)
  /// SHA-512's input block length, H.s_in_bytes.
  static let hashBlockLength = 128

  /// The generator g: `calculate_generator(H = SHA-512, PRS, CI, sid)` for G_X25519, a 32-byte
  /// u-coordinate.
  ///
  /// The generator string is hashed, the first 32 bytes of the hash decoded as a field element
  /// (RFC 7748) and mapped onto the curve by Elligator 2 (RFC 9380) in constant time. Zero
  /// padding fills the hash's first block after a short password, so the amount hashed doesn't
  /// depend on its length; a password too long for that shows its length, as the draft accepts.
  ///
  /// - Parameters:
  ///   - password: PRS, the password-related string.
  ///   - channelIdentifier: CI, which binds the generator to the channel (party identities).
  ///   - sessionID: sid, unique per run.
  /// - Returns: The generator's u-coordinate, 32 bytes, canonical.
  public static func generator(password: [UInt8], channelIdentifier: [UInt8], sessionID: [UInt8]) -> [UInt8] {
    let digest = SHA512.hash(
      data: generatorString(password: password, channelIdentifier: channelIdentifier, sessionID: sessionID))
    return Elligator2.map(Array(Array(digest).prefix(32)))
  }

  /// generator_string(G.DSI, PRS, CI, sid, H.s_in_bytes) for this suite.
  package static func generatorString(password: [UInt8], channelIdentifier: [UInt8], sessionID: [UInt8]) -> [UInt8] {
    CPaceStrings.generatorString(
      domainSeparator: domainSeparator, password: password, channelIdentifier: channelIdentifier,
      sessionID: sessionID, hashBlockLength: hashBlockLength)
  }

  /// ISK = H.hash(lv_cat(G.DSI || "_ISK", sid, K) || transcript), 64 bytes.
  package static func intermediateSessionKey(sessionID: [UInt8], sharedPoint: [UInt8], transcript: [UInt8]) -> [UInt8] {
    let input = CPaceStrings.lengthValueConcatenation(keyDomainSeparator, sessionID, sharedPoint) + transcript
    return Array(SHA512.hash(data: input))
  }
}
