import ChatApp
import ChatProtocol
import Foundation
import Testing

@Suite("Where the shared secret comes from")
struct SecretSourceTests {
  func temporaryFile(_ contents: String, mode: Int = 0o600) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("chat-secret-\(UUID().uuidString)").path
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    return path
  }

  @Test func aFileSecretIgnoresItsFinalNewline() throws {
    let withNewline = try temporaryFile("hunter2\n")
    let without = try temporaryFile("hunter2")
    defer {
      try? FileManager.default.removeItem(atPath: withNewline)
      try? FileManager.default.removeItem(atPath: without)
    }
    let a = try SecretSource(file: withNewline, commandLineValue: nil, environment: [:]).load()
    #expect(a.secret != nil && a.warnings.isEmpty)
    // The same secret either way: checked through the proofs it produces.
    #expect(
      proofs(a.secret!)
        == proofs(try SecretSource(file: without, commandLineValue: nil, environment: [:]).load().secret!))
  }

  @Test func aMissingOrEmptyFileIsAnErrorNotSilentlyNoSecret() throws {
    #expect {
      _ = try SecretSource(file: "/nonexistent/secret", commandLineValue: nil, environment: [:]).load()
    } throws: { error in
      "\(error)".contains("can't read the secret file /nonexistent/secret")
    }
    let empty = try temporaryFile("\n")
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect {
      _ = try SecretSource(file: empty, commandLineValue: nil, environment: [:]).load()
    } throws: { error in
      "\(error)".contains("is empty")
    }
  }

  @Test func aFileOthersCanReadIsWarnedAbout() throws {
    let path = try temporaryFile("s", mode: 0o644)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let loaded = try SecretSource(file: path, commandLineValue: nil, environment: [:]).load()
    #expect(loaded.warnings.contains { $0.contains("chmod 600") })
  }

  @Test func theCommandLineSecretWarnsAboutPs() throws {
    let loaded = try SecretSource(file: nil, commandLineValue: "x", environment: ["CHAT_SECRET": "y"]).load()
    #expect(loaded.secret != nil)
    #expect(loaded.warnings.contains { $0.contains("ps") })
  }

  /// Which source wins, checked through the proofs each secret produces: the file over
  /// CHAT_SECRET, --secret over CHAT_SECRET, and the file and --secret together refused
  /// (neither silently wins over the other).
  @Test func theFileThenTheCommandLineThenTheEnvironment() throws {
    let path = try temporaryFile("from the file\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let fromFile = try #require(SharedSecret(bytes: "from the file".utf8))
    let fromCommandLine = try #require(SharedSecret(bytes: "from --secret".utf8))
    let fromEnvironment = try #require(SharedSecret(bytes: "from CHAT_SECRET".utf8))
    let environment = ["CHAT_SECRET": "from CHAT_SECRET"]

    let file = try #require(try SecretSource(file: path, commandLineValue: nil, environment: environment).load().secret)
    #expect(proofs(file) == proofs(fromFile))
    let commandLine = try #require(
      try SecretSource(file: nil, commandLineValue: "from --secret", environment: environment).load().secret)
    #expect(proofs(commandLine) == proofs(fromCommandLine))
    let fallback = try #require(
      try SecretSource(file: nil, commandLineValue: nil, environment: environment).load().secret)
    #expect(proofs(fallback) == proofs(fromEnvironment))

    let both = try #require(throws: SecretError.self) {
      try SecretSource(file: path, commandLineValue: "from --secret", environment: environment).load()
    }
    #expect(both.description == "use either --secret-file or --secret, not both")
  }

  @Test func theEnvironmentIsTheFallback() throws {
    #expect(try SecretSource(file: nil, commandLineValue: nil, environment: ["CHAT_SECRET": "y"]).load().secret != nil)
    #expect(try SecretSource(file: nil, commandLineValue: nil, environment: [:]).load().secret == nil)
    let empty = try #require(throws: SecretError.self) {
      try SecretSource(file: nil, commandLineValue: nil, environment: ["CHAT_SECRET": ""]).load()
    }
    #expect(empty.description.contains("CHAT_SECRET is set but empty"))
  }
}

/// What the handshake makes of a secret: CPace's generator, which depends on every byte.
func proofs(_ secret: SharedSecret) -> [UInt8] {
  secret.cpaceGenerator(channelIdentifier: Array("test".utf8), sessionID: [])
}

@Suite("A secret file that is a directory")
struct SecretDirectoryTests {
  @Test func aDirectoryIsNamedAsSuch() throws {
    let directory = FileManager.default.temporaryDirectory.path
    let error = try #require(throws: SecretError.self) {
      try SecretSource(file: directory, commandLineValue: nil, environment: [:]).load()
    }
    #expect(error.description.contains("is a directory"))
    #expect(!error.description.contains("NSCocoaErrorDomain"))
  }
}
