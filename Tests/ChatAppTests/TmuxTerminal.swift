import Foundation

/// A chat screen running in a private tmux server: type into it, read it back, resize it.
/// Each instance has its own server (`tmux -L NAME`) so tests never collide.
final class TmuxTerminal: Sendable {
  let server: String
  let exitFile: String

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Starts `chat arguments` in a `width`×`height` terminal. With `jobControl`, chat is
  /// typed into an interactive shell, which stops and continues it as a job (Ctrl-Z, fg);
  /// otherwise it runs under `sh -c`, where a stop signal is ignored (an orphaned process
  /// group). `stderrPath`: where chat's standard error goes (default: the terminal, like a
  /// user's). `directory`: chat's working directory (default: the test's).
  init(
    _ arguments: [String], width: Int = 100, height: Int = 30, environment: [String: String] = [:],
    jobControl: Bool = false, stderrPath: String? = nil, directory: String? = nil
  ) throws {
    server = "chat-test-\(UUID().uuidString.prefix(8))"
    exitFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(server).exit").path
    var quoted = ([ChatProcess.binary.path] + arguments).map(Self.shellQuote).joined(separator: " ")
    if let stderrPath { quoted += " 2>" + Self.shellQuote(stderrPath) }
    // After chat exits: record its status, signal the test, keep the pane for reading.
    let script =
      "\(quoted); echo \"EXIT=$?\"; echo $? > /dev/null; tmux -L \(server) wait-for -S exited"
      + (jobControl ? "" : "; sleep 60")
    var command = [
      "new-session", "-d", "-s", "main", "-x", String(width), "-y", String(height),
      "-e", "LANG=C.UTF-8",
    ]
    if let directory { command += ["-c", directory] }
    // The first -e for a name wins, so a TERM of the caller's replaces the default here.
    if environment["TERM"] == nil { command += ["-e", "TERM=tmux-256color"] }
    if environment["XDG_CONFIG_HOME"] == nil { command += ["-e", "XDG_CONFIG_HOME=\(ChatProcess.configHome)"] }
    for (key, value) in environment { command += ["-e", "\(key)=\(value)"] }
    if jobControl {
      command.append("env PS1='$ ' bash --norc --noprofile -i")
      try Self.tmux(server, command)
      try Self.tmux(server, ["send-keys", "-t", "main", "-l", "clear; " + script])
      try Self.tmux(server, ["send-keys", "-t", "main", "Enter"])
    } else {
      command.append("sh -c '\(script.replacingOccurrences(of: "'", with: "'\\''"))'")
      try Self.tmux(server, command)
    }
  }

  /// glibc's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module doesn't
  /// export (it is a GNU extension).
  private static let addCloseFrom:
    (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
      guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
      return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

  static func shellQuote(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  @discardableResult
  static func tmux(_ server: String, _ arguments: [String], timeout: Double = 10) throws -> String {
    // posix_spawn and waitpid, not Foundation's Process: Process learns of a child's exit
    // through a socket the child inherits, and the tmux server that new-session forks keeps
    // it open, so Process would never see the tmux client exit.
    let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(server)-\(UUID().uuidString).out")
      .path
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // Close everything else the test process has open (other tests' pipes, Foundation's
    // sockets): the tmux server this may start lives on and would hold them open.
    guard let closeFrom = Self.addCloseFrom, closeFrom(&actions, 3) == 0 else {
      throw Failure(description: "posix_spawn_file_actions_addclosefrom_np is not available (glibc 2.34 or later)")
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ["tmux", "-L", server, "-f", "/dev/null"] + arguments
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArguments { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, "tmux", &actions, nil, &cArguments, environ)
    guard spawned == 0 else {
      throw Failure(description: "could not run tmux (\(String(cString: strerror(spawned)))); is it installed?")
    }
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
      if Date() > deadline {
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        throw Failure(description: "tmux \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
      }
      usleep(2_000)
    }
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    guard exitCode == 0 else {
      throw Failure(description: "tmux \(arguments.first ?? "") failed (\(exitCode)): \(text)")
    }
    return text
  }

  /// Types text literally (Chinese included), as a user would.
  func type(_ text: String) throws {
    try Self.tmux(server, ["send-keys", "-t", "main", "-l", text])
  }

  /// Presses named keys: Enter, BSpace, Left, C-u, PPage, …
  func press(_ keys: String...) throws {
    try Self.tmux(server, ["send-keys", "-t", "main"] + keys)
  }

  func resize(width: Int, height: Int) throws {
    try Self.tmux(server, ["resize-window", "-t", "main", "-x", String(width), "-y", String(height)])
  }

  var screen: String {
    get throws { try Self.tmux(server, ["capture-pane", "-p", "-t", "main"]) }
  }

  /// Waits until the screen satisfies `condition`, reading it every 20 ms, for at most
  /// `seconds`; returns the screen. (tmux has no change notification to wait on.)
  @discardableResult
  func waitForScreen(
    _ what: String,
    seconds: Double = 15,
    until condition: (String) -> Bool
  ) async throws -> String {
    let deadline = Date().addingTimeInterval(seconds)
    var last = ""
    while Date() < deadline {
      last = try screen
      if condition(last) { return last }
      try await Task.sleep(for: .milliseconds(20))
    }
    throw Failure(description: "timed out after \(seconds) s waiting for \(what); the screen was:\n\(last)")
  }

  @discardableResult
  func waitForScreen(containing text: String, seconds: Double = 15) async throws -> String {
    try await waitForScreen("'\(text)'", seconds: seconds) { $0.contains(text) }
  }

  /// Waits for chat to exit; returns its exit status as the shell printed it.
  func exitStatus(seconds: Double = 15) async throws -> Int {
    try Self.tmux(server, ["wait-for", "exited"], timeout: seconds)
    let screen = try await waitForScreen(containing: "EXIT=")
    let line = screen.split(separator: "\n").first { $0.hasPrefix("EXIT=") }!
    return Int(line.dropFirst(5))!
  }

  /// The process id of chat inside the pane.
  func chatProcessID() throws -> Int32 {
    let shell = try Self.tmux(server, ["list-panes", "-t", "main", "-F", "#{pane_pid}"]).trimmingCharacters(
      in: .whitespacesAndNewlines)
    let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
    return Int32(children.split(separator: " ").first!)!
  }

  /// Ends everything this terminal started: the processes in its pane and its tmux server.
  /// (`tmux kill-server` alone was seen to leave both running.)
  deinit {
    let panes = (try? Self.tmux(server, ["list-panes", "-a", "-F", "#{pane_pid}"])) ?? ""
    let serverPID = (try? Self.tmux(server, ["display-message", "-p", "#{pid}"])) ?? ""
    for pid in panes.split(separator: "\n").compactMap({ Int32($0) }) {
      kill(-pid, SIGKILL)  // the pane's whole process group: sh, chat, sleep
    }
    if let pid = Int32(serverPID.trimmingCharacters(in: .whitespacesAndNewlines)) {
      kill(pid, SIGKILL)
    }
    try? FileManager.default.removeItem(atPath: "/tmp/tmux-\(getuid())/\(server)")
  }
}
