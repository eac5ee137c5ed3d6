import Foundation
import NIOConcurrencyHelpers

/// A process the suite starts and stops, with its output lines collected.
final class ChildProcess: @unchecked Sendable {
  let process = Process()
  private let lines = NIOLockedValueBox<[String]>([])

  init(_ arguments: [String], environment: [String: String] = [:]) throws {
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, new in new }
    process.environment = env
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = Pipe()
    try process.run()
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
      if !process.isRunning, !lines.withLockedValue({ $0.contains(where: matches) }) {
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

  func stop() {
    if process.isRunning {
      process.terminate()
      let deadline = Date().addingTimeInterval(5)
      while process.isRunning, Date() < deadline { usleep(10_000) }
      if process.isRunning { kill(pid, SIGKILL) }
    }
  }

  deinit { stop() }

  /// Runs a command to completion (at most `seconds`); returns its exit status, or nil.
  static func runToEnd(_ arguments: [String], seconds: Double) -> Int32? {
    guard let child = try? ChildProcess(arguments) else { return nil }
    let deadline = Date().addingTimeInterval(seconds)
    while child.process.isRunning, Date() < deadline { usleep(20_000) }
    guard !child.process.isRunning else {
      child.stop()
      return nil
    }
    return child.process.terminationStatus
  }
}
