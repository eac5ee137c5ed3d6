import Foundation
import Testing

/// The real `chat` binary's answers to command lines it can't run, as a person sees them.
@Suite("End to end: the command line")
struct CommandLineEndToEndTests {
  struct Run {
    var status: Int32
    var standardOutput: String
    var standardError: String
  }

  /// Runs chat with `arguments` and empty input, at most `seconds`.
  func run(_ arguments: [String], seconds: Double = 20) async throws -> Run {
    let process = Process()
    process.executableURL = ChatProcess.binary
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
    if process.isRunning {
      process.terminate()
      Issue.record("chat \(arguments) still ran after \(seconds) s")
    }
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus,
      standardOutput: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
      standardError: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
  }

  @Test func anUnknownOptionIsNamed() async throws {
    let result = try await run(["--bogus"])
    #expect(result.status == 64)
    #expect(result.standardError.contains("'--bogus'"))
  }

  @Test func aNegativePortIsABadPort() async throws {
    let result = try await run(["--listen", "-1"])
    #expect(result.status == 64)
    #expect(!result.standardError.contains("Missing value"))
    #expect(result.standardError.contains("--listen"))
  }

  @Test func aNegativeRateIsABadRate() async throws {
    let result = try await run(["--listen", "127.0.0.1:0", "--rate", "-5"])
    #expect(result.status == 64)
    #expect(result.standardError.contains("--rate must be"))
  }

  @Test func aDirectoryAsTheSecretFileIsSaidSo() async throws {
    let result = try await run(["--listen", "127.0.0.1:0", "--secret-file", NSTemporaryDirectory()])
    #expect(result.status == 1)
    #expect(result.standardError.contains("is a directory"))
    #expect(!result.standardError.contains("NSCocoaErrorDomain"))
  }

  @Test func roomOptionsWithConnectAreRefused() async throws {
    let result = try await run(["--connect", "127.0.0.1:9", "--max-clients", "5"])
    #expect(result.status == 64)
    #expect(result.standardError.contains("--max-clients applies to a room's host"))
  }

  @Test func versionIsPrinted() async throws {
    let result = try await run(["--version"])
    #expect(result.status == 0)
    #expect(result.standardOutput.contains("(protocol 2)"))
  }

  /// Runs chat with `arguments` in a pseudo-terminal (script(1)), as a person would, with
  /// `term` as TERM; returns what the terminal showed.
  func runInTerminal(_ arguments: [String], term: String) async throws -> Run {
    let command = (["TERM=\(term)", "exec", ChatProcess.binary.path] + arguments).joined(separator: " ")
    let script = Process()
    script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    script.arguments = ["-qec", command, "/dev/null"]
    let output = Pipe()
    script.standardInput = FileHandle.nullDevice
    script.standardOutput = output
    script.standardError = output
    try script.run()
    let deadline = Date().addingTimeInterval(20)
    while script.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
    if script.isRunning { script.terminate() }
    script.waitUntilExit()
    let shown = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return Run(status: script.terminationStatus, standardOutput: shown, standardError: shown)
  }

  @Test func anAddressInUseIsSaidOnceInATerminal() async throws {
    let holder = try ChatProcess(["--listen", "127.0.0.1:0", "--name", "holder"])
    let port = try await holder.listeningPort()
    let result = try await runInTerminal(["--listen", "127.0.0.1:\(port)"], term: "xterm")
    #expect(result.status == 1)
    #expect(result.standardOutput.components(separatedBy: "address already in use").count == 2, "\(result)")
    holder.closeInput()
    #expect(try await holder.exitStatus() == 0)
  }

  @Test func aDumbTerminalSaysItFallsBackToPlainMode() async throws {
    // Nothing listens on port 1 and --no-reconnect: chat says how it shows things and ends.
    let result = try await runInTerminal(["--connect", "127.0.0.1:1", "--no-reconnect"], term: "dumb")
    #expect(result.standardOutput.contains("chat: TERM is dumb, so the screen can't be drawn: using plain line mode"))
    #expect(result.standardOutput.contains("\tconnecting\t"))
  }
}
