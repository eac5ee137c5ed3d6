import ChatIdentity
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite("KnownPeers file")
struct KnownPeersStorageTests {
  private func loadError(_ path: String) -> KnownPeersError? {
    knownPeersError { () throws(KnownPeersError) in _ = try KnownPeers.load(from: path) }
  }

  private let line2 = "x25519 \(Data(testKey(1)).base64EncodedString()) verified name alice"

  @Test("a missing file is no pins yet")
  func missingFile() throws {
    try withTemporaryDirectory { root in
      let peers = try KnownPeers.load(from: root + "/nothing/known_peers")
      #expect(peers.count == 0)
      #expect(!FileManager.default.fileExists(atPath: root + "/nothing"))
    }
  }

  @Test("saving makes the directory 0700 and the file 0600, with the format explained at the top")
  func saveCreates() throws {
    try withTemporaryDirectory { root in
      let path = root + "/a/chat/known_peers"
      var peers = KnownPeers()
      try peers.pin(kind: .address, subject: "127.0.0.1:9090", publicKey: testKey(1), verified: false)
      try peers.save(to: path)
      #expect(permissions(of: root + "/a") == 0o700)
      #expect(permissions(of: root + "/a/chat") == 0o700)
      #expect(permissions(of: path) == 0o600)
      #expect(try directoryListing(root + "/a/chat") == ["known_peers"])

      let text = try String(contentsOfFile: path, encoding: .utf8)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(lines.first?.hasPrefix("# chat known peers") == true)
      #expect(text.contains("#   x25519 <base64 public key> <verified|unverified> <address|name> <subject>"))
      #expect(
        lines.dropLast().last == "x25519 \(Data(testKey(1)).base64EncodedString()) unverified address 127.0.0.1:9090")
      #expect(text.hasSuffix("\n"))
    }
  }

  @Test("names with spaces, Chinese, quotes and combining marks, and IPv6 addresses survive a round trip")
  func roundTrip() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      let subjects: [(PinKind, String)] = [
        (.name, "名字 with space"),
        (.name, "  leading and trailing  "),
        (.name, "o'brien \"q\" $HOME `x`"),
        (.name, "\u{301}accent first"),
        (.name, "emoji 👩‍👩‍👧"),
        (.address, "[::1]:9090"),
        (.address, "127.0.0.1:9090"),
        (.address, "example.com:443"),
      ]
      var peers = KnownPeers()
      for (number, (kind, subject)) in subjects.enumerated() {
        try peers.pin(kind: kind, subject: subject, publicKey: testKey(number), verified: number.isMultiple(of: 2))
      }
      try peers.save(to: path)
      let loaded = try KnownPeers.load(from: path)
      #expect(loaded == peers)
      #expect(loaded.entries == peers.entries)
      for (number, (kind, subject)) in subjects.enumerated() {
        #expect(
          loaded.verdict(kind: kind, subject: subject, publicKey: testKey(number))
            == .known(verified: number.isMultiple(of: 2))
        )
      }
      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(text.contains("x25519 \(Data(testKey(0)).base64EncodedString()) verified name 名字 with space\n"))
    }
  }

  @Test("comments and blank lines are kept where they were when the file is rewritten")
  func commentsKept() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      let original = "# my own notes\n\n\(line2)\n   # indented comment\n\t\n"
      try writeFile(path, original)
      var peers = try KnownPeers.load(from: path)
      #expect(peers.count == 1)
      try peers.pin(kind: .name, subject: "bob", publicKey: testKey(2), verified: false)
      try peers.save(to: path)
      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(text == original + "x25519 \(Data(testKey(2)).base64EncodedString()) unverified name bob\n")

      peers.forget(kind: .name, subject: "alice")
      try peers.save(to: path)
      #expect(
        try String(contentsOfFile: path, encoding: .utf8)
          == "# my own notes\n\n   # indented comment\n\t\nx25519 \(Data(testKey(2)).base64EncodedString()) unverified name bob\n"
      )
    }
  }

  @Test("a last line without a newline is still read")
  func noFinalNewline() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      try writeFile(path, line2)
      #expect(
        try KnownPeers.load(from: path).verdict(kind: .name, subject: "alice", publicKey: testKey(1))
          == .known(verified: true))
    }
  }

  @Test(
    "a malformed line is an error naming its number, never dropped",
    arguments: [
      (
        "ed25519 \(Data(testKey(2)).base64EncodedString()) verified name bob",
        "unknown key type 'ed25519' (expected x25519)"
      ),
      ("x25519 !!!! verified name bob", "the key is not valid base64"),
      ("x25519 \(Data(testKey(2).dropLast()).base64EncodedString()) verified name bob", "the key is 31 bytes, not 32"),
      (
        "x25519 \(Data(testKey(2)).base64EncodedString()) trusted name bob",
        "expected 'verified' or 'unverified' after the key"
      ),
      (
        "x25519 \(Data(testKey(2)).base64EncodedString()) verified host bob",
        "expected 'address' or 'name' after 'verified'"
      ),
      (
        "x25519 \(Data(testKey(2)).base64EncodedString()) verified name",
        "expected 'x25519 <base64 key> <verified|unverified> <address|name> <subject>'"
      ),
      ("x25519 \(Data(testKey(2)).base64EncodedString()) verified name ", "an empty name"),
      ("x25519 \(Data(testKey(2)).base64EncodedString()) verified name bob\r", "the name contains a control character"),
      (
        "x25519 \(Data(testKey(2)).base64EncodedString())  verified name bob",
        "expected 'verified' or 'unverified' after the key"
      ),
      ("  x25519 \(Data(testKey(2)).base64EncodedString()) verified name bob", "unknown key type '' (expected x25519)"),
    ]
  )
  func malformedLine(line: String, problem: String) throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      try writeFile(path, "# comment\n\(line2)\n\(line)\n")
      let error = try #require(loadError(path))
      #expect(error.reason == .malformedLine(line: 3, problem: problem))
      #expect(error.description.contains("\(path), line 3: "))
    }
  }

  @Test("a line that is not UTF-8 is an error naming its number")
  func notUTF8() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      try writeFile(path, Array("\(line2)\nx25519 ".utf8) + [0xFF, 0xFE] + Array("\n".utf8))
      #expect(loadError(path)?.reason == .malformedLine(line: 2, problem: "not valid UTF-8"))
    }
  }

  @Test("two lines pinning the same peer are an error naming both")
  func duplicate() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      let other = "x25519 \(Data(testKey(2)).base64EncodedString()) unverified name alice"
      try writeFile(path, "\(line2)\n\n\(other)\n")
      let error = try #require(loadError(path))
      #expect(error.reason == .duplicate(line: 3, firstLine: 1))
      #expect(error.description.contains("line 3"))
      #expect(error.description.contains("line 1"))
    }
  }

  @Test("a file with more than 10,000 pins is refused; 10,000 are read")
  func tooManyEntries() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      var lines = (0..<KnownPeers.maximumEntries).map {
        "x25519 \(Data(testKey($0)).base64EncodedString()) unverified name peer \($0)"
      }
      try writeFile(path, lines.joined(separator: "\n") + "\n")
      #expect(try KnownPeers.load(from: path).count == 10_000)
      lines.append("x25519 \(Data(testKey(-1)).base64EncodedString()) unverified name one more")
      try writeFile(path, lines.joined(separator: "\n") + "\n")
      #expect(loadError(path)?.reason == .tooManyEntries(maximum: 10_000))
    }
  }

  @Test("a file group or others can write is refused; one they can only read is accepted")
  func writableRefused() throws {
    try withTemporaryDirectory { root in
      let path = root + "/known_peers"
      try writeFile(path, line2 + "\n", mode: 0o664)
      let error = try #require(loadError(path))
      #expect(error.reason == .writableByOthers(mode: 0o664))
      #expect(error.description.contains("chmod 600 \(path)"))
      #expect(chmod(path, 0o602) == 0)
      #expect(loadError(path)?.reason == .writableByOthers(mode: 0o602))
      #expect(chmod(path, 0o644) == 0)
      #expect(try KnownPeers.load(from: path).count == 1)
    }
  }

  @Test("a symbolic link is refused")
  func symbolicLink() throws {
    try withTemporaryDirectory { root in
      try writeFile(root + "/real", line2 + "\n")
      #expect(symlink(root + "/real", root + "/known_peers") == 0)
      let error = try #require(loadError(root + "/known_peers"))
      #expect(error.reason == .symbolicLink)
      #expect(error.description.contains(root + "/known_peers"))
    }
  }

  @Test("the default path follows XDG_CONFIG_HOME when it is absolute, else HOME")
  func defaultPath() {
    #expect(KnownPeers.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/chat/known_peers")
    #expect(
      KnownPeers.defaultPath(environment: ["XDG_CONFIG_HOME": "x", "HOME": "/h"]) == "/h/.config/chat/known_peers")
    #expect(KnownPeers.defaultPath(environment: ["HOME": "/h/"]) == "/h/.config/chat/known_peers")
  }
}
