import Foundation
import Testing

/// `/run` on a real screen in tmux, with a plain chat process as the peer: the command runs
/// locally, its output is shown and, after Enter, arrives at the peer as one message.
@Suite("End to end: /run on the screen", .serialized)
struct RunCommandEndToEndTests {
  /// alice's screen hosting a room, bob a plain process in it.
  func startRoom(_ extra: [String] = []) async throws -> (TmuxTerminal, ChatProcess) {
    let environment = ["CHAT_SECRET": "run-secret"]
    let alice = try TmuxTerminal(["--listen", "127.0.0.1:0", "--name", "alice"] + extra, environment: environment)
    let screen = try await alice.waitForScreen(containing: "listening on 127.0.0.1:")
    let port = screen.components(separatedBy: "listening on 127.0.0.1:")[1].prefix { $0.isNumber }
    let bob = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "bob"], environment: environment)
    try await bob.line("welcome")
    try await alice.waitForScreen(containing: "bob joined")
    return (alice, bob)
  }

  @Test func runThenEnterSendsTheOutputAsOneTwoLineMessage() async throws {
    let (alice, bob) = try await startRoom()
    try alice.type("/run printf 'a\\nb\\n'")
    try alice.press("Enter")
    let screen = try await alice.waitForScreen(
      containing: "send this output (2 lines, 3 bytes)? Enter sends, Esc cancels")
    #expect(screen.contains("$ printf 'a\\nb\\n': exit 0, 2 lines, 3 B"))
    #expect(screen.contains("(time limit 10 s, output cap 64 KiB)"), "the limits are shown")
    try alice.press("Enter")
    // One message of two lines (plain output writes its line break as \n).
    let received = try await bob.line("recv") { $0[1] == "alice" }
    #expect(received.last == "a\\nb")
    #expect(received[3] == "3", "3 bytes of text")
    // On alice's screen it is her message like any other, confirmed, and the question is gone.
    let after = try await alice.waitForScreen(containing: "b  (3 B, 22 on wire)  ✓")
    #expect(after.contains("alice: a\n"))
    #expect(!after.contains("send this output"))
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
  }

  @Test func aCommandPastTheTimeLimitIsKilledWhileTheScreenKeepsWorking() async throws {
    let (alice, bob) = try await startRoom(["--run-timeout", "4"])
    // A sleep no other test runs, to find its process afterwards.
    let marker = "31.4159"
    try alice.type("/run echo started; sleep \(marker)")
    try alice.press("Enter")
    try await alice.waitForScreen(containing: "(time limit 4 s, output cap 64 KiB); Esc stops it")
    // The UI is not waiting for the command: a message typed meanwhile goes out and is
    // confirmed while the command still runs.
    try alice.type("still chatting 还在聊")
    try alice.press("Enter")
    try await bob.line("recv") { $0.last == "still chatting 还在聊" }
    let meanwhile = try await alice.waitForScreen(containing: "still chatting 还在聊")
    #expect(!meanwhile.contains("killed after"), "the message went out while the command ran")
    let screen = try await alice.waitForScreen(containing: "killed after 4 s (the time limit): partial output")
    #expect(screen.contains("send this output (1 line, 7 bytes)?"), "the partial output ('started') is offered")
    // The command's process group is gone: no sleep with the marker is left.
    let leftover = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
      guard Int(entry) != nil,
        let commandLine = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)
      else { return false }
      return commandLine.contains(marker) && !commandLine.contains("/run")
    }
    #expect(leftover.isEmpty, "processes left: \(leftover)")
    try alice.press("Escape")
    try await alice.waitForScreen(containing: "output not sent")
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    #expect(!(await bob.lines.entries).contains { $0.first == "recv" && $0.last == "started" })
  }

  @Test func escapeSequencesInTheOutputAreShownNotObeyed() async throws {
    let (alice, bob) = try await startRoom()
    try alice.type("/run -n printf '\\033[2J\\033[31mRED\\033[0m\\tdone\\n'")
    try alice.press("Enter")
    let screen = try await alice.waitForScreen(containing: "shown only (/run -n): nothing was sent")
    // The screen was not cleared and the colour codes are visible symbols.
    #expect(screen.contains("␛[2J␛[31mRED␛[0m"))
    #expect(screen.contains("bob joined"), "the screen was not cleared")
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
    #expect(!(await bob.lines.entries).contains { $0.first == "recv" && $0[1] == "alice" })
  }

  @Test func theCommandGetsNoTerminalNoInputAndNotTheSecret() async throws {
    let (alice, bob) = try await startRoom()
    // cat would wait for ever on a terminal; tty says what stdin is; the secret chat got
    // from its environment is not passed on.
    try alice.type("/run -n cat; tty; echo \"secret=[$CHAT_SECRET]\"; exit 3")
    try alice.press("Enter")
    let screen = try await alice.waitForScreen(containing: "shown only (/run -n): nothing was sent")
    #expect(screen.contains("exit status 3 (failed), 2 lines"))
    #expect(screen.contains("not a tty"))
    #expect(screen.contains("secret=[]"))
    #expect(!screen.contains("run-secret"))
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
  }

  @Test func escStopsARunningCommand() async throws {
    let (alice, bob) = try await startRoom()
    try alice.type("/run sleep 27.1828")
    try alice.press("Enter")
    try await alice.waitForScreen(containing: "Esc stops it")
    try alice.press("Escape")
    let screen = try await alice.waitForScreen(containing: "$ sleep 27.1828: stopped (Esc) after")
    #expect(screen.contains("no output: nothing to send"))
    bob.closeInput()
    #expect(try await bob.exitStatus() == 0)
  }
}
