import Foundation

extension KnownPeers {
  /// Written at the top of a new file, so someone opening it knows what it is and how to
  /// change it. Existing comments are kept, so this is written once.
  static let header = [
    "# chat known peers: the static public keys of peers met before, pinned on first contact",
    "# (like ssh's known_hosts). chat refuses a peer whose key no longer matches its pin.",
    "#",
    "# One pin per line:",
    "#   x25519 <base64 public key> <verified|unverified> <address|name> <subject>",
    "# address: a peer this installation connected to, by the host:port dialled (127.0.0.1:9090,",
    "#          [::1]:9090); name: a peer that connected here, by its display name. The subject",
    "#          is everything after the fourth space, so a name may contain spaces.",
    "# verified: the safety number was compared with the peer and matched.",
    "#",
    "# To accept a peer's new key, forget the old one:  chat --forget-key 'name bob'",
    "# Lines starting with # and blank lines are kept when chat rewrites this file.",
  ]

  static let keyType = "x25519"

  /// The file's contents: every line, each ending in a newline.
  public var fileContents: String {
    var text = ""
    for line in lines {
      switch line {
      case .text(let raw):
        text += raw
      case .entry(let peer):
        text += Self.keyType + " " + Data(peer.publicKey).base64EncodedString()
        text += peer.verified ? " verified " : " unverified "
        text += peer.kind.rawValue + " " + peer.subject
      }
      text += "\n"
    }
    return text
  }

  /// The pins in a file's bytes. Every line is accounted for: a line that is neither a
  /// comment, blank, nor a valid pin is an error naming its number, because silently dropping
  /// it would drop a pin and let the next key for that peer be trusted as new.
  static func parse(_ bytes: [UInt8]) throws(KnownPeersError) -> KnownPeers {
    var rawLines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    // The newline ending the last line does not start another one.
    if rawLines.last?.isEmpty == true { rawLines.removeLast() }
    var lines: [Line] = []
    lines.reserveCapacity(rawLines.count)
    var firstLine: [Subject: Int] = [:]
    for (offset, raw) in rawLines.enumerated() {
      let number = offset + 1
      guard let text = String(validating: raw, as: UTF8.self) else {
        throw KnownPeersError(path: nil, reason: .malformedLine(line: number, problem: "not valid UTF-8"))
      }
      if isCommentOrBlank(raw) {
        lines.append(.text(text))
        continue
      }
      let peer: KnownPeer
      do {
        peer = try parseEntry(raw)
      } catch {
        throw KnownPeersError(path: nil, reason: .malformedLine(line: number, problem: error.problem))
      }
      let subject = Subject(kind: peer.kind, subject: peer.subject)
      if let first = firstLine[subject] {
        throw KnownPeersError(path: nil, reason: .duplicate(line: number, firstLine: first))
      }
      guard firstLine.count < maximumEntries else {
        throw KnownPeersError(path: nil, reason: .tooManyEntries(maximum: maximumEntries))
      }
      firstLine[subject] = number
      lines.append(.entry(peer))
    }
    return KnownPeers(lines: lines)
  }

  private static func isCommentOrBlank(_ raw: ArraySlice<UInt8>) -> Bool {
    guard let first = raw.first(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else {
      return true
    }
    return first == UInt8(ascii: "#")
  }

  /// What is wrong with one line, without its number (the caller adds it).
  private struct LineProblem: Error {
    var problem: String
  }

  /// One pin line. Split on the first four space bytes, not on Characters: a subject may begin
  /// with a combining mark, which Swift would fold into the preceding space.
  private static func parseEntry(_ raw: ArraySlice<UInt8>) throws(LineProblem) -> KnownPeer {
    var fields: [ArraySlice<UInt8>] = []
    var rest = raw
    while fields.count < 4, let space = rest.firstIndex(of: UInt8(ascii: " ")) {
      fields.append(rest[..<space])
      rest = rest[(space + 1)...]
    }
    guard fields.count == 4 else {
      throw LineProblem(
        problem: "expected 'x25519 <base64 key> <verified|unverified> <address|name> <subject>'"
      )
    }
    let word = { (bytes: ArraySlice<UInt8>) in String(decoding: bytes, as: UTF8.self) }
    guard word(fields[0]) == keyType else {
      throw LineProblem(problem: "unknown key type '\(printable(word(fields[0])))' (expected x25519)")
    }
    guard let key = Data(base64Encoded: word(fields[1])) else {
      throw LineProblem(problem: "the key is not valid base64")
    }
    guard key.count == 32 else {
      throw LineProblem(problem: "the key is \(key.count) bytes, not 32")
    }
    let verified: Bool
    switch word(fields[2]) {
    case "verified": verified = true
    case "unverified": verified = false
    default: throw LineProblem(problem: "expected 'verified' or 'unverified' after the key")
    }
    guard let kind = PinKind(rawValue: word(fields[3])) else {
      throw LineProblem(problem: "expected 'address' or 'name' after '\(word(fields[2]))'")
    }
    let subject = word(rest)
    if let problem = problem(kind: kind, subject: subject) {
      throw LineProblem(problem: problem)
    }
    return KnownPeer(kind: kind, subject: subject, publicKey: Array(key), verified: verified)
  }

  /// A word from a bad line, shown in an error without letting its control characters reach
  /// the terminal, and shortened.
  private static func printable(_ word: String) -> String {
    let escaped = word.unicodeScalars.prefix(40).map { scalar in
      scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
    }
    return escaped.joined()
  }
}
