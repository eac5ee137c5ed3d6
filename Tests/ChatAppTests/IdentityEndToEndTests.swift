import ChatTestSupport
import Foundation
import Testing

/// Identity keys and pinning with real `chat` processes, each installation in its own
/// configuration folder.
@Suite("End to end: identity keys, pinning, a changed key")
struct IdentityEndToEndTests {
  /// A fresh configuration folder: a new installation, with its own identity and pins.
  func installation() throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chat-identity-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.path
  }

  @Test func aChangedKeyIsRefusedLoudlyUntilItIsForgotten() async throws {
    let (bobHome, firstHome, secondHome) = (try installation(), try installation(), try installation())
    defer { for home in [bobHome, firstHome, secondHome] { try? FileManager.default.removeItem(atPath: home) } }

    // First contact: bob pins the listener's key under the address he dialled.
    let first = try ChatProcess(
      ["--listen", "127.0.0.1:0", "--name", "alice"], environment: ["XDG_CONFIG_HOME": firstHome])
    let port = try await first.listeningPort()
    let bob = try ChatProcess(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob", "--no-reconnect"], environment: ["XDG_CONFIG_HOME": bobHome])
    let established = try await bob.line("established")
    #expect(established.last?.hasSuffix("new key, not yet verified") == true, "\(established)")
    let pins = try String(contentsOfFile: bobHome + "/chat/known_peers", encoding: .utf8)
    #expect(pins.contains("address 127.0.0.1:\(port)"))
    let identity = try FileManager.default.attributesOfItem(atPath: bobHome + "/chat/identity")
    #expect((identity[.posixPermissions] as? Int) == 0o600, "the identity file is private")
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    first.signal(SIGTERM)
    _ = try await first.exitStatus()

    // Another installation listens on the same address: another key.
    let second = try ChatProcess(
      ["--listen", "127.0.0.1:\(port)", "--name", "alice"], environment: ["XDG_CONFIG_HOME": secondHome])
    _ = try await second.listeningPort()
    let refused = try ChatProcess(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob", "--no-reconnect"], environment: ["XDG_CONFIG_HOME": bobHome])
    let line = try await refused.line("disconnected")
    let reason = line.joined(separator: " ")
    #expect(reason.contains("HAS CHANGED"), "\(line)")
    #expect(reason.contains("chat --forget-key 'address 127.0.0.1:\(port)'"), "\(line)")
    #expect(try await refused.exitStatus() == 1)
    // Nothing was said: the session never started.
    #expect(await refused.lines.entries.allSatisfy { $0.first != "established" })

    // Forgetting the pin lets the next connection pin the new key.
    let forget = Process()
    forget.executableURL = ChatProcess.binary
    forget.arguments = ["--forget-key", "address 127.0.0.1:\(port)"]
    forget.environment = ProcessInfo.processInfo.environment.merging(["XDG_CONFIG_HOME": bobHome]) { $1 }
    try forget.run()
    forget.waitUntilExit()
    #expect(forget.terminationStatus == 0)
    let again = try ChatProcess(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob", "--no-reconnect"], environment: ["XDG_CONFIG_HOME": bobHome])
    let accepted = try await again.line("established")
    #expect(accepted.last?.hasSuffix("new key, not yet verified") == true, "\(accepted)")
    again.closeInput()
    #expect(try await again.exitStatus() == 0)
    second.signal(SIGTERM)
    _ = try await second.exitStatus()
  }
}
