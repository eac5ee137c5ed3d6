/// The peers' pinned static public keys, like SSH's known_hosts: the first key a peer presents
/// is pinned (trust on first use), and a different key later is reported as changed.
///
/// A connector pins the address it dialled, a listener the name a peer gave. This is the pure
/// model; `load(from:)` and `save(to:)` read and write the file, and `KnownPeersFile` shares
/// one file between the connections of a process.
public struct KnownPeers: Sendable, Equatable {
  /// The most pins kept. Pinning past it fails instead of growing the file (and each lookup's
  /// and rewrite's cost) without bound, e.g. under a stream of made-up names.
  public static let maximumEntries = 10_000
  /// The longest subject in UTF-8 bytes: room for any host name and port (a DNS name is at
  /// most 253 bytes) and any display name, and it bounds the file's size.
  public static let maximumSubjectBytes = 1024

  /// One line of the file, in order: comments and blank lines are kept as they were.
  enum Line: Sendable, Equatable {
    case text(String)
    case entry(KnownPeer)
  }

  /// What a pin is looked up by.
  struct Subject: Hashable, Sendable {
    var kind: PinKind
    var subject: String
  }

  private(set) var lines: [Line]
  /// Subject to its index in `lines`, so a lookup costs the same with 10,000 pins as with one.
  private var index: [Subject: Int]

  /// An empty set of pins, with the comment block that explains the file's format.
  public init() {
    self.init(lines: Self.header.map(Line.text))
  }

  /// Pins from lines already checked: no duplicate subjects (see `parse`).
  init(lines: [Line]) {
    self.lines = lines
    self.index = [:]
    reindex()
  }

  /// The pins, in file order.
  public var entries: [KnownPeer] {
    lines.compactMap { line in
      if case .entry(let peer) = line { return peer }
      return nil
    }
  }

  /// How many pins there are.
  public var count: Int { index.count }

  /// The pin for this address or name, if any.
  public func entry(kind: PinKind, subject: String) -> KnownPeer? {
    guard let position = index[Subject(kind: kind, subject: subject)],
      case .entry(let peer) = lines[position]
    else { return nil }
    return peer
  }

  /// Whether `publicKey` is the key pinned for this address or name. Keys are compared in
  /// constant time.
  public func verdict(kind: PinKind, subject: String, publicKey: [UInt8]) -> PinVerdict {
    guard let pinned = entry(kind: kind, subject: subject) else { return .new }
    if ConstantTime.equal(pinned.publicKey, publicKey) {
      return .known(verified: pinned.verified)
    }
    return .changed(pinnedKey: pinned.publicKey, verified: pinned.verified)
  }

  /// Pins `publicKey` for this address or name, replacing any pin it had (in place, so the
  /// file keeps its order).
  ///
  /// Throws `.full` when this would be pin number `maximumEntries + 1`, `.invalidKeyLength`
  /// for a key that is not 32 bytes, and `.invalidSubject` for an empty or too long subject or
  /// one with a control character (which would break the line format or a terminal).
  public mutating func pin(kind: PinKind, subject: String, publicKey: [UInt8], verified: Bool) throws(KnownPeersError) {
    guard publicKey.count == 32 else {
      throw KnownPeersError(path: nil, reason: .invalidKeyLength(publicKey.count))
    }
    if let problem = Self.problem(kind: kind, subject: subject) {
      throw KnownPeersError(path: nil, reason: .invalidSubject(problem))
    }
    let peer = KnownPeer(kind: kind, subject: subject, publicKey: publicKey, verified: verified)
    let key = Subject(kind: kind, subject: subject)
    if let position = index[key] {
      lines[position] = .entry(peer)
      return
    }
    guard index.count < Self.maximumEntries else {
      throw KnownPeersError(path: nil, reason: .full(maximum: Self.maximumEntries))
    }
    index[key] = lines.count
    lines.append(.entry(peer))
  }

  /// Removes the pin for this address or name; false if there was none.
  @discardableResult
  public mutating func forget(kind: PinKind, subject: String) -> Bool {
    guard let position = index[Subject(kind: kind, subject: subject)] else { return false }
    lines.remove(at: position)
    // Rare (a person typed --forget-key), so rebuilding the index is simpler than shifting it.
    reindex()
    return true
  }

  /// Marks the pin verified after the safety number was confirmed. False, changing nothing,
  /// unless `publicKey` is the pinned key: a confirmation is for the key that was compared,
  /// never for one that replaced it meanwhile.
  @discardableResult
  public mutating func markVerified(kind: PinKind, subject: String, publicKey: [UInt8]) -> Bool {
    guard let position = index[Subject(kind: kind, subject: subject)],
      case .entry(var peer) = lines[position],
      ConstantTime.equal(peer.publicKey, publicKey)
    else { return false }
    peer.verified = true
    lines[position] = .entry(peer)
    return true
  }

  /// Why `subject` can't be pinned, or nil if it can.
  static func problem(kind: PinKind, subject: String) -> String? {
    if subject.isEmpty { return "an empty \(kind.rawValue)" }
    if subject.utf8.count > maximumSubjectBytes {
      return "the \(kind.rawValue) is longer than \(maximumSubjectBytes) bytes"
    }
    // Control characters (a newline above all) would split or corrupt the line, and line or
    // paragraph separators would do the same to the terminal showing it.
    let forbidden = subject.unicodeScalars.contains { scalar in
      switch scalar.properties.generalCategory {
      case .control, .lineSeparator, .paragraphSeparator: true
      default: false
      }
    }
    if forbidden { return "the \(kind.rawValue) contains a control character" }
    return nil
  }

  private mutating func reindex() {
    index = [:]
    for (position, line) in lines.enumerated() {
      if case .entry(let peer) = line {
        index[Subject(kind: peer.kind, subject: peer.subject)] = position
      }
    }
  }
}
