import ChatScreen
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `/run`'s commands: each in the user's shell (`$SHELL -c`, else `/bin/sh -c`), on a
/// thread of its own so the UI thread never waits for it.
///
/// - **Input and output**: stdin is /dev/null; stdout and stderr go into one pipe, so their
///   lines keep the order they were written in.
/// - **Its own session** (setsid): the command has no controlling terminal, so nothing it
///   runs (a password prompt, a pager, an editor) can read the keyboard or draw on the
///   screen chat owns; and it is a process group of its own, which is what gets killed.
/// - **Limits**: past the time limit, when the output passes the cap (the rest would not be
///   shown, and a command like `yes` would otherwise run until the time limit), or when the
///   user presses Esc, the whole process group is killed (SIGKILL: a command that ignores
///   SIGTERM still ends). Whatever is left in the group when the shell exits is killed
///   too, so nothing lingers holding the pipe.
/// - **Environment**: chat's, without `CHAT_SECRET`: a `/run env` whose output is then
///   sent must not carry the room's secret along.
final class CommandRunner: Sendable {
  /// Runs in progress, by request id: the process group to kill, and whether the user
  /// stopped it.
  private let running = Mutex<[Int: (group: pid_t, stopped: Bool)]>([:])
  private let environment: [String: String]

  init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
  }

  /// Starts `request`'s command; `finished` is called once, on the runner's thread, with
  /// the result.
  func start(_ request: CommandRequest, finished: @escaping @Sendable (CommandResult) -> Void) {
    let thread = Thread { [self] in finished(run(request)) }
    thread.name = "chat /run"
    thread.start()
  }

  /// Kills the command of run `id` (its whole process group), if it is still running.
  func stop(id: Int) {
    running.withLock { runs in
      guard let run = runs[id] else { return }
      runs[id]?.stopped = true
      kill(-run.group, SIGKILL)
    }
  }

  /// Kills every command still running (chat is leaving).
  func stopAll() {
    running.withLock { runs in
      for (id, run) in runs {
        runs[id]?.stopped = true
        kill(-run.group, SIGKILL)
      }
    }
  }

  /// The shell that runs commands: `$SHELL` when set, else /bin/sh.
  var shell: String {
    if let shell = environment["SHELL"], !shell.isEmpty { return shell }
    return "/bin/sh"
  }

  private func run(_ request: CommandRequest) -> CommandResult {
    let clock = ContinuousClock()
    let started = clock.now
    func elapsed() -> Double {
      let duration = clock.now - started
      return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
    let pid: pid_t
    let readEnd: Int32
    switch spawn(request.command) {
    case .failure(let failure):
      return CommandResult(id: request.id, output: [], ending: .failedToStart(failure.reason), seconds: 0)
    case .success(let spawned):
      (pid, readEnd) = spawned
    }
    defer { close(readEnd) }
    // The group exists until its leader, the shell, is reaped below: until then no other
    // process can take its number, so killing the group can't hit a stranger.
    running.withLock { $0[request.id] = (pid, false) }

    var output: [UInt8] = []
    var truncated = false
    var timedOut = false
    var buffer = [UInt8](repeating: 0, count: 65536)
    let limit = request.limits.outputLimit
    var shellExitedAt: Double?
    reading: while true {
      let now = elapsed()
      if now >= request.limits.timeout {
        timedOut = true
        kill(-pid, SIGKILL)
        break
      }
      // Once the shell is gone, what is left to read is read briefly; a background job
      // that still holds the pipe is not waited for.
      if let exitedAt = shellExitedAt, now - exitedAt > 0.1 { break }
      var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
      let wait = min(request.limits.timeout - now, 0.05)
      let ready = poll(&descriptor, 1, Int32(max(1, wait * 1000)))
      if ready < 0, errno != EINTR { break }
      if ready > 0 {
        let count = buffer.withUnsafeMutableBytes {
          read(readEnd, $0.baseAddress, min($0.count, limit + 1 - output.count))
        }
        if count < 0, errno == EINTR || errno == EAGAIN { continue }
        if count <= 0 { break reading }  // end of output: every writer closed the pipe
        output += buffer[0..<count]
        if output.count > limit {
          output.removeLast(output.count - limit)
          truncated = true
          kill(-pid, SIGKILL)
          break
        }
      }
      if shellExitedAt == nil, Self.hasExited(pid) { shellExitedAt = elapsed() }
    }
    // Whatever of the group is left (background jobs, a killed command's children).
    kill(-pid, SIGKILL)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    let stopped = running.withLock { $0.removeValue(forKey: request.id)?.stopped ?? false }
    let ending: CommandResult.Ending
    if stopped {
      ending = .stopped
    } else if timedOut {
      ending = .timedOut
    } else if status & 0x7f == 0 {
      ending = .exited((status >> 8) & 0xff)
    } else {
      ending = .signalled(status & 0x7f)
    }
    return CommandResult(id: request.id, output: output, ending: ending, truncated: truncated, seconds: elapsed())
  }

  /// Whether the shell has exited, without reaping it (WNOWAIT): its zombie keeps the
  /// process group's number reserved until chat is done with the group.
  private static func hasExited(_ pid: pid_t) -> Bool {
    var info = siginfo_t()
    guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return true }
    return info.si_signo != 0
  }

  /// `$SHELL -c command` in a session of its own, stdin /dev/null, stdout and stderr the
  /// write end of a pipe; returns the process id and the read end.
  private func spawn(_ command: String) -> Result<(pid_t, Int32), SpawnFailure> {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return .failure(SpawnFailure("pipe: " + Self.describe(errno))) }
    // Close-on-exec, so that no other program chat starts holds the pipe open (and this
    // one's copies are the dup2'd 1 and 2 only).
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    defer { close(fds[1]) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
    // Nothing else of chat's (its sockets, the terminal's descriptors) is the command's.
    if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // chat ignores SIGPIPE and may block signals; the command starts as a shell would start
    // it, with default dispositions and nothing blocked (`yes | head` needs SIGPIPE).
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGWINCH, SIGCONT] {
      sigaddset(&defaults, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(
      &attributes, Int16(Self.spawnSetSession | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))

    var environment = environment
    environment["CHAT_SECRET"] = nil
    let words: [String] = [shell, "-c", command]
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, shell, &actions, &attributes, argv, envp)
    guard spawned == 0 else {
      close(fds[0])
      return .failure(SpawnFailure("\(shell): \(Self.describe(spawned))"))
    }
    return .success((pid, fds[0]))
  }

  struct SpawnFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
  }

  /// POSIX_SPAWN_SETSID (glibc 2.26 and later), which Swift's Glibc module doesn't export.
  private static let spawnSetSession: Int32 = 0x80

  /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34 and later), looked up at run
  /// time: Swift's Glibc module doesn't export GNU extensions.
  private static let addCloseFrom:
    (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
      guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
      return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

  private static func describe(_ code: Int32) -> String {
    String(cString: strerror(code)).lowercased()
  }
}

extension CommandRunner.SpawnFailure: CustomStringConvertible {
  var description: String { reason }
}
