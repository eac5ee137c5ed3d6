import ChatTestSupport
import Foundation
import Testing

/// Real chat processes over a Unix domain socket (`unix:PATH`): the same protocol as over
/// TCP, and the socket file handled as a user would trust: mode 0600, a stale file
/// replaced, a live one or a file that is not a socket refused, the file removed on exit.
@Suite("End to end: Unix domain sockets")
struct UnixSocketEndToEndTests {
  /// A fresh folder under /tmp with a short name (socket paths must fit 107 bytes), removed
  /// when the test's scope ends.
  final class Folder: Sendable {
    let path: String
    init() throws {
      path = "/tmp/chat-ux-\(UUID().uuidString.prefix(8))"
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }
    func socket(_ name: String = "room.sock") -> String { "\(path)/\(name)" }
    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  /// lstat's view of `path`: its type bits and permission bits, or nil when nothing is there.
  func status(_ path: String) -> (isSocket: Bool, mode: UInt32)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return ((info.st_mode & S_IFMT) == S_IFSOCK, UInt32(info.st_mode & 0o7777))
  }

  /// alice listening (or a relay serving) on `unix:PATH`, once it says so.
  func listener(
    _ path: String, _ extra: [String] = [], environment: [String: String] = [:], mode: String = "--listen"
  ) async throws -> ChatProcess {
    let process = try ChatProcess([mode, "unix:" + path, "--name", "alice"] + extra, environment: environment)
    if mode == "--listen" {
      #expect(try await process.line("listening") == ["listening", "unix:" + path])
    }
    return process
  }

  @Test func aConversationBothWaysOverAUnixSocketWithMode0600() async throws {
    let folder = try Folder()
    let path = folder.socket()
    let alice = try await listener(path, environment: ["CHAT_SECRET": "sesame"])
    let created = try #require(status(path))
    #expect(created.isSocket)
    #expect(created.mode == 0o600, "only the owner may connect: \(String(created.mode, radix: 8))")

    let bob = try ChatProcess(
      ["--connect", "unix:" + path, "--name", "bob"], environment: ["CHAT_SECRET": "sesame"])
    let established = try await bob.line("established")
    // The full handshake ran: authenticated with the secret, encrypted, the listener's key
    // pinned under the address as typed.
    #expect(Array(established.prefix(4)) == ["established", "alice", "authenticated", "unix:" + path])
    #expect(established[4].hasPrefix("encrypted "))
    // The host sees the member by its user id: that is its address for the room's limits.
    let joined = try await alice.line("joined") { $0[1] == "bob" }
    #expect(joined[2] == "unix uid \(getuid()), authenticated")

    bob.type("你好，alice！这是 Unix 套接字")
    #expect(try await alice.line("recv") { $0[1] == "bob" }.last == "你好，alice！这是 Unix 套接字")
    alice.type("收到了，bob")
    #expect(try await bob.line("recv") { $0[1] == "alice" }.last == "收到了，bob")
    try await bob.line("delivered")

    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    try await alice.line("left") { $0[1] == "bob" }
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
    #expect(status(path) == nil, "the socket file is removed when the listener exits cleanly")
  }

  @Test func aStaleSocketLeftByAKilledListenerIsReplaced() async throws {
    let folder = try Folder()
    let path = folder.socket()
    let dead = try await listener(path)
    dead.signal(SIGKILL)
    #expect(try await dead.exitStatus() == 128 + SIGKILL)
    #expect(status(path)?.isSocket == true, "a killed listener leaves its socket file behind")

    let alice = try await listener(path)
    let bob = try ChatProcess(["--connect", "unix:" + path, "--name", "bob"])
    try await bob.line("welcome")
    bob.type("after the restart")
    try await alice.line("recv") { $0.last == "after the restart" }
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
    #expect(status(path) == nil)
  }

  @Test func aLiveSocketIsAddressInUseAndTheListenerThereCarriesOn() async throws {
    let folder = try Folder()
    let path = folder.socket()
    let alice = try await listener(path)
    let second = try ChatProcess(["--listen", "unix:" + path, "--name", "mallory"])
    let error = try await second.line("error")
    #expect(error.last == "address already in use: unix:\(path) (a listener is running there)")
    #expect(try await second.exitStatus() == 1)
    #expect(status(path)?.isSocket == true, "the live listener's socket is not touched")

    let bob = try ChatProcess(["--connect", "unix:" + path, "--name", "bob"])
    try await bob.line("welcome")
    bob.type("still here")
    try await alice.line("recv") { $0.last == "still here" }
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }

  @Test func aRegularFileAtThePathIsRefusedAndLeftIntact() async throws {
    let folder = try Folder()
    let path = folder.socket("notes.txt")
    try Data("my notes 笔记\n".utf8).write(to: URL(fileURLWithPath: path))
    let alice = try ChatProcess(["--listen", "unix:" + path, "--name", "alice"])
    let error = try await alice.line("error")
    #expect(error.last?.contains("unix:\(path) exists and is a regular file, not a socket") == true)
    #expect(try await alice.exitStatus() == 1)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "my notes 笔记\n")
  }

  @Test func aRelayOnAUnixSocketTakesItsModeAndRemovesItsFileOnSIGTERM() async throws {
    let folder = try Folder()
    let path = folder.socket()
    let relay = try await listener(path, ["--socket-mode", "0660"], mode: "--serve")
    try await relay.stderr.first("the relay's listening line", seconds: 20) { $0.contains("listening on unix:\(path)") }
    #expect(status(path)?.mode == 0o660)
    let bob = try ChatProcess(["--connect", "unix:" + path, "--name", "bob"])
    try await bob.line("welcome")
    relay.signal(SIGTERM)
    #expect(try await relay.exitStatus() == 0)
    try await bob.line("disconnected") { $0.last?.contains("shutting down") == true }
    #expect(status(path) == nil, "the relay removed its socket file")
  }

  @Test func connectingWhereNoSocketIsSaysSo() async throws {
    let folder = try Folder()
    let path = folder.socket()
    let bob = try ChatProcess(["--connect", "unix:" + path, "--name", "bob", "--no-reconnect"])
    let error = try await bob.line("error")
    #expect(error.last == "no socket at unix:\(path): is the listener running, and is the path right?")
    #expect(try await bob.exitStatus() == 1)
  }

  @Test func unixClientsCountByUserIDForThePerAddressLimit() async throws {
    let folder = try Folder()
    let path = folder.socket()
    let alice = try await listener(path, ["--max-per-address", "1"])
    let bob = try ChatProcess(["--connect", "unix:" + path, "--name", "bob"])
    try await bob.line("welcome")
    // Same user, same "address": the second connection is over the limit.
    let carol = try ChatProcess(["--connect", "unix:" + path, "--name", "carol", "--no-reconnect"])
    let refused = try await alice.line("refused")
    #expect(refused[1] == "unix uid \(getuid())")
    #expect(refused.last == "too many connections from unix uid \(getuid()) (at most 1)")
    #expect(try await carol.exitStatus() == 1)
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    alice.closeInput()
    #expect(try await alice.exitStatus() == 0)
  }
}
