import ChatEvents
import ChatProtocol
import ChatScreen
import Foundation
import Testing

@Suite("Screen model: /run, running, awaiting confirmation, sending or not")
struct RunCommandTests {
  func connected(limits: CommandLimits = CommandLimits()) -> ScreenModel {
    var model = ScreenModel(localName: "bob")
    model.commandLimits = limits
    model.apply(.connecting(to: "h:1"), time: "t")
    model.apply(
      .established(
        peer: PeerIdentity(name: "alice", maximumPayloadLength: 1 << 20), auth: .authenticated, address: "h:1"),
      time: "t")
    _ = model.layout(width: 80, height: 20)
    return model
  }

  func type(_ text: String, into model: inout ScreenModel) -> [ScreenCommand] {
    _ = model.handle(.text(text), time: "t")
    return model.handle(.enter, time: "t")
  }

  func screen(_ model: inout ScreenModel) -> String {
    model.layout(width: 80, height: 20).text
  }

  func inputRow(_ model: inout ScreenModel) -> String {
    model.layout(width: 80, height: 20).rows.last!.text
  }

  /// Starts `/run printf …` and returns its request.
  func start(_ line: String, in model: inout ScreenModel) throws -> CommandRequest {
    let commands = type(line, into: &model)
    guard case .runCommand(let request) = try #require(commands.first), commands.count == 1 else {
      Issue.record("expected one runCommand, got \(commands)")
      throw CancellationError()
    }
    return request
  }

  @Test func theLineIsParsedWithAndWithoutDashN() {
    #expect(TypedLine("/run printf 'a\\nb\\n'") == .run(command: "printf 'a\\nb\\n'", sends: true))
    #expect(TypedLine("/RUN   ls -l") == .run(command: "ls -l", sends: true))
    #expect(TypedLine("/run -n  date") == .run(command: "date", sends: false))
    #expect(TypedLine("/run -nope") == .run(command: "-nope", sends: true), "-n only as a word of its own")
    #expect(TypedLine("/run") == .run(command: "", sends: true))
    #expect(TypedLine("//run ls") == .message("/run ls"))
  }

  @Test func runningAsksTheShellAndShowsTheLimits() throws {
    var model = connected(limits: CommandLimits(timeout: 3, outputLimit: 2048))
    let request = try start("/run printf 'a\\nb\\n'", in: &model)
    #expect(request.command == "printf 'a\\nb\\n'")
    #expect(request.limits == CommandLimits(timeout: 3, outputLimit: 2048))
    #expect(model.commandRun == .running(request, sends: true))
    #expect(screen(&model).contains("running $ printf 'a\\nb\\n' (time limit 3 s, output cap 2 KiB); Esc stops it"))
  }

  @Test func whileRunningTheScreenStillChatsAndEscStopsIt() throws {
    var model = connected()
    let request = try start("/run sleep 30", in: &model)
    // Typing and sending go on while the command runs.
    #expect(type("still here", into: &model) == [.send("still here")])
    #expect(inputRow(&model) == "> ")
    // A second /run waits for the first.
    #expect(type("/run date", into: &model).isEmpty)
    #expect(screen(&model).contains("$ sleep 30 is still running: Esc stops it"))
    #expect(model.handle(.escape, time: "t") == [.stopCommand(id: request.id)])
    model.commandFinished(
      CommandResult(id: request.id, output: Array("partial".utf8), ending: .stopped, seconds: 1.2), time: "t")
    #expect(screen(&model).contains("$ sleep 30: stopped (Esc) after 1.2 s: partial output, 1 line, 7 B"))
    #expect(
      model.commandRun
        == .awaitingConfirmation(
          CommandOutput(
            command: "sleep 30",
            result: CommandResult(id: request.id, output: Array("partial".utf8), ending: .stopped, seconds: 1.2),
            limits: CommandLimits())))
  }

  @Test func theOutputIsShownThenEnterSendsItAsOneMultiLineMessage() throws {
    var model = connected()
    let request = try start("/run printf 'a\\nb\\n'", in: &model)
    model.commandFinished(
      CommandResult(id: request.id, output: Array("a\nb\n".utf8), ending: .exited(0), seconds: 0.01), time: "t")
    let shown = screen(&model)
    #expect(shown.contains("-- $ printf 'a\\nb\\n': exit 0, 2 lines, 3 B in 0.01 s"))
    let rows = shown.split(separator: "\n").map(String.init)
    let a = try #require(rows.firstIndex { $0.hasSuffix("t a") })
    #expect(rows[a + 1].trimmingCharacters(in: .whitespaces) == "b")
    #expect(inputRow(&model) == "send this output (2 lines, 3 bytes)? Enter sends, Esc cancels ")
    // Typing doesn't go into the input line meanwhile, nor send, nor lose the output.
    #expect(model.handle(.text("x"), time: "t").isEmpty)
    #expect(model.input.isEmpty)
    #expect(model.handle(.enter, time: "t") == [.send("a\nb")])
    #expect(model.commandRun == nil)
    #expect(inputRow(&model) == "> ")
  }

  @Test func escCancelsAndNothingIsSent() throws {
    var model = connected()
    let request = try start("/run echo secret", in: &model)
    model.commandFinished(
      CommandResult(id: request.id, output: Array("secret\n".utf8), ending: .exited(0), seconds: 0), time: "t")
    #expect(model.handle(.escape, time: "t").isEmpty)
    #expect(model.commandRun == nil)
    #expect(screen(&model).contains("output not sent"))
    #expect(type("next", into: &model) == [.send("next")], "the input line is back")
  }

  @Test func dashNOnlyShowsTheOutput() throws {
    var model = connected()
    let request = try start("/run -n uname", in: &model)
    model.commandFinished(
      CommandResult(id: request.id, output: Array("Linux\n".utf8), ending: .exited(0), seconds: 0), time: "t")
    #expect(model.commandRun == nil)
    #expect(screen(&model).contains("Linux"))
    #expect(screen(&model).contains("shown only (/run -n): nothing was sent"))
    #expect(model.handle(.enter, time: "t").isEmpty, "Enter on the empty input line sends nothing")
  }

  @Test func escapeSequencesAndControlsFromTheCommandNeverReachTheTerminal() throws {
    var model = connected()
    let request = try start("/run ./evil", in: &model)
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}red \u{1b}[31mtext\r\nbell\u{7}\u{9b}31m\n"
    model.commandFinished(
      CommandResult(id: request.id, output: Array(evil.utf8), ending: .exited(0), seconds: 0), time: "t")
    let layout = model.layout(width: 80, height: 20)
    for row in layout.rows {
      #expect(!row.text.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }, "\(row.text)")
    }
    #expect(layout.text.contains("␛[2J␛]0;pwned␇red ␛[31mtext"))
    #expect(layout.text.contains("bell␇\\u{9b}31m"))
    // What would be sent is the output itself (CR LF made LF, the final line break
    // dropped): the receiving screen escapes it the same way.
    #expect(
      model.handle(.enter, time: "t") == [.send("\u{1b}[2J\u{1b}]0;pwned\u{7}red \u{1b}[31mtext\nbell\u{7}\u{9b}31m")])
  }

  @Test func aTimeoutANonZeroStatusAndTheCapAreSaid() throws {
    var model = connected(limits: CommandLimits(timeout: 1, outputLimit: 1024))
    var request = try start("/run sleep 30", in: &model)
    model.commandFinished(CommandResult(id: request.id, output: [], ending: .timedOut, seconds: 1), time: "t")
    #expect(screen(&model).contains("!! $ sleep 30: killed after 1 s (the time limit): partial output, 0 lines, 0 B"))
    #expect(screen(&model).contains("no output: nothing to send"))
    #expect(model.commandRun == nil)

    request = try start("/run false", in: &model)
    model.commandFinished(
      CommandResult(id: request.id, output: Array("oops\n".utf8), ending: .exited(1), seconds: 0), time: "t")
    #expect(screen(&model).contains("!! $ false: exit status 1 (failed), 1 line, 4 B in 0.0 s"))
    #expect(
      inputRow(&model).hasPrefix("send this output (1 line, 4 bytes)?"),
      "a failing command's output may still be shared")
    _ = model.handle(.escape, time: "t")

    request = try start("/run yes", in: &model)
    model.commandFinished(
      CommandResult(
        id: request.id, output: Array(repeating: UInt8(ascii: "y"), count: 1024), ending: .signalled(9),
        truncated: true, seconds: 0.02), time: "t")
    #expect(screen(&model).contains("stopped (signal 9) at the output cap"))
    #expect(screen(&model).contains("output cut at 1 KiB (the rest was not read)"))
  }

  @Test func aCommandThatCantStartSaysWhyAndOffersNothing() throws {
    var model = connected()
    let request = try start("/run ls", in: &model)
    model.commandFinished(
      CommandResult(
        id: request.id, output: [], ending: .failedToStart("/bin/nosh: no such file or directory"), seconds: 0),
      time: "t")
    #expect(screen(&model).contains("$ ls: could not start: /bin/nosh: no such file or directory"))
    #expect(model.commandRun == nil)
  }

  @Test func aResultForAnotherRunIsIgnored() throws {
    var model = connected()
    let first = try start("/run sleep 5", in: &model)
    model.commandFinished(
      CommandResult(id: first.id + 7, output: Array("x".utf8), ending: .exited(0), seconds: 0), time: "t")
    #expect(model.commandRun == .running(first, sends: true))
  }

  @Test func whileAwaitingTheConversationScrollsAndCtrlCStillLeaves() throws {
    var model = connected()
    let request = try start("/run seq 100", in: &model)
    let lines = (1...100).map(String.init).joined(separator: "\n") + "\n"
    model.commandFinished(
      CommandResult(id: request.id, output: Array(lines.utf8), ending: .exited(0), seconds: 0), time: "t")
    #expect(!screen(&model).contains("t 1\n"))
    _ = model.handle(.scrollTop, time: "t")
    #expect(screen(&model).contains("running $ seq 100"), "scrolled to the top while the question waits")
    #expect(inputRow(&model).hasPrefix("send this output (100 lines, 291 bytes)?"))
    #expect(model.handle(.control("c"), time: "t") == [.quit])
    #expect(model.commandRun == nil)
  }

  @Test func aBareRunSaysHowToUseIt() {
    var model = connected()
    #expect(type("/run", into: &model).isEmpty)
    #expect(type("/run -n", into: &model).isEmpty)
    let hints = model.layout(width: 120, height: 20).text.components(
      separatedBy: "/run COMMAND runs it here and offers its output to send; /run -n COMMAND only shows it")
    #expect(hints.count == 3, "one hint for each")
    #expect(model.commandRun == nil)
  }

  @Test func tabsAreLaidOutAsATerminalWould() throws {
    var model = connected()
    let request = try start("/run -n printf 'a\\tb\\n中\\tc\\n'", in: &model)
    model.commandFinished(
      CommandResult(id: request.id, output: Array("a\tb\n中\tc\n".utf8), ending: .exited(0), seconds: 0), time: "t")
    let shown = screen(&model)
    #expect(shown.contains("t a       b"))
    #expect(shown.contains("  中      c"))
  }
}
