/// The string utilities of draft-irtf-cfrg-cpace (appendix "CPace function definitions"),
/// byte for byte: every CPace input is length-prefixed so that no two different inputs
/// concatenate to the same string.
package enum CPaceStrings {
  /// prepend_len: `data` preceded by its length in unsigned LEB128 (7 bits a byte, low group
  /// first, high bit set on every byte but the last).
  package static func prependLength(_ data: [UInt8]) -> [UInt8] {
    var length = data.count
    var result: [UInt8] = []
    repeat {
      let group = UInt8(length & 0x7F)
      length >>= 7
      result.append(length == 0 ? group : group | 0x80)
    } while length != 0
    return result + data
  }

  /// lv_cat: each argument length-prefixed, concatenated.
  package static func lengthValueConcatenation(_ parts: [UInt8]...) -> [UInt8] {
    parts.flatMap(prependLength)
  }

  /// generator_string(DSI, PRS, CI, sid, s_in_bytes): lv_cat(DSI, PRS, zero padding, CI, sid),
  /// the padding filling the hash's first input block after DSI and PRS (so that for a short
  /// password the number of bytes hashed does not depend on its length).
  package static func generatorString(
    domainSeparator: [UInt8], password: [UInt8], channelIdentifier: [UInt8], sessionID: [UInt8],
    hashBlockLength: Int
  ) -> [UInt8] {
    let paddingLength = max(
      0, hashBlockLength - 1 - prependLength(password).count - prependLength(domainSeparator).count)
    return lengthValueConcatenation(
      domainSeparator, password, [UInt8](repeating: 0, count: paddingLength), channelIdentifier, sessionID)
  }

  /// transcript_ir(Ya, ADa, Yb, ADb): the initiator's share and data first, then the
  /// responder's.
  package static func transcriptInitiatorResponder(
    initiatorShare: [UInt8], initiatorData: [UInt8], responderShare: [UInt8], responderData: [UInt8]
  ) -> [UInt8] {
    lengthValueConcatenation(initiatorShare, initiatorData) + lengthValueConcatenation(responderShare, responderData)
  }

  /// transcript_oc(Ya, ADa, Yb, ADb): both halves in lexicographic order, behind "oc", for
  /// parties without initiator and responder roles.
  package static func transcriptOrdered(
    shareA: [UInt8], dataA: [UInt8], shareB: [UInt8], dataB: [UInt8]
  ) -> [UInt8] {
    orderedConcatenation(lengthValueConcatenation(shareA, dataA), lengthValueConcatenation(shareB, dataB))
  }

  /// o_cat: "oc", then the lexicographically larger argument, then the other.
  package static func orderedConcatenation(_ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
    Array("oc".utf8) + (isLexicographicallyLarger(first, second) ? first + second : second + first)
  }

  /// lexiographically_larger: byte by byte, and on a common prefix the longer is larger.
  /// (On public transcripts only: it stops at the first difference.)
  package static func isLexicographicallyLarger(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    for (x, y) in zip(a, b) where x != y {
      return x > y
    }
    return a.count > b.count
  }
}
