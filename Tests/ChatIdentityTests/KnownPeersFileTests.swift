import ChatIdentity
import Foundation
import Testing

@Suite("KnownPeersFile")
struct KnownPeersFileTests {
  @Test("every change is saved at once")
  func persistsImmediately() throws {
    try withTemporaryDirectory { root in
      let path = root + "/chat/known_peers"
      let file = try KnownPeersFile(path: path)
      #expect(try file.verdict(kind: .name, subject: "bob", publicKey: testKey(1)) == .new)
      try file.pin(kind: .name, subject: "bob", publicKey: testKey(1), verified: false)
      #expect(
        try KnownPeers.load(from: path).verdict(kind: .name, subject: "bob", publicKey: testKey(1))
          == .known(verified: false))
      #expect(permissions(of: path) == 0o600)

      #expect(try file.markVerified(kind: .name, subject: "bob", publicKey: testKey(1)))
      #expect(try !file.markVerified(kind: .name, subject: "bob", publicKey: testKey(2)))
      #expect(
        try KnownPeers.load(from: path).verdict(kind: .name, subject: "bob", publicKey: testKey(1))
          == .known(verified: true))

      #expect(
        try file.verdict(kind: .name, subject: "bob", publicKey: testKey(2))
          == .changed(pinnedKey: testKey(1), verified: true))
      #expect(try file.forget(kind: .name, subject: "bob"))
      #expect(try !file.forget(kind: .name, subject: "bob"))
      #expect(try KnownPeers.load(from: path).count == 0)
      #expect(file.peers.count == 0)
      #expect(try directoryListing(root + "/chat") == ["known_peers"])
    }
  }

  @Test("a change made by another process (chat --forget-key) is seen by the next verdict")
  func seesOtherProcesses() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      let file = try KnownPeersFile(path: path)
      try file.pin(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(1), verified: false)

      var other = try KnownPeers.load(from: path)
      let forgotten = other.forget(kind: .address, subject: "127.0.0.1:9090")
      #expect(forgotten)
      try other.pin(kind: .name, subject: "carol", publicKey: testKey(3), verified: false)
      try other.save(to: path)

      #expect(try file.verdict(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(2)) == .new)
      // Pinning re-reads the file first, so carol's pin, made elsewhere, is kept.
      try file.pin(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(2), verified: false)
      let final = try KnownPeers.load(from: path)
      #expect(final.verdict(kind: .name, subject: "carol", publicKey: testKey(3)) == .known(verified: false))
      #expect(
        final.verdict(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(2)) == .known(verified: false))
    }
  }

  @Test("a file broken behind chat's back is reported by the next verdict, not taken as no pins")
  func brokenFileReported() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      let file = try KnownPeersFile(path: path)
      try file.pin(kind: .name, subject: "bob", publicKey: testKey(1), verified: false)
      try writeFile(path, "garbage line\n")
      let error = knownPeersError { () throws(KnownPeersError) in
        _ = try file.verdict(kind: .name, subject: "bob", publicKey: testKey(2))
      }
      guard case .malformedLine(line: 1, _) = error?.reason else {
        Issue.record("expected a malformed line 1, got \(String(describing: error))")
        return
      }
    }
  }

  @Test("pins from many threads of one process are all kept")
  func concurrentPinsOneObject() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      let file = try KnownPeersFile(path: path)
      DispatchQueue.concurrentPerform(iterations: 64) { number in
        #expect(throws: Never.self) {
          try file.pin(kind: .name, subject: "peer \(number)", publicKey: testKey(number), verified: false)
        }
      }
      let loaded = try KnownPeers.load(from: path)
      #expect(loaded.count == 64)
      #expect(file.peers == loaded)
    }
  }

  @Test("pins through two objects on one file (as two processes would) are all kept")
  func concurrentPinsTwoObjects() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      let files = [try KnownPeersFile(path: path), try KnownPeersFile(path: path)]
      DispatchQueue.concurrentPerform(iterations: 80) { number in
        #expect(throws: Never.self) {
          try files[number % 2].pin(
            kind: .address, subject: "10.0.0.\(number):9090", publicKey: testKey(number), verified: false)
        }
      }
      let loaded = try KnownPeers.load(from: path)
      #expect(loaded.count == 80)
      for number in 0..<80 {
        #expect(
          loaded.verdict(kind: .address, subject: "10.0.0.\(number):9090", publicKey: testKey(number))
            == .known(verified: false))
      }
    }
  }

  @Test("a full file refuses a new pin with the path in the message and leaves the file as it was")
  func full() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      var peers = KnownPeers()
      for number in 0..<KnownPeers.maximumEntries {
        try peers.pin(kind: .name, subject: "peer \(number)", publicKey: testKey(number), verified: false)
      }
      try peers.save(to: path)
      let before = try Data(contentsOf: URL(fileURLWithPath: path))
      let file = try KnownPeersFile(path: path)
      let error = knownPeersError { () throws(KnownPeersError) in
        try file.pin(kind: .name, subject: "one more", publicKey: testKey(-1), verified: false)
      }
      #expect(error?.reason == .full(maximum: 10_000))
      #expect(error?.path == path)
      #expect(error?.description.contains(path) == true)
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
  }
}
