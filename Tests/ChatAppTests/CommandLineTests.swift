import ArgumentParser
import ChatEvents
import ChatNetwork
import ChatRoom
import ChatScreen
import Testing

@testable import ChatApp

@Suite("The command line: modes, checks and messages")
struct CommandLineTests {
  /// What chat would say about `arguments`: nil when they are usable.
  func problem(_ arguments: [String]) -> String? {
    do {
      let command = try ChatCommand.parse(arguments)
      _ = try command.check()
      return nil
    } catch {
      return ChatCommand.message(for: error)
    }
  }

  func mode(_ arguments: [String]) throws -> Mode {
    try ChatCommand.parse(arguments).check()
  }

  @Test func theModeIsParsedOnce() throws {
    #expect(try mode(["--listen", "9090"]) == .listen(.tcp(HostAndPort(host: nil, port: 9090))))
    #expect(try mode(["--connect", "[::1]:80"]) == .connect(.tcp(HostAndPort(host: "::1", port: 80))))
    #expect(try mode(["--serve", "127.0.0.1:0"]) == .serve(.tcp(HostAndPort(host: "127.0.0.1", port: 0))))
    #expect(try mode(["--listen", "unix:/tmp/a.sock"]) == .listen(.unix(try UnixSocketPath("/tmp/a.sock"))))
    #expect(try mode(["--connect", "unix:rel.sock"]) == .connect(.unix(try UnixSocketPath("rel.sock"))))
    #expect(throws: UsageError.noMode) { try Mode.parse(listen: nil, connect: nil, serve: nil) }
    #expect(throws: UsageError.severalModes(["--listen", "--serve"])) {
      try Mode.parse(listen: "1", connect: nil, serve: "2")
    }
  }

  @Test func anUnknownOptionIsNamed() {
    #expect(problem(["--bogus"])?.contains("--bogus") == true)
    #expect(problem(["--listen", "9090", "--bogus"])?.contains("--bogus") == true)
  }

  @Test func negativeNumbersAreBadValuesNotMissingOnes() {
    let port = problem(["--listen", "-1"])
    #expect(port?.contains("Missing value") == false)
    #expect(port?.contains("--listen") == true)
    #expect(
      problem(["--listen", "9090", "--rate", "-5"])
        == UsageError.outOfRange(
          option: "--rate", allowed: "a number of messages per second above 0"
        ).description)
    #expect(problem(["--connect", "h:1", "--dead-after", "-3"])?.contains("--dead-after must be") == true)
  }

  @Test func roomOptionsWithConnectAreRefused() {
    #expect(throws: UsageError.roomOptionsWithConnect(["--max-clients", "--rate"])) {
      try mode(["--connect", "h:1", "--rate", "5", "--max-clients", "3"])
    }
    #expect(problem(["--serve", "9090", "--rate", "5"]) == nil)
    #expect(throws: UsageError.roomOptionsWithConnect(["--lines"])) { try mode(["--connect", "h:1", "--lines"]) }
    #expect(throws: UsageError.linesWithPinnedNames) { try mode(["--serve", "1", "--lines", "--pin-names"]) }
    #expect(throws: UsageError.connectOnly("--no-reconnect")) { try mode(["--listen", "1", "--no-reconnect"]) }
  }

  @Test func versionIsPrinted() {
    #expect(throws: (any Error).self) { try ChatCommand.parse(["--version"]) }
    do {
      _ = try ChatCommand.parse(["--version"])
    } catch {
      #expect(ChatCommand.message(for: error) == ChatVersion.description)
      #expect(ChatCommand.exitCode(for: error) == .success)
    }
  }

  @Test func helpShowsEachDefaultOnceAndModesFirst() {
    let help = ChatCommand.helpMessage(columns: 100)
    #expect(!help.contains("(default: 10000)"))
    #expect(!help.contains("(default: 20.0)"))
    let modes = help.range(of: "--listen <")!.lowerBound
    let room = help.range(of: "--max-clients <")!.lowerBound
    let name = help.range(of: "--name <")!.lowerBound
    #expect(modes < room)
    #expect(modes < name)
    // No sentence is cut by a hard line break: each line of prose at 80 columns is
    // either a whole paragraph's wrap or an example command.
    for line in ChatCommand.helpMessage(columns: 80).split(separator: "\n") {
      #expect(line.count <= 80, "\(line)")
    }
    #expect(!help.contains("message\nper input line"))
  }

  @Test func aDumbTerminalFallsBackToPlainModeAndSaysSo() {
    let dumb = FrontEndChoice(plainRequested: false, environment: ["TERM": "dumb"], isTerminal: { _ in true })
    #expect(!dumb.usesScreen)
    #expect(dumb.notice?.contains("dumb") == true)
    let piped = FrontEndChoice(plainRequested: false, environment: ["TERM": "dumb"], isTerminal: { _ in false })
    #expect(!piped.usesScreen)
    #expect(piped.notice == nil)
    let xterm = FrontEndChoice(plainRequested: false, environment: ["TERM": "xterm"], isTerminal: { _ in true })
    #expect(xterm.usesScreen)
  }

  @Test func roomOptionsReachTheRoomsLimitsAndDefaultsStayTheRooms() throws {
    let given = try ChatCommand.parse(["--serve", "9090", "--max-queue", "65536", "--byte-rate", "4096"])
    #expect(given.room.limits.maximumQueuedBytes == 65536)
    #expect(given.room.limits.bytesPerSecond == 4096)
    let defaults = try ChatCommand.parse(["--serve", "9090"])
    #expect(defaults.room.limits == RoomLimits())
    #expect(!defaults.room.limits.acceptsLineClients)
    #expect(try ChatCommand.parse(["--listen", "9090", "--lines"]).room.limits.acceptsLineClients)
  }

  @Test func aUnixSocketPathTooLongIsAUsageErrorWithItsLength() {
    let long = "/tmp/" + String(repeating: "d", count: 103)  // 108 bytes: no room for the NUL
    let message = problem(["--listen", "unix:" + long])
    #expect(message?.contains("--listen") == true)
    #expect(message?.contains("108 bytes long") == true)
    #expect(message?.contains("at most 107") == true)
    #expect(problem(["--listen", "unix:" + String(long.dropLast())]) == nil)
    #expect(problem(["--connect", "unix:"])?.contains("needs a path") == true)
  }

  @Test func socketModeIsOctalForAUnixListenerOnly() throws {
    #expect(try ChatCommand.parse(["--listen", "unix:/tmp/s"]).unixSocketMode() == 0o600)
    #expect(try ChatCommand.parse(["--listen", "unix:/tmp/s", "--socket-mode", "0660"]).unixSocketMode() == 0o660)
    #expect(try ChatCommand.parse(["--serve", "unix:/tmp/s", "--socket-mode", "666"]).unixSocketMode() == 0o666)
    #expect(problem(["--listen", "unix:/tmp/s", "--socket-mode", "0660"]) == nil)
    #expect(
      problem(["--listen", "9090", "--socket-mode", "0660"]) == UsageError.unixListenerOnly("--socket-mode").description
    )
    #expect(
      problem(["--connect", "unix:/tmp/s", "--socket-mode", "0660"])
        == UsageError.unixListenerOnly("--socket-mode").description)
    for bad in ["0400", "0200", "0700", "0680", "rw", "06600", "60"] {
      #expect(
        problem(["--listen", "unix:/tmp/s", "--socket-mode", bad])?.hasPrefix("--socket-mode must be") == true, "\(bad)"
      )
    }
  }

  @Test func runLimitsHaveDefaultsRangesAndNoPlaceInARelay() throws {
    #expect(
      try ChatCommand.parse(["--connect", "h:1"]).commandLimits() == CommandLimits(timeout: 10, outputLimit: 65536))
    let given = try ChatCommand.parse(["--connect", "h:1", "--run-timeout", "0.5", "--run-max-output", "2048"])
    #expect(try given.commandLimits() == CommandLimits(timeout: 0.5, outputLimit: 2048))
    #expect(problem(["--connect", "h:1", "--run-timeout", "0"])?.contains("--run-timeout must be") == true)
    #expect(problem(["--connect", "h:1", "--run-max-output", "100"])?.contains("--run-max-output must be") == true)
    #expect(problem(["--serve", "9090", "--run-timeout", "5"]) == UsageError.screenOnly("--run-timeout").description)
  }
}
