import ChatIdentity
import Testing

/// A distinct 32-byte stand-in for a public key.
func testKey(_ seed: Int) -> [UInt8] {
  (0..<32).map { UInt8(truncatingIfNeeded: seed &* 131 &+ $0 &* 7 &+ seed >> 8) }
}

/// The error `body` throws, or nil.
func knownPeersError(_ body: () throws(KnownPeersError) -> Void) -> KnownPeersError? {
  do {
    try body()
    return nil
  } catch {
    return error
  }
}

@Suite("KnownPeers model")
struct KnownPeersTests {
  @Test("a first key is new, the same key known, another key changed")
  func verdicts() throws {
    var peers = KnownPeers()
    #expect(peers.verdict(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(1)) == .new)
    try peers.pin(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(1), verified: false)
    #expect(peers.verdict(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(1)) == .known(verified: false))
    #expect(
      peers.verdict(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(2))
        == .changed(pinnedKey: testKey(1), verified: false)
    )
    // The same subject under the other kind is another pin.
    #expect(peers.verdict(kind: .name, subject: "127.0.0.1:9090", publicKey: testKey(1)) == .new)
    #expect(peers.verdict(kind: .address, subject: "127.0.0.1:9091", publicKey: testKey(1)) == .new)
  }

  @Test("pinning again replaces the key in place")
  func pinReplaces() throws {
    var peers = KnownPeers()
    try peers.pin(kind: .name, subject: "alice", publicKey: testKey(1), verified: true)
    try peers.pin(kind: .name, subject: "bob", publicKey: testKey(2), verified: false)
    try peers.pin(kind: .name, subject: "alice", publicKey: testKey(3), verified: false)
    #expect(peers.count == 2)
    #expect(peers.entries.map(\.subject) == ["alice", "bob"])
    #expect(peers.verdict(kind: .name, subject: "alice", publicKey: testKey(3)) == .known(verified: false))
  }

  @Test("forget removes one pin and says whether there was one")
  func forget() throws {
    var peers = KnownPeers()
    try peers.pin(kind: .name, subject: "alice", publicKey: testKey(1), verified: false)
    try peers.pin(kind: .name, subject: "bob", publicKey: testKey(2), verified: false)
    let forgotAlice = peers.forget(kind: .name, subject: "alice")
    #expect(forgotAlice)
    let forgotAliceAgain = peers.forget(kind: .name, subject: "alice")
    #expect(!forgotAliceAgain)
    let forgotBobAsAddress = peers.forget(kind: .address, subject: "bob")
    #expect(!forgotBobAsAddress)
    #expect(peers.verdict(kind: .name, subject: "alice", publicKey: testKey(1)) == .new)
    #expect(peers.verdict(kind: .name, subject: "bob", publicKey: testKey(2)) == .known(verified: false))
    #expect(peers.count == 1)
  }

  @Test("markVerified confirms only the key that is pinned")
  func markVerified() throws {
    var peers = KnownPeers()
    try peers.pin(kind: .address, subject: "[::1]:9090", publicKey: testKey(1), verified: false)
    let verifiedOtherKey = peers.markVerified(kind: .address, subject: "[::1]:9090", publicKey: testKey(2))
    #expect(!verifiedOtherKey)
    #expect(peers.verdict(kind: .address, subject: "[::1]:9090", publicKey: testKey(1)) == .known(verified: false))
    let verifiedOtherKind = peers.markVerified(kind: .name, subject: "[::1]:9090", publicKey: testKey(1))
    #expect(!verifiedOtherKind)
    let verifiedPinnedKey = peers.markVerified(kind: .address, subject: "[::1]:9090", publicKey: testKey(1))
    #expect(verifiedPinnedKey)
    #expect(peers.verdict(kind: .address, subject: "[::1]:9090", publicKey: testKey(1)) == .known(verified: true))
    #expect(
      peers.verdict(kind: .address, subject: "[::1]:9090", publicKey: testKey(2))
        == .changed(pinnedKey: testKey(1), verified: true)
    )
  }

  @Test(
    "subjects that would break the line or a terminal are refused",
    arguments: [
      "", "bob\nx25519 AAAA verified name eve", "bell\u{7}", "tab\there", "cr\r", "del\u{7F}", "ls\u{2028}",
      "ps\u{2029}",
    ]
  )
  func badSubjects(subject: String) {
    var peers = KnownPeers()
    let error = knownPeersError { () throws(KnownPeersError) in
      try peers.pin(kind: .name, subject: subject, publicKey: testKey(1), verified: false)
    }
    guard case .invalidSubject = error?.reason else {
      Issue.record("expected invalidSubject, got \(String(describing: error))")
      return
    }
    #expect(peers.count == 0)
  }

  @Test("a subject longer than the limit is refused; one at the limit is kept")
  func subjectLength() throws {
    var peers = KnownPeers()
    try peers.pin(
      kind: .name,
      subject: String(repeating: "名", count: KnownPeers.maximumSubjectBytes / 3),
      publicKey: testKey(1),
      verified: false
    )
    let error = knownPeersError { () throws(KnownPeersError) in
      try peers.pin(
        kind: .name,
        subject: String(repeating: "a", count: KnownPeers.maximumSubjectBytes + 1),
        publicKey: testKey(1),
        verified: false
      )
    }
    #expect(error?.reason == .invalidSubject("the name is longer than 1024 bytes"))
  }

  @Test("a key that is not 32 bytes is refused", arguments: [0, 31, 33, 64])
  func badKeyLength(length: Int) {
    var peers = KnownPeers()
    let error = knownPeersError { () throws(KnownPeersError) in
      try peers.pin(kind: .name, subject: "bob", publicKey: [UInt8](repeating: 1, count: length), verified: false)
    }
    #expect(error?.reason == .invalidKeyLength(length))
  }

  @Test("at most 10,000 pins: the next new one is refused, replacing one still works")
  func bounded() throws {
    var peers = KnownPeers()
    for number in 0..<KnownPeers.maximumEntries {
      try peers.pin(kind: .name, subject: "peer \(number)", publicKey: testKey(number), verified: false)
    }
    #expect(peers.count == 10_000)
    let error = knownPeersError { () throws(KnownPeersError) in
      try peers.pin(kind: .name, subject: "one too many", publicKey: testKey(1), verified: false)
    }
    #expect(error?.reason == .full(maximum: 10_000))
    #expect(error?.description.contains("chat --forget-key") == true)
    #expect(peers.count == 10_000)
    #expect(peers.verdict(kind: .name, subject: "one too many", publicKey: testKey(1)) == .new)

    try peers.pin(kind: .name, subject: "peer 5", publicKey: testKey(-5), verified: true)
    #expect(peers.verdict(kind: .name, subject: "peer 5", publicKey: testKey(-5)) == .known(verified: true))
    let forgotPeer0 = peers.forget(kind: .name, subject: "peer 0")
    #expect(forgotPeer0)
    try peers.pin(kind: .name, subject: "one too many", publicKey: testKey(1), verified: false)
    #expect(peers.count == 10_000)
    #expect(peers.verdict(kind: .name, subject: "peer 9999", publicKey: testKey(9999)) == .known(verified: false))
  }
}
