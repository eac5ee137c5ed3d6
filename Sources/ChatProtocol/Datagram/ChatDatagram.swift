/// One UDP chat datagram: a whole message, never split or merged (see docs/PROTOCOL.md,
/// appendix "UDP").
///
/// ```
/// 0xC1 | flags+kind | sequence (8, big-endian) | name length (1) | name | text | [tag (32)]
/// ```
///
/// Pure: ``encode(key:)`` and ``decode(_:key:)`` touch no socket and no clock.
public struct ChatDatagram: Hashable, Sendable {
  /// What a datagram says.
  public enum Kind: UInt8, Hashable, Sendable, CaseIterable {
    /// A chat message: `text` is its UTF-8 text.
    case text = 1
    /// "I am here, under this name": the first datagram a connector sends. No text.
    case hello = 2
    /// "I am leaving": the peer is forgotten. `text` is the reason.
    case bye = 3
  }

  /// The magic and version byte. Anything else is not ours (or a later version).
  public static let magic: UInt8 = 0xC1
  /// The flag bit saying a 32-byte HMAC-SHA256 tag ends the datagram.
  static let tagFlag: UInt8 = 0x80
  /// Bytes before the name: magic, flags and kind, sequence, name length.
  public static let headerLength = 11
  /// HMAC-SHA256's tag length.
  public static let tagLength = 32
  /// The largest text a datagram carries, in UTF-8 bytes. With a 64-byte name, the header
  /// and a tag the whole datagram is at most 1307 bytes: under the 1472 bytes an IPv4
  /// datagram carries on a 1500-byte Ethernet link, so it is never fragmented there (a lost
  /// fragment loses the whole datagram).
  public static let maximumTextLength = 1200
  /// The largest name, as in TCP chat's hello.
  public static let maximumNameLength = 64
  /// The largest datagram this format makes.
  public static let maximumLength = headerLength + maximumNameLength + maximumTextLength + tagLength

  public var kind: Kind
  /// The sender's sequence number: 1 for its first datagram, one more for each after.
  public var sequence: UInt64
  /// Who wrote it (a relay keeps the author's name).
  public var name: String
  public var text: String

  public init(kind: Kind, sequence: UInt64, name: String, text: String = "") {
    self.kind = kind
    self.sequence = sequence
    self.name = name
    self.text = text
  }

  /// Why bytes are not a datagram we accept. The description is safe to show.
  public enum Rejection: Error, Hashable, Sendable, CustomStringConvertible {
    case truncated(Int)
    case badMagic(UInt8)
    case unknownKind(UInt8)
    case missingTag
    case unexpectedTag
    case badTag
    case badName
    case badText
    case tooLong(Int)

    public var description: String {
      switch self {
      case .truncated(let count): "truncated: \(count) bytes is shorter than a datagram's header and name"
      case .badMagic(let byte):
        "not a chat datagram (first byte \(hexByte(byte)), expected \(hexByte(ChatDatagram.magic)))"
      case .unknownKind(let byte): "unknown kind \(byte)"
      case .missingTag: "no authentication tag, but a secret is set"
      case .unexpectedTag: "carries an authentication tag, but no secret is set here"
      case .badTag: "authentication failed (wrong secret, or altered in transit)"
      case .badName: "the name is not a valid name"
      case .badText: "the text is not valid UTF-8"
      case .tooLong(let count): "\(count) bytes is longer than any chat datagram"
      }
    }
  }

  /// The bytes on the wire; a tag is appended when `key` is given.
  public func encode(key: DatagramKey?) -> [UInt8] {
    var bytes: [UInt8] = [Self.magic, kind.rawValue | (key == nil ? 0 : Self.tagFlag)]
    bytes.reserveCapacity(Self.headerLength + name.utf8.count + text.utf8.count + Self.tagLength)
    for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: sequence >> shift)) }
    let nameBytes = Array(name.utf8.prefix(255))
    bytes.append(UInt8(nameBytes.count))
    bytes += nameBytes
    bytes += text.utf8
    if let key { bytes += key.tag(for: bytes) }
    return bytes
  }

  /// The datagram in `bytes`, or why not. With `key`, the tag must be present and right
  /// (checked before anything else is believed); without one, no tag may be present: a
  /// side without the secret must not show authenticated traffic as if it were plain.
  public static func decode(_ bytes: some Collection<UInt8>, key: DatagramKey?) -> Result<ChatDatagram, Rejection> {
    let bytes = Array(bytes)
    guard bytes.count <= maximumLength else { return .failure(.tooLong(bytes.count)) }
    // The magic first: a stray line of text is "not ours", not "short".
    if let first = bytes.first, first != magic { return .failure(.badMagic(first)) }
    guard bytes.count >= headerLength else { return .failure(.truncated(bytes.count)) }
    let tagged = bytes[1] & tagFlag != 0
    var end = bytes.count
    switch (tagged, key) {
    case (false, .some): return .failure(.missingTag)
    case (true, .none): return .failure(.unexpectedTag)
    case (true, .some(let key)):
      guard bytes.count >= headerLength + tagLength else { return .failure(.truncated(bytes.count)) }
      end -= tagLength
      guard key.verify(tag: bytes[end...], for: bytes[..<end]) else { return .failure(.badTag) }
    case (false, .none): break
    }
    guard let kind = Kind(rawValue: bytes[1] & ~tagFlag) else { return .failure(.unknownKind(bytes[1] & ~tagFlag)) }
    let sequence = bytes[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    let nameLength = Int(bytes[10])
    guard headerLength + nameLength <= end else { return .failure(.truncated(bytes.count)) }
    guard let name = String(validating: bytes[headerLength..<headerLength + nameLength], as: UTF8.self),
      Hello.problem(withName: name) == nil
    else { return .failure(.badName) }
    guard let text = String(validating: bytes[(headerLength + nameLength)..<end], as: UTF8.self) else {
      return .failure(.badText)
    }
    return .success(ChatDatagram(kind: kind, sequence: sequence, name: name, text: text))
  }
}

private func hexByte(_ byte: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
}
