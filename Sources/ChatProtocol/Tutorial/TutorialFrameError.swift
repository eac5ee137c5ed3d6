/// Why a tutorial-framed stream was refused: its header announced a length that can't be
/// right or can't be afforded. Each says what arrived, so a mix-up (chat's own protocol, an
/// unframed reply, a missing `--secret`) can be told from a corrupt stream.
public enum TutorialFrameError: Error, Hashable, Sendable, CustomStringConvertible {
  /// `struct.unpack('i')` gave a negative number.
  case negativeLength(Int32, header: [UInt8])
  /// The length is above the largest frame accepted (`--max-frame`).
  case tooLarge(Int, limit: Int, header: [UInt8])

  public var description: String {
    switch self {
    case .negativeLength(let length, let header):
      "refused a frame with a negative length (\(length), header bytes \(Self.hex(header)))"
        + Self.hint(header)
    case .tooLarge(let length, let limit, let header):
      "refused a frame of \(length) bytes, more than --max-frame \(limit) (header bytes \(Self.hex(header)))"
        + Self.hint(header)
    }
  }

  /// A guess at the usual mistakes, from the header's bytes.
  static func hint(_ header: [UInt8]) -> String {
    if header.first == 0 {
      // chat's own frames start with a big-endian length, so a small one starts with 00.
      return ": the peer seems to speak chat's own protocol; start both sides with --framing tutorial, or neither"
    }
    if header.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
      return ": that is text (\"\(String(decoding: header, as: UTF8.self))\"), sent without a length header"
    }
    return
      ": not the tutorials' framing, or the peer sent something else first (an hmac challenge: is --secret missing here?)"
  }

  static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
      let digits = Array("0123456789abcdef")
      return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }.joined(separator: " ")
  }
}
