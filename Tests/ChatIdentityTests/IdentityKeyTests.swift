import ChatCrypto
import ChatIdentity
import Crypto
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite("IdentityKey")
struct IdentityKeyTests {
  private func identityError(_ body: () throws(IdentityError) -> IdentityKey) -> IdentityError? {
    do {
      _ = try body()
      return nil
    } catch {
      return error
    }
  }

  @Test("a new key is created with mode 0600 in directories made with mode 0700, and read back")
  func createsAndReloads() throws {
    try withTemporaryDirectory { root in
      let path = root + "/config/chat/identity"
      let created = try IdentityKey.loadOrCreate(at: path)
      #expect(permissions(of: path) == 0o600)
      #expect(permissions(of: root + "/config") == 0o700)
      #expect(permissions(of: root + "/config/chat") == 0o700)
      // Nothing but the key: the temporary file it was written to is gone.
      #expect(try directoryListing(root + "/config/chat") == ["identity"])

      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(text.hasPrefix("chat-identity-1 x25519 "))
      #expect(text.hasSuffix("\n"))
      let encoded = text.dropFirst("chat-identity-1 x25519 ".count).dropLast()
      #expect(Data(base64Encoded: String(encoded)) == created.privateKey.rawRepresentation)

      let loaded = try IdentityKey.loadOrCreate(at: path)
      #expect(loaded.publicKey == created.publicKey)
      #expect(loaded.publicKey.count == 32)
      #expect(loaded.publicKey == Array(created.privateKey.publicKey.rawRepresentation))
    }
  }

  @Test("a path the user gave is not made up: a missing folder is an error, not a new identity")
  func aGivenPathInAMissingFolderIsRefused() throws {
    try withTemporaryDirectory { root in
      let path = root + "/typo/identity"
      let error = try #require(throws: IdentityError.self) {
        try IdentityKey.loadOrCreate(at: path, makingDirectories: false)
      }
      #expect(error.description.contains(root + "/typo"))
      #expect(!FileManager.default.fileExists(atPath: root + "/typo"))
      // In a folder that exists, a new identity is made as usual.
      _ = try IdentityKey.loadOrCreate(at: root + "/identity", makingDirectories: false)
      #expect(FileManager.default.fileExists(atPath: root + "/identity"))
    }
  }

  @Test("an existing directory keeps its own mode")
  func existingDirectoryUntouched() throws {
    try withTemporaryDirectory { root in
      #expect(chmod(root, 0o755) == 0)
      _ = try IdentityKey.loadOrCreate(at: root + "/identity")
      #expect(permissions(of: root) == 0o755)
    }
  }

  @Test(
    "a file group or others can read or write is refused, naming the mode and the fix",
    arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o660])
  func tooOpenRefused(mode: Int) throws {
    try withTemporaryDirectory { root in
      let path = root + "/identity"
      _ = try IdentityKey.loadOrCreate(at: path)
      #expect(chmod(path, mode_t(mode)) == 0)
      let error = try #require(identityError { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: path) })
      #expect(error.reason == .permissionsTooOpen(mode: UInt32(mode)))
      #expect(error.path == path)
      let octal = "0" + String(mode, radix: 8)
      #expect(error.description.contains("permissions \(octal) for the identity file \(path) are too open"))
      #expect(error.description.contains("chmod 600 \(path)"))
    }
  }

  @Test("owner-only modes stricter than 0600 are accepted")
  func ownerOnlyAccepted() throws {
    try withTemporaryDirectory { root in
      let path = root + "/identity"
      let created = try IdentityKey.loadOrCreate(at: path)
      #expect(chmod(path, 0o400) == 0)
      #expect(try IdentityKey.loadOrCreate(at: path).publicKey == created.publicKey)
    }
  }

  @Test("a symbolic link is refused, also one pointing nowhere (no key is created through it)")
  func symbolicLinkRefused() throws {
    try withTemporaryDirectory { root in
      let target = root + "/real-identity"
      _ = try IdentityKey.loadOrCreate(at: target)
      let link = root + "/identity"
      #expect(symlink(target, link) == 0)
      let error = try #require(identityError { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: link) })
      #expect(error.reason == .symbolicLink)
      #expect(error.description.contains(link))
      #expect(error.description.contains("symbolic link"))

      let dangling = root + "/dangling"
      #expect(symlink(root + "/nowhere", dangling) == 0)
      let danglingError = try #require(
        identityError { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: dangling) }
      )
      #expect(danglingError.reason == .symbolicLink)
      #expect(!FileManager.default.fileExists(atPath: root + "/nowhere"))
    }
  }

  @Test(
    "malformed files are refused with the reason",
    arguments: [
      ("hello\n", IdentityError.Reason.malformed("expected one line 'chat-identity-1 x25519 <base64 key>'")),
      ("", .malformed("expected one line 'chat-identity-1 x25519 <base64 key>'")),
      (
        "chat-identity-1 ed25519 AAAA\n",
        .malformed("the key type is not x25519; expected one line 'chat-identity-1 x25519 <base64 key>'")
      ),
      ("chat-identity-1 x25519 not*base64\n", .malformed("the key is not valid base64")),
      ("chat-identity-1 x25519 \(Data(count: 31).base64EncodedString())\n", .wrongKeyLength(31)),
      ("chat-identity-1 x25519 \(Data(count: 33).base64EncodedString())\n", .wrongKeyLength(33)),
      (
        "chat-identity-1 x25519 \(Data(count: 32).base64EncodedString())\nmore\n",
        .malformed("it has more than one line; expected one line 'chat-identity-1 x25519 <base64 key>'")
      ),
      ("chat-identity-2 x25519 \(Data(count: 32).base64EncodedString())\n", .unsupportedVersion("chat-identity-2")),
    ])
  func malformedRefused(contents: String, reason: IdentityError.Reason) throws {
    try withTemporaryDirectory { root in
      let path = root + "/identity"
      try writeFile(path, contents)
      let error = try #require(identityError { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: path) })
      #expect(error.reason == reason)
      #expect(error.description.contains(path))
      // The malformed file is left for the user to look at, never replaced by a new key.
      #expect(try String(contentsOfFile: path, encoding: .utf8) == contents)
    }
  }

  @Test("a key file without its final newline is still read")
  func missingFinalNewline() throws {
    try withTemporaryDirectory { root in
      let path = root + "/identity"
      let key = Curve25519.KeyAgreement.PrivateKey()
      try writeFile(path, "chat-identity-1 x25519 \(key.rawRepresentation.base64EncodedString())")
      #expect(try IdentityKey.loadOrCreate(at: path).publicKey == Array(key.publicKey.rawRepresentation))
    }
  }

  @Test("a directory or an oversized file at the path is refused")
  func notAKeyFile() throws {
    try withTemporaryDirectory { root in
      let directory = root + "/identity"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
      #expect(chmod(directory, 0o700) == 0)
      let error = identityError { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: directory) }
      #expect(error?.reason == .notRegularFile)

      let large = root + "/large"
      try writeFile(large, String(repeating: "x", count: 5000))
      let largeError = identityError { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: large) }
      #expect(largeError?.reason == .malformed("it is larger than 4096 bytes"))
    }
  }

  @Test("a path through a file is reported with the path and the system's reason")
  func pathThroughAFile() throws {
    try withTemporaryDirectory { root in
      // A file where a directory is needed fails even for root, unlike a mode-0500 directory.
      try writeFile(root + "/config", "not a directory")
      let path = root + "/config/chat/identity"
      let error = try #require(identityError { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: path) })
      guard case .fileSystem(_, _, let errno) = error.reason else {
        Issue.record("expected a file system error, got \(error.reason)")
        return
      }
      #expect(errno == ENOTDIR)
      #expect(error.description.contains(path))
      #expect(error.description.hasSuffix(": not a directory"))
    }
  }

  @Test("processes starting at once end up with one key", arguments: 0..<10)
  func concurrentCreation(round: Int) throws {
    try withTemporaryDirectory { root in
      let path = root + "/chat/identity"
      let callers = 8
      let results = Mutex<[Result<[UInt8], IdentityError>]>([])
      // Threads, not tasks: each blocks in system calls, and they should really run at once.
      DispatchQueue.concurrentPerform(iterations: callers) { _ in
        let result = Result { () throws(IdentityError) in try IdentityKey.loadOrCreate(at: path).publicKey }
        results.withLock { $0.append(result) }
      }
      let keys = try results.withLock { results in try results.map { try $0.get() } }
      #expect(keys.count == callers)
      #expect(Set(keys).count == 1)
      #expect(try IdentityKey.loadOrCreate(at: path).publicKey == keys.first)
      #expect(try directoryListing(root + "/chat") == ["identity"])
    }
  }

  @Test("the description, debug description and dump show no part of the private key")
  func privateKeyNeverPrinted() throws {
    let identity = IdentityKey(privateKey: Curve25519.KeyAgreement.PrivateKey())
    let raw = identity.privateKey.rawRepresentation
    let secretForms = [
      raw.base64EncodedString(),
      raw.map { String(format: "%02x", $0) }.joined(),
      raw.map { String($0) }.joined(separator: ", "),
    ]
    var dumped = ""
    dump(identity, to: &dumped)
    for shown in [identity.description, identity.debugDescription, String(describing: identity), "\(identity)", dumped]
    {
      for secret in secretForms {
        #expect(!shown.contains(secret))
      }
    }
    #expect(identity.description.contains(KeyFingerprint.short(identity.publicKey)))
  }

  @Test("the default path follows XDG_CONFIG_HOME when it is absolute, else HOME")
  func defaultPath() {
    #expect(
      IdentityKey.defaultPath(environment: ["XDG_CONFIG_HOME": "/x/conf", "HOME": "/home/me"])
        == "/x/conf/chat/identity")
    #expect(
      IdentityKey.defaultPath(environment: ["XDG_CONFIG_HOME": "/x/conf/", "HOME": "/home/me"])
        == "/x/conf/chat/identity")
    #expect(
      IdentityKey.defaultPath(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/me"])
        == "/home/me/.config/chat/identity")
    #expect(
      IdentityKey.defaultPath(environment: ["XDG_CONFIG_HOME": "", "HOME": "/home/me"])
        == "/home/me/.config/chat/identity")
    #expect(IdentityKey.defaultPath(environment: ["HOME": "/home/me"]) == "/home/me/.config/chat/identity")
    // With no HOME at all, the password database's home directory, never the working directory.
    #expect(IdentityKey.defaultPath(environment: [:]).hasPrefix("/"))
    #expect(IdentityKey.defaultPath(environment: [:]).hasSuffix("/.config/chat/identity"))
  }
}
