import Crypto
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
  import Glibc
#endif

/// File transfer (issue 14): one file, created here with real bytes, sent on loopback by
/// chat directly (listener ← connector) and through a relay (`--serve`), beside raw TCP,
/// `scp` to an OpenSSH server started here, and magic-wormhole with its own mailbox and
/// transit relay started here. Every figure is from start until the receiver has the whole
/// file (chat: verified and renamed into place).
extension Benchmarks {
  /// The result of one transfer: seconds, and the peak resident memory of each process.
  struct Transfer {
    var seconds: Double
    var peaks: [(String, Int)] = []
    var note = ""
  }

  /// What a reference or a chat mode measured: the best of its runs, or why it couldn't.
  enum Measured {
    case done(Transfer)
    case unavailable(String)

    func megabytesPerSecond(_ bytes: Int) -> Double? {
      if case .done(let transfer) = self { return Double(bytes) / transfer.seconds / 1e6 }
      return nil
    }
  }

  func fileRows() async throws -> [Row] {
    let size = (fileSizeMiB ?? (quick ? 64 : 1024)) << 20
    let runs = quick ? 1 : 2
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chat-bench-files-\(getpid())")
    try? FileManager.default.removeItem(at: folder)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let source = folder.appendingPathComponent("payload.bin").path
    log("files: writing \(size >> 20) MiB of random bytes to \(source)")
    let sha256 = try Self.writePayload(source, size: size)

    var scp: SSHServer?
    var wormhole: WormholeServers?
    var scpProblem = "not run with --quick (CI has no OpenSSH server)"
    var wormholeProblem = "not run with --quick (CI has no magic-wormhole)"
    if !quick {
      do {
        scp = try SSHServer.start(in: folder.appendingPathComponent("ssh"), bench: self)
      } catch {
        scpProblem = "unavailable: \(error)"
      }
      do {
        wormhole = try WormholeServers.start(in: folder.appendingPathComponent("wormhole"), bench: self)
      } catch {
        wormholeProblem = "unavailable: \(error)"
      }
    }
    defer {
      scp?.stop()
      wormhole?.stop()
    }

    var results: [String: Measured] = [:]
    func keepBest(_ key: String, _ body: () throws -> Transfer) {
      do {
        let transfer = try body()
        log("files: \(key): \(Table.format(transfer.seconds)) s")
        if case .done(let best) = results[key], best.seconds <= transfer.seconds { return }
        results[key] = .done(transfer)
      } catch {
        log("files: \(key): \(error)")
        if results[key] == nil { results[key] = .unavailable("failed: \(error)") }
      }
    }
    let received = folder.appendingPathComponent("received")
    for run in 1...runs {
      log("files: run \(run) of \(runs), \(size >> 20) MiB")
      keepBest("raw") { try rawTCPTransfer(source, size: size, into: received) }
      keepBest("direct") { try chatDirectTransfer(source, sha256: sha256, into: received) }
      keepBest("relay") { try chatRelayTransfer(source, sha256: sha256, into: received) }
      if let scp { keepBest("scp") { try scp.transfer(source, size: size, into: received) } }
      if let wormhole { keepBest("wormhole") { try wormhole.transfer(source, size: size, into: received) } }
    }
    results["scp"] = results["scp"] ?? .unavailable(scpProblem)
    results["wormhole"] = results["wormhole"] ?? .unavailable(wormholeProblem)

    let label = size >= 1 << 30 ? "\(size >> 30) GiB" : "\(size >> 20) MiB"
    let references: [(key: String, name: String)] = [
      ("raw", "raw TCP (disk → socket → disk, 1 MiB read/write, fsync)"),
      ("scp", "scp (OpenSSH sshd started here, SFTP protocol)"),
      ("wormhole", "magic-wormhole (local mailbox and transit relay)"),
    ]
    let targets: [String: (text: String, factor: Double)] = [
      "direct/raw": ("≥ 50% of raw TCP", 0.5), "relay/scp": ("≥ 2× scp", 2),
      "relay/wormhole": ("≥ 3× magic-wormhole", 3),
    ]
    var rows: [Row] = []
    var peaks: [(String, Int)] = []
    for (mode, modeName) in [
      ("direct", "chat direct (listener ← connector)"), ("relay", "chat through a relay (--serve)"),
    ] {
      let chat = results[mode]!
      let chatRate = chat.megabytesPerSecond(size)
      var chatNote = ""
      switch chat {
      case .done(let transfer):
        peaks += transfer.peaks.map { ("\(mode) \($0.0)", $0.1) }
        chatNote = transfer.note
      case .unavailable(let why): chatNote = why
      }
      // With --quick only raw TCP is run beside chat (CI has neither sshd nor wormhole).
      for reference in references where !quick || reference.key == "raw" {
        let measured = results[reference.key]!
        let referenceRate = measured.megabytesPerSecond(size)
        let target = targets["\(mode)/\(reference.key)"]
        var note = "\(label)"
        if reference.key == references[0].key, !chatNote.isEmpty { note += ", \(chatNote)" }
        if case .unavailable(let why) = measured { note += "; \(reference.key): \(why)" }
        if case .done(let transfer) = measured, !transfer.note.isEmpty {
          note += "; \(reference.key): \(transfer.note)"
        }
        rows.append(
          Row(
            name: "file, \(modeName)", unit: "MB/s", chat: chatRate, reference: reference.name,
            referenceValue: referenceRate, target: target?.text ?? "",
            met: target.flatMap { target in
              guard let chatRate, let referenceRate else { return nil }
              return chatRate >= target.factor * referenceRate
            }, note: note))
      }
    }
    if !peaks.isEmpty {
      let largest = peaks.map(\.1).max() ?? 0
      rows.append(
        Row(
          name: "file, peak RSS of any chat process during a \(label) transfer", unit: "MB",
          chat: Double(largest) / 1e6, reference: "", referenceValue: nil, target: "bounded: < 64 MB",
          met: largest < 64_000_000,
          note: peaks.map { "\($0.0) \(Table.format(Double($0.1) / 1e6))" }.joined(separator: ", ")))
    }
    return rows
  }

  // MARK: - The payload

  /// Writes `size` bytes to `path`: a 64 MiB block of pseudo-random bytes, repeated (real
  /// data on disk, not a sparse file). Returns its SHA-256 in hex.
  static func writePayload(_ path: String, size: Int) throws -> String {
    let blockSize = 64 << 20
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(UInt32(truncatingIfNeeded: getpid()))
    var block = [UInt64](repeating: 0, count: blockSize / 8)
    for index in block.indices {
      // SplitMix64.
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      block[index] = z ^ (z >> 31)
    }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw BenchError("can't create \(path): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var hash = SHA256()
    var written = 0
    try block.withUnsafeBytes { bytes in
      while written < size {
        let part = UnsafeRawBufferPointer(rebasing: bytes.prefix(min(blockSize, size - written)))
        hash.update(bufferPointer: part)
        try writeFully(descriptor, part)
        written += part.count
      }
    }
    return hash.finalize().map { String(format: "%02x", $0) }.joined()
  }

  static func writeFully(_ descriptor: CInt, _ bytes: UnsafeRawBufferPointer) throws {
    var done = 0
    while done < bytes.count {
      let count = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { throw BenchError("write failed: \(String(cString: strerror(errno)))") }
      done += count
    }
  }

  /// A fresh, empty folder at `url` for the receiver.
  static func emptyFolder(_ url: URL) throws {
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  static func fileSize(_ path: String) -> Int? {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : nil
  }

  // MARK: - Raw TCP

  /// Two threads: one reads the file in 1 MiB pieces and sends them, the other receives
  /// and writes them to a new file, then fsyncs it (chat's receiver does too).
  func rawTCPTransfer(_ source: String, size: Int, into folder: URL) throws -> Transfer {
    try Self.emptyFolder(folder)
    let target = folder.appendingPathComponent("payload.bin").path
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { throw BenchError("socket failed") }
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(listener, pointer, length) == 0 && listen(listener, 1) == 0
          && getsockname(listener, pointer, &length) == 0
      }
    }
    guard bound else { throw BenchError("can't listen on 127.0.0.1") }
    let outcome = NIOLockedValueBox<(receiver: String?, sender: String?)>((nil, nil))
    let finished = DispatchSemaphore(value: 0)
    let start = DispatchTime.now().uptimeNanoseconds
    let receiverEnd = NIOLockedValueBox<UInt64>(0)
    Thread {
      let result = Self.rawReceive(listener: listener, to: target)
      receiverEnd.withLockedValue { $0 = DispatchTime.now().uptimeNanoseconds }
      outcome.withLockedValue { $0.receiver = result }
      finished.signal()
    }.start()
    let connectTo = address
    Thread {
      let result = Self.rawSend(source, to: connectTo)
      outcome.withLockedValue { $0.sender = result }
      finished.signal()
    }.start()
    for _ in 0..<2 {
      guard finished.wait(timeout: .now() + 300) == .success else { throw BenchError("raw TCP took over 300 s") }
    }
    let (receiverResult, senderResult) = outcome.withLockedValue { $0 }
    if let problem = senderResult ?? receiverResult, problem != "ok" { throw BenchError("raw TCP: \(problem)") }
    guard Self.fileSize(target) == size else { throw BenchError("raw TCP: the copy has the wrong size") }
    let seconds = Double(receiverEnd.withLockedValue { $0 } - start) / 1e9
    try? FileManager.default.removeItem(at: folder)
    return Transfer(seconds: seconds)
  }

  private static func rawReceive(listener: CInt, to path: String) -> String {
    let connection = accept(listener, nil, nil)
    guard connection >= 0 else { return "accept failed" }
    defer { close(connection) }
    let output = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard output >= 0 else { return "can't create \(path)" }
    defer { close(output) }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
    defer { buffer.deallocate() }
    while true {
      let count = recv(connection, buffer.baseAddress, buffer.count, 0)
      if count < 0, errno == EINTR { continue }
      if count < 0 { return "recv failed" }
      if count == 0 { break }
      do {
        try writeFully(output, UnsafeRawBufferPointer(rebasing: buffer.prefix(count)))
      } catch {
        return "\(error)"
      }
    }
    return fsync(output) == 0 ? "ok" : "fsync failed"
  }

  private static func rawSend(_ path: String, to address: sockaddr_in) -> String {
    let input = open(path, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { return "can't open \(path)" }
    defer { close(input) }
    let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(connection) }
    var address = address
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
    guard connected else { return "connect failed" }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
    defer { buffer.deallocate() }
    while true {
      let count = read(input, buffer.baseAddress, buffer.count)
      if count < 0, errno == EINTR { continue }
      if count < 0 { return "read failed" }
      if count == 0 { return "ok" }
      var sent = 0
      while sent < count {
        let now = send(connection, buffer.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL))
        if now < 0, errno == EINTR { continue }
        guard now > 0 else { return "send failed" }
        sent += now
      }
    }
  }

  // MARK: - chat

  /// `chat --listen … --accept-files DIR --plain` and `chat --connect … --send FILE`: from
  /// starting the sender until the listener prints `file-done`.
  func chatDirectTransfer(_ source: String, sha256: String, into folder: URL) throws -> Transfer {
    try Self.emptyFolder(folder)
    let receiver = try ChildProcess(
      [chatBinary, "--listen", "127.0.0.1:0", "--name", "alice", "--accept-files", folder.path, "--plain"],
      environment: chatEnvironment)
    defer { receiver.stop() }
    let port = try listeningPort(receiver)
    let start = DispatchTime.now().uptimeNanoseconds
    let sender = try ChildProcess(
      [chatBinary, "--connect", "127.0.0.1:\(port)", "--name", "bob", "--send", source, "--plain"],
      environment: chatEnvironment, closingInput: true)
    defer { sender.stop() }
    let watched = [("listener (receiver)", receiver), ("connector (sender)", sender)]
    let seconds = try awaitFileDone(receiver, sender: sender, sha256: sha256, start: start, watching: watched)
    let peaks = watched.map { ($0.0, $0.1.peakResidentBytes) }
    try? FileManager.default.removeItem(at: folder)
    return Transfer(seconds: seconds.total, peaks: peaks, note: seconds.cipher)
  }

  /// `chat --serve`, a receiver `--connect … --accept-files DIR --plain`, and a sender
  /// `--connect … --send FILE --to carol`: from starting the sender until the receiver
  /// prints `file-done`.
  func chatRelayTransfer(_ source: String, sha256: String, into folder: URL) throws -> Transfer {
    try Self.emptyFolder(folder)
    let relay = try ChildProcess(
      [chatBinary, "--serve", "127.0.0.1:0", "--name", "relay"], environment: chatEnvironment)
    defer { relay.stop() }
    let port = try relay.port(after: "listening on 127.0.0.1:")
    let receiver = try ChildProcess(
      [
        chatBinary, "--connect", "127.0.0.1:\(port)", "--name", "carol", "--accept-files", folder.path, "--plain",
      ], environment: chatEnvironment)
    defer { receiver.stop() }
    _ = try receiver.waitForLine(containing: "established")
    let start = DispatchTime.now().uptimeNanoseconds
    let sender = try ChildProcess(
      [chatBinary, "--connect", "127.0.0.1:\(port)", "--name", "bob", "--send", source, "--to", "carol", "--plain"],
      environment: chatEnvironment, closingInput: true)
    defer { sender.stop() }
    let watched = [("relay", relay), ("receiver", receiver), ("sender", sender)]
    let seconds = try awaitFileDone(receiver, sender: sender, sha256: sha256, start: start, watching: watched)
    let peaks = watched.map { ($0.0, $0.1.peakResidentBytes) }
    try? FileManager.default.removeItem(at: folder)
    return Transfer(seconds: seconds.total, peaks: peaks, note: seconds.cipher)
  }

  /// The port of a `--listen`'s plain `listening` line.
  private func listeningPort(_ child: ChildProcess) throws -> Int {
    let line = try child.waitForLine("its listening line") { $0.contains("listening") && $0.contains("127.0.0.1:") }
    guard let port = Int(line.components(separatedBy: "127.0.0.1:")[1].prefix { $0.isNumber }) else {
      throw BenchError("no port in '\(line)'")
    }
    return port
  }

  /// Waits (at most 300 s, sampling every process's peak memory) for the receiver's
  /// `file-done` line, checks its hash, then for the sender to exit 0.
  private func awaitFileDone(
    _ receiver: ChildProcess, sender: ChildProcess, sha256: String, start: UInt64,
    watching watched: [(String, ChildProcess)]
  ) throws -> (total: Double, cipher: String) {
    let limit: Double = quick ? 60 : 300
    let deadline = Date().addingTimeInterval(limit)
    var doneLine: String?
    var end: UInt64 = 0
    while Date() < deadline {
      for (_, child) in watched { child.samplePeak() }
      if doneLine == nil,
        let line = receiver.firstLine(where: { $0.contains("file-done") || $0.contains("file-failed") })
      {
        end = DispatchTime.now().uptimeNanoseconds
        doneLine = line
      }
      if doneLine != nil, sender.hasExited { break }
      if doneLine == nil, receiver.hasExited { throw BenchError("the receiving chat exited") }
      usleep(5_000)
    }
    guard let doneLine else {
      throw BenchError("no file-done within \(Int(limit)) s (sender said: \(sender.lastLines(3)))")
    }
    guard doneLine.contains("file-done"), doneLine.contains(sha256) else {
      throw BenchError("the receiver said: \(doneLine)")
    }
    guard sender.exitStatus == 0 else {
      throw BenchError("the sender did not exit 0 (\(sender.lastLines(3)))")
    }
    let established = { (line: String) in line.contains("established") && line.contains("encrypted") }
    let cipher =
      (receiver.firstLine(where: established) ?? sender.firstLine(where: established))
      .flatMap { $0.components(separatedBy: "encrypted ").last.map { "encrypted " + $0.prefix { $0 != "\t" } } }
      ?? "cipher not reported"
    return (Double(end - start) / 1e9, cipher)
  }
}

extension ChildProcess {
  /// The first output line so far that `matches`.
  func firstLine(where matches: (String) -> Bool) -> String? {
    collectedLines.first(where: matches)
  }

  /// The last `count` output lines, joined (for error messages).
  func lastLines(_ count: Int) -> String {
    collectedLines.suffix(count).joined(separator: " / ")
  }
}

// MARK: - scp

/// An OpenSSH server of the benchmark's own: a throwaway host key and user key, its own
/// authorized_keys, on 127.0.0.1 and a free port, as the current user.
struct SSHServer {
  let folder: URL
  let server: ChildProcess
  let port: Int
  let user: String

  static func start(in folder: URL, bench: Benchmarks) throws -> SSHServer {
    if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
      || !FileManager.default.isExecutableFile(atPath: "/usr/bin/scp")
    {
      bench.log("files: installing openssh-server and openssh-client")
      let install = ChildProcess.runToEnd(
        [
          "/bin/sh", "-c",
          "export DEBIAN_FRONTEND=noninteractive; (apt-get install -y -qq openssh-server openssh-client || (apt-get update -qq && apt-get install -y -qq openssh-server openssh-client)) >/dev/null 2>&1",
        ], seconds: 300)
      guard install == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
        throw BenchError("openssh-server could not be installed (apt-get)")
      }
    }
    try Benchmarks.emptyFolder(folder)
    for key in ["host_key", "user_key"] {
      guard
        ChildProcess.runToEnd(
          [
            "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "chat-bench", "-f",
            folder.appendingPathComponent(key).path,
          ],
          seconds: 30) == 0
      else { throw BenchError("ssh-keygen failed") }
    }
    try FileManager.default.copyItem(
      at: folder.appendingPathComponent("user_key.pub"), to: folder.appendingPathComponent("authorized_keys"))
    // sshd started as root wants its privilege separation folder.
    if getuid() == 0 { mkdir("/run/sshd", 0o755) }
    let user = String(cString: getpwuid(getuid()).pointee.pw_name)
    let port = try bench.freePort()
    let config = """
      Port \(port)
      ListenAddress 127.0.0.1
      HostKey \(folder.path)/host_key
      AuthorizedKeysFile \(folder.path)/authorized_keys
      PidFile \(folder.path)/sshd.pid
      StrictModes no
      UsePAM no
      PasswordAuthentication no
      KbdInteractiveAuthentication no
      PubkeyAuthentication yes
      PermitRootLogin prohibit-password
      AllowUsers \(user)
      Subsystem sftp /usr/lib/openssh/sftp-server

      """
    try config.write(to: folder.appendingPathComponent("sshd_config"), atomically: false, encoding: .utf8)
    let server = try ChildProcess([
      "/usr/sbin/sshd", "-f", folder.appendingPathComponent("sshd_config").path, "-D", "-e",
    ])
    do {
      _ = try server.waitForLine(containing: "Server listening on 127.0.0.1 port \(port)", seconds: 10)
    } catch {
      server.stop()
      throw BenchError("sshd did not start: \(server.lastLines(2))")
    }
    return SSHServer(folder: folder, server: server, port: port, user: user)
  }

  func clientOptions() -> [String] {
    [
      "-F", "none", "-i", folder.appendingPathComponent("user_key").path, "-o", "BatchMode=yes",
      "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=\(folder.appendingPathComponent("known_hosts").path)",
      "-o", "IdentitiesOnly=yes",
    ]
  }

  /// `scp` of the file into `folder` (through the server's SFTP subsystem, OpenSSH's
  /// default since 9.0); seconds until scp exits 0.
  func transfer(_ source: String, size: Int, into target: URL) throws -> Benchmarks.Transfer {
    try Benchmarks.emptyFolder(target)
    let destination = target.appendingPathComponent("payload.bin").path
    let start = DispatchTime.now().uptimeNanoseconds
    let client = try ChildProcess(
      ["/usr/bin/scp", "-v", "-P", String(port)] + clientOptions() + [source, "\(user)@127.0.0.1:\(destination)"])
    defer { client.stop() }
    let deadline = Date().addingTimeInterval(300)
    while !client.hasExited, Date() < deadline { usleep(5_000) }
    let end = DispatchTime.now().uptimeNanoseconds
    guard client.exitStatus == 0 else {
      throw BenchError("scp failed: \(client.lastLines(3))")
    }
    guard Benchmarks.fileSize(destination) == size else { throw BenchError("scp: the copy has the wrong size") }
    let cipher =
      client.firstLine { $0.contains("kex: client->server cipher:") }
      .flatMap { $0.components(separatedBy: "cipher: ").last?.split(separator: " ").first.map(String.init) }
      ?? "cipher not reported"
    try? FileManager.default.removeItem(at: target)
    return Benchmarks.Transfer(seconds: Double(end - start) / 1e9, note: "cipher \(cipher), no fsync")
  }

  func stop() {
    server.stop()
  }
}

// MARK: - magic-wormhole

/// magic-wormhole from PyPI in a virtual environment of its own (in ~/.cache/chat-bench),
/// with its mailbox server and transit relay started here on free ports.
struct WormholeServers {
  let folder: URL
  let bin: URL
  let mailbox: ChildProcess
  let transit: ChildProcess
  let mailboxPort: Int
  let transitPort: Int

  static func start(in folder: URL, bench: Benchmarks) throws -> WormholeServers {
    let cache = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/chat-bench")
    let venv = cache.appendingPathComponent("venv")
    let bin = venv.appendingPathComponent("bin")
    let tools = ["wormhole", "twist"].map { bin.appendingPathComponent($0).path }
    if !tools.allSatisfy(FileManager.default.isExecutableFile(atPath:)) {
      bench.log("files: installing magic-wormhole into \(venv.path)")
      try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
      guard ChildProcess.runToEnd(["/usr/bin/env", "python3", "-m", "venv", venv.path], seconds: 120) == 0 else {
        throw BenchError("python3 -m venv failed")
      }
      let install = ChildProcess.runToEnd(
        [
          bin.appendingPathComponent("pip").path, "install", "-q", "magic-wormhole", "magic-wormhole-mailbox-server",
          "magic-wormhole-transit-relay",
        ], seconds: 600)
      guard install == 0, tools.allSatisfy(FileManager.default.isExecutableFile(atPath:)) else {
        throw BenchError("pip install magic-wormhole failed (no network to PyPI?)")
      }
    }
    try Benchmarks.emptyFolder(folder)
    let twist = bin.appendingPathComponent("twist").path
    let mailboxPort = try bench.freePort()
    let mailbox = try ChildProcess([
      twist, "wormhole-mailbox", "--port", "tcp:\(mailboxPort):interface=127.0.0.1",
      "--channel-db", folder.appendingPathComponent("relay.sqlite").path,
    ])
    let transitPort = try bench.freePort()
    let transit = try ChildProcess([twist, "transitrelay", "--port", "tcp:\(transitPort):interface=127.0.0.1"])
    do {
      try bench.waitUntilListening(mailboxPort)
      try bench.waitUntilListening(transitPort)
    } catch {
      mailbox.stop()
      transit.stop()
      throw BenchError("the wormhole servers did not start: \(mailbox.lastLines(2)) \(transit.lastLines(2))")
    }
    return WormholeServers(
      folder: folder, bin: bin, mailbox: mailbox, transit: transit, mailboxPort: mailboxPort, transitPort: transitPort)
  }

  /// `wormhole send --code` and `wormhole receive --accept-file` with the same fixed code:
  /// from starting the sender until the receiver exits 0.
  func transfer(_ source: String, size: Int, into target: URL) throws -> Benchmarks.Transfer {
    try Benchmarks.emptyFolder(target)
    let destination = target.appendingPathComponent("payload.bin").path
    let wormhole = bin.appendingPathComponent("wormhole").path
    let common = [
      wormhole, "--relay-url", "ws://127.0.0.1:\(mailboxPort)/v1", "--transit-helper", "tcp:127.0.0.1:\(transitPort)",
    ]
    let code = "7-chat-bench"
    let start = DispatchTime.now().uptimeNanoseconds
    let sender = try ChildProcess(common + ["send", "--hide-progress", "--code", code, source])
    defer { sender.stop() }
    let receiver = try ChildProcess(
      common + ["receive", "--hide-progress", "--accept-file", "--output-file", destination, code])
    defer { receiver.stop() }
    let deadline = Date().addingTimeInterval(300)
    while !receiver.hasExited, Date() < deadline { usleep(5_000) }
    let end = DispatchTime.now().uptimeNanoseconds
    guard receiver.exitStatus == 0 else {
      throw BenchError("wormhole receive failed: \(receiver.lastLines(3))")
    }
    let senderDeadline = Date().addingTimeInterval(30)
    while !sender.hasExited, Date() < senderDeadline { usleep(10_000) }
    guard Benchmarks.fileSize(destination) == size else { throw BenchError("wormhole: the copy has the wrong size") }
    try? FileManager.default.removeItem(at: target)
    return Benchmarks.Transfer(seconds: Double(end - start) / 1e9, note: "no fsync")
  }

  func stop() {
    mailbox.stop()
    transit.stop()
  }
}
