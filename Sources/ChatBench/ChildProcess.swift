import Foundation
import NIOConcurrencyHelpers

/// A process the suite starts and stops, with its output lines collected.
final class ChildProcess: @unchecked Sendable {
  let process = Process()
  private let lines = NIOLockedValueBox<[String]>([])
  private let peak = NIOLockedValueBox(0)
  /// The exit status, once this suite has reaped the process itself.
  private let reaped = NIOLockedValueBox<Int32?>(nil)

  /// With `closingInput`, the child's standard input ends at once (a `--send` leaves when
  /// its files are done only after its input has ended); otherwise it stays open.
  init(_ arguments: [String], environment: [String: String] = [:], closingInput: Bool = false) throws {
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, new in new }
    process.environment = env
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if closingInput { try? input.fileHandleForWriting.close() }
    let lines = lines
    let handle = output.fileHandleForReading
    Thread {
      var partial = Data()
      while true {
        let data = handle.availableData
        if data.isEmpty { break }
        partial.append(data)
        while let newline = partial.firstIndex(of: 0x0a) {
          let line = String(decoding: partial[partial.startIndex..<newline], as: UTF8.self)
          lines.withLockedValue { $0.append(line) }
          partial.removeSubrange(partial.startIndex...newline)
        }
      }
    }.start()
  }

  var pid: Int32 { process.processIdentifier }

  /// Waits (at most `seconds`) for an output line containing `text`; returns it.
  func waitForLine(containing text: String, seconds: Double = 30) throws -> String {
    try waitForLine("'\(text)'", seconds: seconds) { $0.contains(text) }
  }

  /// Waits (at most `seconds`) for an output line that `matches`; returns it.
  func waitForLine(_ what: String, seconds: Double = 30, where matches: (String) -> Bool) throws -> String {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if let line = lines.withLockedValue({ $0.first(where: matches) }) { return line }
      if hasExited, !lines.withLockedValue({ $0.contains(where: matches) }) {
        throw BenchError("\(process.executableURL!.lastPathComponent) exited before printing \(what)")
      }
      usleep(5_000)
    }
    throw BenchError("no \(what) from \(process.executableURL!.lastPathComponent) within \(seconds) s")
  }

  /// The port in the first line that contains `marker` followed by a number.
  func port(after marker: String) throws -> Int {
    let line = try waitForLine(containing: marker)
    guard let port = Int(line.components(separatedBy: marker)[1].prefix { $0.isNumber }) else {
      throw BenchError("no port in '\(line)'")
    }
    return port
  }

  /// Resident memory in bytes, from /proc.
  var residentBytes: Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return (Int(line.split(separator: " ")[1]) ?? 0) * 1024
  }

  /// Memory only this process uses (private pages), from /proc: RSS less the shared
  /// library pages every process maps.
  var privateBytes: Int {
    guard let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return 0 }
    return rollup.split(separator: "\n")
      .filter { $0.hasPrefix("Private_Clean:") || $0.hasPrefix("Private_Dirty:") }
      .reduce(0) { $0 + (Int($1.split(separator: " ")[1]) ?? 0) * 1024 }
  }

  /// The output lines so far.
  var collectedLines: [String] { lines.withLockedValue { $0 } }

  /// Reads the kernel's peak resident memory (VmHWM) while the process runs; keeps the
  /// largest seen, for ``peakResidentBytes`` after it has exited.
  func samplePeak() {
    guard !hasExited,
      let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = Int(line.split(separator: " ")[1])
    else { return }
    peak.withLockedValue { $0 = max($0, kilobytes * 1024) }
  }

  /// The peak resident memory (VmHWM) of the process: now if it runs, else the last sampled.
  var peakResidentBytes: Int {
    samplePeak()
    return peak.withLockedValue { $0 }
  }

  /// The exit status once the process has ended (128 + the signal when killed), or nil
  /// while it runs. Foundation on Linux does not always notice that a child has ended (it
  /// was seen to stay "running" as a zombie for minutes while other children ran), so a
  /// zombie is reaped here.
  var exitStatus: Int32? {
    if let status = reaped.withLockedValue({ $0 }) { return status }
    if !process.isRunning { return process.terminationStatus }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let end = stat.lastIndex(of: ")"), stat[stat.index(end, offsetBy: 2)] == "Z"
    else { return nil }
    var status: Int32 = 0
    guard waitpid(pid, &status, WNOHANG) == pid else { return process.isRunning ? nil : process.terminationStatus }
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    reaped.withLockedValue { $0 = code }
    return code
  }

  var hasExited: Bool { exitStatus != nil }

  func stop() {
    guard !hasExited else { return }
    process.terminate()
    let deadline = Date().addingTimeInterval(5)
    while !hasExited, Date() < deadline { usleep(10_000) }
    if !hasExited { kill(pid, SIGKILL) }
  }

  deinit { stop() }

  /// Runs a command to completion (at most `seconds`); returns its exit status, or nil.
  static func runToEnd(_ arguments: [String], seconds: Double) -> Int32? {
    guard let child = try? ChildProcess(arguments) else { return nil }
    let deadline = Date().addingTimeInterval(seconds)
    while !child.hasExited, Date() < deadline { usleep(20_000) }
    guard let status = child.exitStatus else {
      child.stop()
      return nil
    }
    return status
  }
}
