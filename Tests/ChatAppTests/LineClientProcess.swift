import ChatTestSupport
import Foundation

/// A plain line client (`nc`, `ncat`) as a real process talking to chat (`--lines`):
/// its standard input is what it sends, its standard output, line by line, what it got.
final class LineClientProcess: Sendable {
  let process: Process
  let lines = AwaitableLog<String>()
  let exit = AwaitableLog<Int32>()
  private let stdin: FileHandle

  /// Runs `program` (found on PATH by /usr/bin/env) with `arguments`.
  init(_ program: String, _ arguments: [String]) throws {
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    stdin = input.fileHandleForWriting
    let exit = exit
    process.terminationHandler = { process in
      let status = process.terminationStatus
      Task { await exit.append(status) }
    }
    try process.run()
    ChatProcess.readLines(from: output.fileHandleForReading, into: lines) { $0 }
  }

  /// Whether `program` can be run here.
  static func isInstalled(_ program: String) -> Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
  }

  /// Sends `bytes` as they are (a line ends only where they hold a newline).
  func write(_ bytes: String) {
    stdin.write(Data(bytes.utf8))
  }

  /// Sends raw bytes (a line may be cut anywhere, inside a character too).
  func write(bytes: [UInt8]) {
    stdin.write(Data(bytes))
  }

  /// Sends `text` and a newline.
  func send(_ text: String) {
    write(text + "\n")
  }

  /// Waits for a line received that satisfies `matches`.
  @discardableResult
  func line(_ what: String, seconds: Double = 20, where matches: @escaping @Sendable (String) -> Bool) async throws
    -> String
  {
    try await lines.first(what, seconds: seconds, where: matches)
  }

  func signal(_ number: Int32) {
    kill(process.processIdentifier, number)
  }

  deinit {
    if process.isRunning {
      // SIGKILL, not terminate(): a stopped client must go too, and SIGTERM may be ignored
      // by what the test runner passes on.
      kill(process.processIdentifier, SIGKILL)
    }
  }
}
