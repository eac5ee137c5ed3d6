import ChatApp
import ChatTestSupport
import Foundation

/// A real `chat` process in plain mode: the test writes its stdin and awaits its stdout
/// lines (split into fields, time stamp dropped), with a time limit on every wait.
final class ChatProcess: Sendable {
  let process: Process
  let lines = AwaitableLog<[String]>()
  let exit = AwaitableLog<Int32>()
  private let stdin: FileHandle
  /// Writes to stdin in order, off the caller's thread: chat reads its input only as fast
  /// as it can send it (its read-ahead is bounded), so a large write lasts as long as the
  /// conversation, and a blocked thread of the test's cooperative pool would stall the
  /// readers of every process's output, and with them the conversation itself.
  private let writer = DispatchQueue(label: "chat-test stdin")
  private let stdout: FileHandle
  let stderr = AwaitableLog<String>()

  /// The chat binary built beside this test bundle (or CHAT_BINARY).
  static var binary: URL {
    if let path = ProcessInfo.processInfo.environment["CHAT_BINARY"] { return URL(fileURLWithPath: path) }
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "chat")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    // Fall back on the package's default build folder.
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    return root.appendingPathComponent(".build/debug/chat")
  }

  /// `fileLimit` starts chat with that many file descriptors at most (soft and hard limit).
  /// With `readsOutput` false, nothing reads its standard output until
  /// ``startReadingOutput()``: the pipe fills and chat's writes block, as when a script
  /// stops reading.
  /// The configuration folder (identity, known_peers) of every chat this test run starts.
  static let configHome = FileManager.default.temporaryDirectory
    .appendingPathComponent("chat-tests-\(ProcessInfo.processInfo.processIdentifier)").path

  init(_ arguments: [String], environment: [String: String] = [:], fileLimit: Int? = nil, readsOutput: Bool = true)
    throws
  {
    process = Process()
    process.executableURL = Self.binary
    process.arguments = arguments + ["--plain"]
    if let fileLimit {
      // prlimit execs chat in its own process, so the process id is chat's.
      process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
      process.arguments = ["--nofile=\(fileLimit):\(fileLimit)", Self.binary.path] + arguments + ["--plain"]
    }
    var env = ProcessInfo.processInfo.environment
    env["CHAT_SECRET"] = nil
    // Identity and pinned keys in the test run's own folder, not the user's: every chat of
    // a run shares one identity, so pins made by one test hold for the next.
    env["XDG_CONFIG_HOME"] = Self.configHome
    env.merge(environment) { _, new in new }
    process.environment = env
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    stdin = input.fileHandleForWriting
    stdout = output.fileHandleForReading
    let exit = exit
    process.terminationHandler = { process in
      let status =
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
      Task { await exit.append(status) }
    }
    try process.run()
    if readsOutput { startReadingOutput() }
    Self.readLines(from: errors.fileHandleForReading, into: stderr) { $0 }
  }

  /// Reads standard output into ``lines`` from now on (once).
  func startReadingOutput() {
    Self.readLines(from: stdout, into: lines) {
      $0.split(separator: "\t", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }
  }

  /// Resident memory, in kilobytes (VmRSS in /proc/PID/status).
  func residentKilobytes() throws -> Int { try statusKilobytes("VmRSS:") }

  /// The most memory the process has had resident so far, in kilobytes (VmHWM).
  func peakResidentKilobytes() throws -> Int { try statusKilobytes("VmHWM:") }

  private func statusKilobytes(_ field: String) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
    let line = status.split(separator: "\n").first { $0.hasPrefix(field) }!
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])!
  }

  /// User plus system CPU time so far, in clock ticks (/proc/PID/stat).
  func cpuTicks() throws -> Int {
    let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
    return Int(fields[11])! + Int(fields[12])!
  }

  static func readLines<T: Sendable>(
    from handle: FileHandle,
    into log: AwaitableLog<T>,
    transform: @escaping @Sendable (String) -> T
  ) {
    let fd = handle.fileDescriptor
    let thread = Thread {
      var splitter = LineSplitter()
      var buffer = [UInt8](repeating: 0, count: 65536)
      var collected: [T] = []
      func flush() {
        let batch = collected
        collected = []
        let semaphore = DispatchSemaphore(value: 0)
        Task {
          for item in batch { await log.append(item) }
          semaphore.signal()
        }
        semaphore.wait()
      }
      while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        for line in splitter.push(buffer[0..<count]) {
          if case .text(let text) = line { collected.append(transform(text)) }
        }
        flush()
      }
      if case .text(let text)? = splitter.finish() { collected.append(transform(text)) }
      flush()
      let done = DispatchSemaphore(value: 0)
      Task {
        await log.finish()
        done.signal()
      }
      done.wait()
    }
    thread.start()
  }

  /// Types `text` followed by Enter.
  func type(_ text: String) {
    write(Data((text + "\n").utf8))
  }

  /// Writes raw bytes to stdin, all at once, after what was written before (it returns at
  /// once; the bytes go out as chat takes them).
  func write(_ bytes: Data) {
    let stdin = stdin
    writer.async { stdin.write(bytes) }
  }

  /// End of input (after everything written before): chat says goodbye and exits.
  func closeInput() {
    let stdin = stdin
    writer.async { try? stdin.close() }
  }

  func signal(_ number: Int32) {
    kill(process.processIdentifier, number)
  }

  /// Waits for a line whose first field is `kind` and that satisfies `matches`.
  @discardableResult
  func line(_ kind: String, seconds: Double = 20, where matches: @escaping @Sendable ([String]) -> Bool = { _ in true })
    async throws -> [String]
  {
    try await lines.first("a '\(kind)' line", seconds: seconds) { $0.first == kind && matches($0) }
  }

  func exitStatus(seconds: Double = 20) async throws -> Int32 {
    try await exit.first("exit", seconds: seconds) { _ in true }
  }

  /// The port of a listener started with port 0, read from its "listening" line.
  func listeningPort() async throws -> Int {
    let listening = try await line("listening")
    return Int(listening[1].split(separator: ":").last!)!
  }

  deinit {
    if process.isRunning { process.terminate() }
  }
}
