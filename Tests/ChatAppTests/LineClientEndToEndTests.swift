import ChatTestSupport
import Foundation
import Testing

/// Real `nc` and `ncat` processes in a room started with `--lines`, beside real chat
/// members: lines both ways, Chinese, a line cut across the client's writes, `/nick`, a
/// client that stops reading, the refusal when the room has a secret.
@Suite("End to end: line clients (nc, ncat)", .serialized)
struct LineClientEndToEndTests {
  /// alice hosting a room on 127.0.0.1 with `--lines`, and its port.
  func host(_ extra: [String] = [], environment: [String: String] = [:]) async throws -> (ChatProcess, Int) {
    let alice = try ChatProcess(
      ["--listen", "127.0.0.1:0", "--name", "alice", "--lines"] + extra, environment: environment)
    return (alice, try await alice.listeningPort())
  }

  /// The name the room gives a line client before /nick: nc-ADDRESS-PORT, read from the
  /// host's `joined` line.
  func lineClientName(joinedAt alice: ChatProcess) async throws -> String {
    try await alice.line("joined") { $0[1].hasPrefix("nc-127.0.0.1-") }[1]
  }

  @Test(arguments: ["nc", "ncat"])
  func linesBothWaysWithChineseLongLinesAndNick(_ program: String) async throws {
    try #require(LineClientProcess.isInstalled(program), "\(program) is not installed")
    let (alice, port) = try await host()
    let bob = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"])
    try await bob.line("welcome")

    let client = try LineClientProcess(program, ["127.0.0.1", String(port)])
    client.send("hello from \(program), 你好")
    let name = try await lineClientName(joinedAt: alice)
    #expect(try await bob.line("recv") { $0[1] == name }.last == "hello from \(program), 你好")
    #expect(try await alice.line("recv") { $0[1] == name }.last == "hello from \(program), 你好")
    // The client was welcomed in a line, and told how to pick a name.
    try await client.line("its welcome") { $0 == "* you are \(name); 3 in the room" }

    // Room messages reach it as "name: text", control characters escaped.
    bob.type("hi \(program), 这是中文")
    try await client.line("bob's message") { $0 == "bob: hi \(program), 这是中文" }
    alice.type("tab\there")
    try await client.line("alice's message, escaped") { $0 == "alice: tab\\there" }

    // A line cut across the client's writes, inside a Chinese character: it arrives whole,
    // once. The first part is surely out before the second: bob's message came back since.
    let long = String(repeating: "长", count: 500) + " end"
    let bytes = Array(long.utf8)
    client.write(bytes: Array(bytes[..<751]))
    bob.type("between the halves")
    try await client.line("bob's message between the halves") { $0 == "bob: between the halves" }
    client.write(bytes: Array(bytes[751...]) + Array("\r\n".utf8))
    #expect(try await bob.line("recv") { $0[1] == name && $0.last!.hasSuffix(" end") }.last == long)

    // /nick: everyone is told, and its messages come under the new name.
    client.send("/nick 小红")
    try await client.line("the rename") { $0 == "* \(name) is now 小红" }
    try await bob.line("notice") { $0.last == "\(name) is now 小红" }
    client.send("/nick bob")
    try await client.line("the refusal") { $0 == "* can't take the name bob: it is taken" }
    client.send("after the nick")
    #expect(try await bob.line("recv") { $0[1] == "小红" }.last == "after the nick")
    try await client.line("its own message back") { $0 == "小红: after the nick" }

    // Members leaving reach it as lines too.
    bob.closeInput()
    try await client.line("bob's leave") { $0.hasPrefix("* bob left: ") }
    // Its process gone, the kernel closes its socket: it leaves.
    client.signal(SIGKILL)
    try await alice.line("left") { $0[1] == "小红" }
  }

  @Test func aSilentClientBecomesALineClientAndChatClientsStillJoin() async throws {
    try #require(LineClientProcess.isInstalled("ncat"))
    let (alice, port) = try await host()
    // Connects and says nothing: after the wait (1.5 s) it joins as a line client.
    let client = try LineClientProcess("ncat", ["127.0.0.1", String(port)])
    let name = try await lineClientName(joinedAt: alice)
    try await client.line("its welcome") { $0.hasPrefix("* you are \(name)") }
    // A chat client in the same room is unaffected: full handshake, then messages.
    let bob = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"])
    #expect(try await bob.line("established")[2] == "unauthenticated")
    bob.type("hello")
    try await client.line("bob's message") { $0 == "bob: hello" }
    // Nothing binary ever reached the line client: only the room's lines.
    let received = try await client.lines.wait("its lines") { entries, _ in entries.count >= 3 }
    #expect(received.allSatisfy { $0.hasPrefix("* ") || $0.hasPrefix("bob: ") })
  }

  @Test func aLineClientThatStopsReadingDoesNotStallTheRoom() async throws {
    try #require(LineClientProcess.isInstalled("ncat"))
    // The smallest queue, and rates that let bob's bulk through at once.
    let (alice, port) = try await host([
      "--max-queue", "65536", "--byte-rate", "67108864", "--rate", "10000",
    ])
    let bob = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"])
    try await bob.line("welcome")
    let client = try LineClientProcess("ncat", ["127.0.0.1", String(port)])
    client.send("about to stop")
    let name = try await lineClientName(joinedAt: alice)
    try await client.line("its own message") { $0.hasSuffix(": about to stop") }
    client.signal(SIGSTOP)
    defer { client.signal(SIGCONT) }

    // bob keeps talking; every batch reaches alice while the stopped client's buffers fill,
    // until the room drops it as too slow.
    let text = String(repeating: "x", count: 30_000)
    var dropped = false
    for batch in 0..<100 where !dropped {
      for index in 0..<10 { bob.type("\(batch)-\(index) \(text)") }
      try await alice.line("recv", seconds: 30) { $0[1] == "bob" && $0.last!.hasPrefix("\(batch)-9 ") }
      let entries = await alice.lines.entries
      dropped = entries.contains { $0.first == "left" && $0[1] == name }
    }
    let left = try await alice.line("left") { $0[1] == name }
    #expect(left[2].hasPrefix("too slow"))
    // The room goes on.
    bob.type("still here")
    try await alice.line("recv") { $0[1] == "bob" && $0.last == "still here" }
  }

  @Test func aRoomWithASecretRefusesLineClientsInOneLine() async throws {
    try #require(LineClientProcess.isInstalled("ncat"))
    let (alice, port) = try await host(environment: ["CHAT_SECRET": "sesame"])
    let client = try LineClientProcess("ncat", ["127.0.0.1", String(port)])
    client.send("let me in")
    try await client.line("the refusal") { $0 == "this room requires a shared secret; connect with chat" }
    try await client.lines.waitForFinish(seconds: 20)
    let received = await client.lines.entries
    #expect(received == ["this room requires a shared secret; connect with chat"])
    let refused = try await alice.line("refused")
    #expect(refused[2] == "line client: this room requires a shared secret; connect with chat")
    // A chat client with the secret still joins.
    let bob = try ChatProcess(
      ["--connect", "127.0.0.1:\(port)", "--name", "bob"], environment: ["CHAT_SECRET": "sesame"])
    #expect(try await bob.line("established")[2] == "authenticated")
  }

  @Test func aBrowserIsStillToldThisIsNotHTTP() async throws {
    try #require(LineClientProcess.isInstalled("ncat"))
    let (alice, port) = try await host()
    let client = try LineClientProcess("ncat", ["127.0.0.1", String(port)])
    client.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    let refused = try await alice.line("refused")
    #expect(refused[2].contains("HTTP"), "\(refused)")
    #expect(await alice.lines.entries.allSatisfy { $0.first != "joined" && $0.first != "recv" })
  }

  @Test func withoutLinesALineClientIsRefusedAsBefore() async throws {
    try #require(LineClientProcess.isInstalled("ncat"))
    let alice = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "alice", "--handshake-timeout", "1"])
    let port = try await alice.listeningPort()
    let client = try LineClientProcess("ncat", ["127.0.0.1", String(port)])
    client.send("hello")
    let refused = try await alice.line("refused")
    #expect(!refused[2].isEmpty)
    #expect(await alice.lines.entries.allSatisfy { $0.first != "joined" })
  }
}
