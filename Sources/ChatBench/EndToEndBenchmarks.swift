import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The path a user feels: lines piped into `chat --connect --plain`, through `chat --serve`,
/// out of a receiving `chat --connect --plain` into a file. Reference: `ncat --broker` with
/// an `ncat` client sending the same lines and one receiving them into a file.
extension Benchmarks {
  /// One input for the end-to-end row.
  struct EndToEndInput {
    var label: String
    var lines: Int
    /// Line `index` (0-based), without its newline.
    var line: (Int) -> String
    /// The largest line, in bytes.
    var largest: Int
  }

  func endToEndInputs() -> [EndToEndInput] {
    let chinese = "你好世界，这是一条用于测试的中文消息：端到端的吞吐量"  // 26 characters, 78 bytes
    let mebibyte = 1 << 20
    return [
      EndToEndInput(
        label: "short ASCII lines", lines: quick ? 2_000 : 200_000,
        line: { "line \($0) of the end-to-end run" }, largest: 40),
      EndToEndInput(
        label: "1 MiB lines", lines: quick ? 4 : 64,
        line: { index in
          let head = "\(index) "
          return head + String(repeating: "m", count: mebibyte - head.utf8.count)
        }, largest: mebibyte),
      EndToEndInput(
        label: "Chinese text lines", lines: quick ? 2_000 : 100_000,
        line: { "\($0) \(chinese)" }, largest: 100),
    ]
  }

  func endToEndRows() async throws -> [Row] {
    guard let ncat = ReferencePrograms.ncat() else { throw BenchError("ncat is missing and could not be installed") }
    var rows: [Row] = []
    for input in endToEndInputs() {
      log("end to end: \(input.lines) \(input.label)")
      let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("chat-bench-e2e-\(ProcessInfo.processInfo.processIdentifier)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      let inputPath = directory.appendingPathComponent("input.txt").path
      try writeLines(input, to: inputPath)
      let limit = quick ? 60.0 : 180.0
      // Median of 3 runs taken in turn (one in --quick): two shared cores are noisy.
      var chatRuns: [(seconds: Double, note: String)] = []
      var ncatRuns: [Double] = []
      for _ in 0..<(quick ? 1 : 3) {
        chatRuns.append(try endToEndChat(input, inputPath: inputPath, directory: directory, limit: limit))
        ncatRuns.append(try endToEndNcat(ncat, input, inputPath: inputPath, directory: directory, limit: limit))
      }
      let chat = chatRuns.sorted { $0.seconds < $1.seconds }[chatRuns.count / 2]
      let reference = ncatRuns.sorted()[ncatRuns.count / 2]
      let chatRate = Double(input.lines) / chat.seconds
      let ncatRate = Double(input.lines) / reference
      let runs =
        chatRuns.count == 1
        ? ""
        : "; \(chatRuns.count) runs: chat \(chatRuns.map { Table.format(Double(input.lines) / $0.seconds) }.joined(separator: ", ")), ncat \(ncatRuns.map { Table.format(Double(input.lines) / $0) }.joined(separator: ", "))"
      let isShort = input.label == "short ASCII lines"
      rows.append(
        Row(
          name: "end to end, \(input.lines) \(input.label)",
          unit: "lines/s", chat: chatRate, reference: "ncat --broker, ncat clients", referenceValue: ncatRate,
          target: isShort ? "≥ 0.5× ncat and ≥ 1,000,000 lines/s" : "≥ 0.5× ncat",
          met: chatRate >= 0.5 * ncatRate && (!isShort || chatRate >= 1_000_000),
          note: chat.note + runs))
    }
    return rows
  }

  private func writeLines(_ input: EndToEndInput, to path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let handle = FileHandle(forWritingAtPath: path)
    else { throw BenchError("can't write \(path)") }
    defer { try? handle.close() }
    var chunk = ""
    for index in 0..<input.lines {
      chunk += input.line(index)
      chunk += "\n"
      if chunk.utf8.count >= 1 << 20 {
        handle.write(Data(chunk.utf8))
        chunk = ""
      }
    }
    handle.write(Data(chunk.utf8))
  }

  /// Seconds from starting the sender until the receiver's file holds every line.
  private func endToEndChat(
    _ input: EndToEndInput, inputPath: String, directory: URL, limit: Double
  ) throws -> (seconds: Double, note: String) {
    // Frames a little larger than the largest line, on all three; rates and the queue
    // raised on the relay so that it measures throughput, not the defences.
    let maxFrame = String(max(1 << 20, 2 * input.largest + 4096))
    let relay = try ChildProcess(
      [
        chatBinary, "--serve", "127.0.0.1:0", "--name", "relay", "--rate", "1000000000", "--byte-rate",
        "1000000000000", "--max-queue", "1073741824", "--max-frame", maxFrame,
      ], environment: chatEnvironment)
    defer { relay.stop() }
    let port = try relay.port(after: "listening on 127.0.0.1:")
    let outputPath = directory.appendingPathComponent("chat-received.txt").path
    let receiver = try FileChild(
      [chatBinary, "--connect", "127.0.0.1:\(port)", "--plain", "--name", "receiver", "--max-frame", maxFrame],
      environment: chatEnvironment, stdinPath: nil, stdoutPath: outputPath)
    defer { receiver.stop() }
    let watcher = LineWatcher(path: outputPath, marker: "recv")
    try watcher.waitUntil("the receiver's welcome", seconds: 30, process: receiver) {
      $0.contains("\twelcome\t")
    }
    // The sender's own output (a sent, recv and delivered line per line it sends) goes
    // where ncat's sender's does: nowhere. Its exit status says whether all were confirmed.
    let senderOutput = "/dev/null"
    let childrenBefore = childrenCPUSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    let sender = try FileChild(
      [chatBinary, "--connect", "127.0.0.1:\(port)", "--plain", "--name", "sender", "--max-frame", maxFrame],
      environment: chatEnvironment, stdinPath: inputPath, stdoutPath: senderOutput)
    defer { sender.stop() }
    try watcher.waitForCount(input.lines, seconds: limit, what: "chat's receiver", process: receiver)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    try watcher.checkLast(expected: input.line(input.lines - 1))
    // Every receipt back at the sender: it exits 0 only when each line was confirmed.
    let status = sender.waitForExit(seconds: limit)
    guard status == 0 else {
      throw BenchError("chat's sender exited with \(status.map(String.init) ?? "no status (still running)")")
    }
    let senderSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    // CPU time: the sender's once reaped (it is this process's only child to end meanwhile);
    // the relay's and the receiver's from /proc (their handshakes included).
    let senderCPU = childrenCPUSeconds() - childrenBefore
    let relayCPU = cpuSeconds(of: relay.pid)
    let receiverCPU = cpuSeconds(of: receiver.process.processIdentifier)
    let note =
      "relay: --rate 1e9 --byte-rate 1e12 --max-queue 1 GiB; all three --max-frame \(maxFrame); "
      + "sender exited 0 (every receipt back) after \(Table.format(senderSeconds)) s; "
      + "CPU s: sender \(Table.format(senderCPU)), relay \(Table.format(relayCPU)), receiver \(Table.format(receiverCPU))"
    return (elapsed, note)
  }

  /// User + system CPU seconds of the children this process has waited for.
  private func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
  }

  /// User + system CPU seconds of a running process, from /proc.
  private func cpuSeconds(of pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return 0 }
    // Fields after the name: state is 3rd; utime and stime are the 14th and 15th.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
  }

  private func endToEndNcat(
    _ ncat: String, _ input: EndToEndInput, inputPath: String, directory: URL, limit: Double
  ) throws -> Double {
    let port = try freePort()
    let broker = try ChildProcess([ncat, "--broker", "--listen", "127.0.0.1", String(port)])
    defer {
      // It ignores SIGTERM, as started from here: ChildProcess.stop would wait 5 s for it.
      kill(broker.pid, SIGKILL)
      broker.stop()
    }
    try waitUntilListening(port)
    let outputPath = directory.appendingPathComponent("ncat-received.txt").path
    let receiver = try FileChild(
      [ncat, "127.0.0.1", String(port), "--recv-only"], environment: [:], stdinPath: nil, stdoutPath: outputPath)
    defer { receiver.stop() }
    // The broker relays only to clients it has accepted: let it take the receiver first.
    usleep(300_000)
    let start = DispatchTime.now().uptimeNanoseconds
    let sender = try FileChild(
      [ncat, "127.0.0.1", String(port), "--send-only"], environment: [:], stdinPath: inputPath,
      stdoutPath: "/dev/null")
    defer { sender.stop() }
    let watcher = LineWatcher(path: outputPath, marker: nil)
    try watcher.waitForCount(input.lines, seconds: limit, what: "ncat's receiver", process: receiver)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    try watcher.checkLast(expected: input.line(input.lines - 1))
    return elapsed
  }
}

/// A process with standard input from a file (or a pipe held open) and standard output
/// to a file.
final class FileChild {
  let process = Process()
  private let heldInput: Pipe?

  init(_ arguments: [String], environment: [String: String], stdinPath: String?, stdoutPath: String) throws {
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, new in new }
    process.environment = env
    if let stdinPath {
      guard let handle = FileHandle(forReadingAtPath: stdinPath) else { throw BenchError("can't read \(stdinPath)") }
      process.standardInput = handle
      heldInput = nil
    } else {
      // Held open: a plain front end says goodbye at the end of its input.
      let pipe = Pipe()
      process.standardInput = pipe
      heldInput = pipe
    }
    if stdoutPath == "/dev/null" {
      // Never created or replaced, only opened.
      process.standardOutput = FileHandle.nullDevice
    } else {
      guard FileManager.default.createFile(atPath: stdoutPath, contents: nil),
        let output = FileHandle(forWritingAtPath: stdoutPath)
      else { throw BenchError("can't write \(stdoutPath)") }
      process.standardOutput = output
    }
    process.standardError = FileHandle.nullDevice
    try process.run()
    if let output = process.standardOutput as? FileHandle, output !== FileHandle.nullDevice { try? output.close() }
  }

  /// The exit status, or nil if it is still running after `seconds`.
  func waitForExit(seconds: Double) -> Int32? {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    return process.isRunning ? nil : process.terminationStatus
  }

  func stop() {
    // End of input first: a plain front end then says goodbye and exits by itself.
    if let heldInput, process.isRunning {
      try? heldInput.fileHandleForWriting.close()
      if waitForExit(seconds: 2) != nil { return }
    }
    process.terminate()
    // ncat started from here ignores SIGTERM (inherited): don't wait long for it.
    if waitForExit(seconds: 0.5) == nil { kill(process.processIdentifier, SIGKILL) }
    _ = waitForExit(seconds: 5)
  }

  deinit { stop() }
}

/// Follows a growing output file, counting its lines (with `marker`: those whose second
/// tab-separated field is `marker`, as chat's plain output puts the kind after the time).
final class LineWatcher {
  let path: String
  let marker: [UInt8]?
  private var offset: UInt64 = 0
  private var partial: [UInt8] = []
  private(set) var count = 0
  private var lastLine: [UInt8] = []
  private var matched: [String] = []

  init(path: String, marker: String?) {
    self.path = path
    self.marker = marker.map { Array("\t\($0)\t".utf8) }
  }

  /// Reads what was added since the last call.
  private func poll(keeping keep: ((String) -> Bool)? = nil) {
    guard let handle = FileHandle(forReadingAtPath: path) else { return }
    defer { try? handle.close() }
    try? handle.seek(toOffset: offset)
    guard let data = try? handle.readToEnd(), !data.isEmpty else { return }
    offset += UInt64(data.count)
    partial.append(contentsOf: data)
    var start = 0
    var last: Range<Int>?
    partial.withUnsafeBufferPointer { bytes in
      var index = 0
      while index < bytes.count {
        guard let newline = memchr(bytes.baseAddress! + index, 0x0a, bytes.count - index) else { break }
        let end = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self))
        let line = bytes[start..<end]
        if let keep, keep(String(decoding: line, as: UTF8.self)) {
          matched.append(String(decoding: line, as: UTF8.self))
        }
        if isCounted(line) {
          count += 1
          last = start..<end
        }
        start = end + 1
        index = start
      }
    }
    if let last { lastLine = Array(partial[last]) }
    partial.removeFirst(start)
  }

  private func isCounted(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    guard let marker else { return true }
    // The time stamp is 24 bytes; the kind follows its tab.
    guard let tab = line.firstIndex(of: 0x09), line.count >= marker.count else { return false }
    return line[tab...].starts(with: marker)
  }

  func waitUntil(_ what: String, seconds: Double, process: FileChild, where matches: @escaping (String) -> Bool)
    throws
  {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      poll(keeping: matches)
      if !matched.isEmpty { return }
      guard process.process.isRunning else { throw BenchError("exited before \(what)") }
      usleep(5_000)
    }
    throw BenchError("no \(what) within \(seconds) s")
  }

  func waitForCount(_ expected: Int, seconds: Double, what: String, process: FileChild) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      poll()
      if count >= expected { return }
      if !process.process.isRunning {
        poll()
        if count >= expected { return }
        throw BenchError("\(what) exited with \(count) of \(expected) lines")
      }
      usleep(1_000)
    }
    throw BenchError("\(what) had \(count) of \(expected) lines after \(Int(seconds)) s: stalled")
  }

  /// The last line counted ends with `expected` (the text is the last field).
  func checkLast(expected: String) throws {
    guard lastLine.count >= expected.utf8.count, lastLine.suffix(expected.utf8.count).elementsEqual(expected.utf8)
    else {
      throw BenchError("the last line received is not the last line sent")
    }
  }
}
