import ChatTestSupport
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One of the tutorials' Python programs (scripts/tutorial/), or an inline Python script,
/// run with unbuffered output: the test writes its stdin and awaits text in its stdout,
/// with a time limit on every wait.
final class TutorialProgram: Sendable {
  let process: Process
  private let stdin: FileHandle
  /// Everything printed so far, in the order it came (prompts have no line ends).
  let output = AwaitableLog<String>()

  /// The repository's root, from this file's path.
  static var root: URL {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    return root
  }

  /// Runs `scripts/tutorial/<script>` with `arguments`.
  convenience init(script: String, arguments: [String]) throws {
    try self.init(["-u", Self.root.appendingPathComponent("scripts/tutorial/\(script)").path] + arguments)
  }

  /// Runs `python3 -u -c code` with `arguments`.
  convenience init(code: String, arguments: [String]) throws {
    try self.init(["-u", "-c", code] + arguments)
  }

  private init(_ pythonArguments: [String]) throws {
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + pythonArguments
    var environment = ProcessInfo.processInfo.environment
    environment["PYTHONIOENCODING"] = "utf-8"
    process.environment = environment
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    stdin = input.fileHandleForWriting
    try process.run()
    let log = self.output
    let handle = output.fileHandleForReading
    Thread {
      while true {
        let data = handle.availableData
        if data.isEmpty { break }
        let text = String(decoding: data, as: UTF8.self)
        let done = DispatchSemaphore(value: 0)
        Task {
          await log.append(text)
          done.signal()
        }
        done.wait()
      }
    }.start()
  }

  /// Types `text` and Enter at the program's `input()` prompt.
  func type(_ text: String) {
    stdin.write(Data((text + "\n").utf8))
  }

  /// Waits until everything printed so far contains `text`; returns it all.
  @discardableResult
  func waitForOutput(containing text: String, seconds: Double = 20) async throws -> String {
    let chunks = try await output.wait("\"\(text)\" from the tutorial program", seconds: seconds) { chunks, _ in
      chunks.joined().contains(text)
    }
    return chunks.joined()
  }

  /// Ends the program at once. SIGKILL, not `terminate()`'s SIGTERM: a test process may
  /// ignore SIGTERM (chat's signal handling does, to catch it), and a child inherits that,
  /// so the servers, which loop for ever, would outlive the tests.
  func stop() {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  }

  deinit {
    stop()
  }

  /// A loopback port free at this moment, for a tutorial server to bind (they take a port,
  /// not port 0; the kernel does not hand a just-freed ephemeral port out again at once).
  static func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
        bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
      }
    }
    guard bound else { throw NotListening(description: "could not find a free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Starts the tutorial server `script` on a free port and waits until it listens; tries
  /// another port when it can't bind one (a free port can be taken by another process's
  /// connection before the server binds it: the tests share the machine).
  static func server(_ script: String, seconds: Double = 20) async throws -> (TutorialProgram, Int) {
    var failures: [String] = []
    for _ in 0..<5 {
      let port = try freePort()
      let program = try TutorialProgram(script: script, arguments: [String(port)])
      if try await program.waitUntilListening(port: port, seconds: seconds) { return (program, port) }
      failures.append("port \(port): \(await program.output.entries.joined())")
    }
    throw NotListening(description: "\(script) did not start: \(failures.joined(separator: "; "))")
  }

  /// Waits until something listens on 127.0.0.1:`port` (read from /proc/net/tcp, so that
  /// no probe connection uses up a server that accepts only one); false if the program
  /// exited first.
  func waitUntilListening(port: Int, seconds: Double) async throws -> Bool {
    let wanted = String(format: ":%04X", port)
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
      let table = Self.readWholeFile("/proc/net/tcp")
      let listening = table.split(separator: "\n").contains { row in
        let fields = row.split(separator: " ")
        return fields.count > 3 && fields[1].hasSuffix(wanted) && fields[3] == "0A"
      }
      if listening { return true }
      if !process.isRunning { return false }
      try await Task.sleep(for: .milliseconds(20))
    }
    throw NotListening(description: "nothing listened on port \(port) within \(seconds) s")
  }

  /// A file read to its end with read(2): a /proc file says its size is 0, and readers
  /// that trust the size stop after the first page.
  static func readWholeFile(_ path: String) -> String {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return "" }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { break }
      bytes += chunk[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  struct NotListening: Error, CustomStringConvertible {
    var description: String
  }
}
