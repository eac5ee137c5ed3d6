public import ArgumentParser
import ChatCrypto
import ChatEvents
import ChatIdentity
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatScreen
import ChatTerminal
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `chat`: talk with someone over TCP, from a terminal.
public struct ChatCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "chat",
    abstract: "Talk with others over TCP, with framed messages and a shared-secret handshake.",
    discussion: """
      One side hosts a room, the others join; everyone shares one conversation:
        chat --listen 9090
        chat --connect 127.0.0.1:9090
      A headless relay for a server, logging to stderr:
        chat --serve 9090

      Give every side the same secret (in a file, or in CHAT_SECRET):
        head -c 32 /dev/urandom | base64 > ~/.chat-secret
        chmod 600 ~/.chat-secret
        chat --listen 9090 --secret-file ~/.chat-secret

      The socket tutorials' format (a 4-byte struct.pack('i') length and the text, NOT encrypted, one peer at a time; with a secret, their weak hmac check), to talk with their programs:
        chat --listen 8001 --framing tutorial [--encoding gbk]

      When standard input or output is not a terminal, or with --plain, chat reads one message per input line and prints one tab-separated line per event (see the README). At end of input it waits until every line is confirmed (giving up after --linger seconds without progress), then says goodbye.

      Exit status: 0 after an orderly goodbye with every line delivered; 1 on a connection or authentication failure, or when a line was not delivered (each is named on stderr); 64 on a usage error; 130 or 143 when interrupted by SIGINT or SIGTERM.
      """,
    version: ChatVersion.description
  )

  @OptionGroup(title: "Mode (exactly one)")
  var modes: ModeOptions

  @OptionGroup(title: "Room options (--listen, --serve)")
  var room: RoomOptions

  @OptionGroup(title: "Files")
  var files: FileOptions

  @Option(help: ArgumentHelp("Your display name (default: your login name).", valueName: "name"))
  var name: String?

  @Option(
    name: .customLong("secret-file"),
    help: ArgumentHelp("Read the shared secret from PATH (a trailing newline is ignored).", valueName: "path")
  )
  var secretFile: String?

  @Option(
    help: ArgumentHelp(
      "The shared secret itself. Discouraged: it shows in ps. Prefer --secret-file or CHAT_SECRET.",
      valueName: "secret"
    )
  )
  var secret: String?

  @Option(
    name: .customLong("max-frame"), parsing: .unconditional,
    help: ArgumentHelp("Largest frame payload accepted from the peer, in bytes.", valueName: "bytes")
  )
  var maxFrame: Int = FrameHeader.defaultMaximumPayloadLength

  @Option(
    name: .customLong("handshake-timeout"), parsing: .unconditional,
    help: ArgumentHelp("Seconds a peer has to finish hello and auth.", valueName: "seconds")
  )
  var handshakeTimeout: Double = 10

  @Option(
    name: .customLong("ping-interval"), parsing: .unconditional,
    help: ArgumentHelp("Seconds between round-trip measurements while connected.", valueName: "seconds")
  )
  var pingInterval: Double = 10

  @Option(
    name: .customLong("dead-after"), parsing: .unconditional,
    help: ArgumentHelp(
      "Seconds of silence (pings unanswered) after which the peer is declared dead and the connection closed.",
      valueName: "seconds")
  )
  var deadAfter: Double = 30

  @Flag(
    name: .customLong("no-reconnect"),
    help: "With --connect: don't reconnect when the connection fails or drops (default: retry with backoff)."
  )
  var noReconnect = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "At end of input, seconds to wait without a line sent or confirmed before giving up on the rest and saying goodbye.",
      valueName: "seconds"))
  var linger: Double = 30

  @Flag(help: "Plain line-by-line mode, also used whenever stdin or stdout is not a terminal.")
  var plain = false

  @Option(
    help: ArgumentHelp(
      "This installation's identity key (created on first use, mode 0600; default: $XDG_CONFIG_HOME/chat/identity or ~/.config/chat/identity).",
      valueName: "path"))
  var identity: String?

  @Option(
    name: .customLong("forget-key"),
    help: ArgumentHelp(
      "Forget the pinned key of 'address HOST:PORT' or 'name NAME' (after a peer really changed its key), then exit.",
      valueName: "pin"))
  var forgetKey: String?

  @Flag(
    name: .customLong("pin-names"),
    help:
      "A room without a secret: pin each member's key under its name too, refusing a name that comes back with another key (with a secret, rooms always do)."
  )
  var pinNames = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Wire format: chat (default), or tutorial: the socket tutorials' struct.pack('i') length and text, NOT encrypted, one peer at a time, with their weak hmac check when a secret is given.",
      valueName: "chat|tutorial"))
  var framing: String = WireFraming.chat.rawValue

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "With --framing tutorial: the text's encoding on the wire, utf-8 (default), gbk or gb18030 (the tutorials' Windows programs send GBK).",
      valueName: "encoding"))
  var encoding: String?

  @Option(
    name: .customLong("socket-mode"), parsing: .unconditional,
    help: ArgumentHelp(
      "With --listen or --serve unix:PATH: the socket file's permissions, in octal (default 0600: only you may connect).",
      valueName: "mode"))
  var socketMode: String?

  @Option(
    name: .customLong("run-timeout"), parsing: .unconditional,
    help: ArgumentHelp(
      "On the screen: seconds a /run command may take before it is stopped (default 10).", valueName: "seconds"))
  var runTimeout: Double?

  @Option(
    name: .customLong("run-max-output"), parsing: .unconditional,
    help: ArgumentHelp(
      "On the screen: bytes of a /run command's output kept; past them it is stopped (default 65536).",
      valueName: "bytes"))
  var runMaxOutput: Int?

  @Flag(
    help:
      "UDP chat with --listen or --connect: each message one datagram, with sequence numbers (and an HMAC tag with a secret); losses, duplicates and reordering are counted, not repaired."
  )
  var udp = false

  public init() {}

  /// Limits on --max-frame: room for any hello below, a sane allocation above.
  static let maxFrameRange = FrameHeader.minimumMaximumPayloadLength...(256 << 20)

  // No validate(): ArgumentParser runs it before it looks for unknown options, so
  // `chat --bogus` would be told to give a mode instead of which option is wrong. run()
  // checks everything first instead (``check()``), with the same exit status, 64.

  /// ``check()`` for ArgumentParser: a usage error is reported with exit status 64.
  private func checkedMode() throws -> Mode {
    do {
      return try check()
    } catch {
      throw ValidationError(error.description)
    }
  }

  /// The mode, once every option is known to be usable; else why not.
  func check() throws(UsageError) -> Mode {
    let mode = try modes.mode()
    try room.check()
    if !mode.hostsRoom, !room.given.isEmpty { throw .roomOptionsWithConnect(room.given) }
    if room.lines, pinNames { throw .linesWithPinnedNames }
    if let problem = Hello.problem(withName: displayName) { throw .badName(problem) }
    guard Self.maxFrameRange.contains(maxFrame) else {
      throw .outOfRange(
        option: "--max-frame",
        allowed: "between \(Self.maxFrameRange.lowerBound) and \(Self.maxFrameRange.upperBound) bytes")
    }
    guard handshakeTimeout > 0, handshakeTimeout <= 3600 else {
      throw .outOfRange(option: "--handshake-timeout", allowed: "above 0 and at most 3600 seconds")
    }
    guard pingInterval >= 0.1, pingInterval <= 3600 else {
      throw .outOfRange(option: "--ping-interval", allowed: "between 0.1 and 3600 seconds")
    }
    guard deadAfter > pingInterval, deadAfter <= 86400 else {
      throw .outOfRange(
        option: "--dead-after",
        allowed: "longer than --ping-interval (\(pingInterval) s) and at most 86400 seconds")
    }
    guard linger >= 0, linger <= 86400 else {
      throw .outOfRange(option: "--linger", allowed: "between 0 and 86400 seconds")
    }
    if noReconnect, mode.hostsRoom { throw .connectOnly("--no-reconnect") }
    let wire = try wireFraming()
    if wire == .tutorial {
      if case .serve = mode {
        throw .framing("--framing tutorial talks with one peer at a time: use --listen or --connect, not --serve")
      }
      if mode.address.unixPath != nil {
        throw .framing(
          "--framing tutorial speaks TCP only, as the tutorials' programs do: give HOST:PORT, not unix:PATH")
      }
      if !room.given.isEmpty {
        throw .framing(
          "\(room.given.joined(separator: ", ")): a tutorial listener has no room; leave \(room.given.count == 1 ? "it" : "them") out"
        )
      }
    }
    _ = try textEncoding(for: wire)
    if socketMode != nil {
      guard mode.hostsRoom, mode.address.unixPath != nil else { throw .unixListenerOnly("--socket-mode") }
      _ = try unixSocketMode()
    }
    if case .serve = mode {
      if runTimeout != nil { throw .screenOnly("--run-timeout") }
      if runMaxOutput != nil { throw .screenOnly("--run-max-output") }
    }
    _ = try commandLimits()
    if udp { try checkUDP(mode) }
    try files.check(mode: mode, otherWire: udp || wire == .tutorial)
    return mode
  }

  /// The --name given, else the login name; a headless relay is "relay": it does not
  /// tell strangers who runs it.
  var displayName: String {
    if let name { return name }
    if modes.serve != nil { return "relay" }
    let environment = ProcessInfo.processInfo.environment
    return environment["USER"] ?? environment["LOGNAME"] ?? "anonymous"
  }

  public func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    if let forgetKey {
      try Self.forget(forgetKey, environment: environment)
      return
    }
    let mode = try checkedMode()
    let loaded: (secret: SharedSecret?, warnings: [String])
    do {
      loaded = try SecretSource(
        file: secretFile,
        commandLineValue: secret,
        environment: ProcessInfo.processInfo.environment
      ).load()
    } catch {
      Self.printError(error.description)
      throw ExitCode(1)
    }
    for warning in loaded.warnings { Self.printError("warning: \(warning)") }
    if udp {
      try await runUDP(mode, secret: loaded.secret)
      return
    }
    if try wireFraming() == .tutorial {
      try await runTutorial(mode: mode, secret: loaded.secret)
      return
    }

    let identityKey: IdentityKey
    let pinning: KeyPinning
    do {
      identityKey = try IdentityKey.loadOrCreate(
        at: identity ?? IdentityKey.defaultPath(environment: environment), makingDirectories: identity == nil)
      pinning = KeyPinning(
        file: try KnownPeersFile(path: KnownPeers.defaultPath(environment: environment)),
        secretConfigured: loaded.secret != nil)
    } catch {
      Self.printError("\(error)")
      throw ExitCode(1)
    }
    var options = SessionOptions(
      name: displayName,
      secret: loaded.secret,
      maximumPayloadLength: maxFrame,
      handshakeTimeout: .nanoseconds(Int64(handshakeTimeout * 1e9)),
      pingInterval: .nanoseconds(Int64(pingInterval * 1e9)),
      deadAfter: .nanoseconds(Int64(deadAfter * 1e9)),
      maximumQueuedOutboundBytes: mode.hostsRoom ? room.queueLimit : 8 << 20,
      identity: identityKey.privateKey,
      transfers: try files.settings()
    )
    // What `/verify ok` marks: the dialled address's pin (a listener's members verify
    // this side from their own screens).
    var dialled: String?
    switch mode {
    case .connect(let address):
      options.peerKeyCheck = pinning.check(address: address.description)
      dialled = address.description
    case .listen, .serve:
      // Names are pinned when only holders of the secret can make pins: without a secret,
      // anyone could squat every name and fill the file. --pin-names asks for it anyway.
      if loaded.secret != nil || pinNames { options.peerKeyCheck = pinning.checkByName() }
    }
    // Sending files from the command line is a script's job: plain lines, an exit status.
    let frontEnd = FrontEndChoice(
      plainRequested: plain || !files.send.isEmpty, environment: ProcessInfo.processInfo.environment)
    if let notice = frontEnd.notice { Self.printError(notice) }
    // Plain mode has no /accept: an offer it can't answer is rejected at once, rather than
    // left waiting (and its sender with it) for ever.
    if !frontEnd.usesScreen, files.acceptFiles == nil {
      options.transfers.refusal = "the receiver takes no files (it runs without --accept-files)"
    }
    // Every connection is a descriptor: take all the system allows, and admit no more
    // connections than there are descriptors for (see DescriptorBudget).
    let budget = DescriptorBudget.raisingSoftLimit()
    var limits = room.limits
    limits.maximumConnections = budget.connectionLimit(requested: limits.maximumConnections)
    let capacity = budget.describe(requested: room.limits.maximumConnections)
    let endpoint: any ChatEndpoint
    switch mode {
    case .serve(let address):
      try await RelayService.run(
        on: address, options: options, limits: limits, name: displayName, capacity: capacity,
        unixSocketMode: try unixSocketMode())
      return
    case .listen(let address):
      endpoint = try await startListener(
        on: address, options: options, limits: limits, capacity: capacity, usesScreen: frontEnd.usesScreen)
    case .connect(let address):
      endpoint = ChatConnector.connect(
        to: address, options: options, reconnect: noReconnect ? .never : ReconnectPolicy(),
        group: MultiThreadedEventLoopGroup.singleton)
    }

    let ownKey = "your identity key is \(KeyFingerprint.short(identityKey.publicKey))"
    if frontEnd.usesScreen {
      try await runScreen(
        identityNote: ownKey + " (the other side sees it as your key; /verify compares both)",
        endpoint, secretConfigured: options.secret != nil, listening: mode.hostsRoom,
        commandLimits: try commandLimits(),
        markVerified: { [dialled] key, member in
          if let member {
            _ = pinning.markVerified(kind: .name, subject: member, key: key)
          } else if let dialled {
            _ = pinning.markVerified(kind: .address, subject: dialled, key: key)
          }
        })
    } else {
      StandardOutput.write(
        PlainLineFormat.line(
          time: PlainLineFormat.timestamp(), fields: ["identity", KeyFingerprint.short(identityKey.publicKey)]))
      try await runPlain(endpoint, listening: mode.hostsRoom, files: files.send, fileRecipient: files.to)
    }
  }

  /// `--framing tutorial`: one conversation in the tutorials' format, on either front end.
  /// No identity key is made or read: the format has no keys.
  private func runTutorial(mode: Mode, secret: SharedSecret?) async throws {
    let encoding = try textEncoding(for: .tutorial)
    if let problem = encoding.unavailability {
      Self.printError("--encoding \(encoding): \(problem)")
      throw ExitCode(1)
    }
    let options = TutorialOptions(
      secret: secret, maximumPayloadLength: maxFrame, encoding: encoding,
      handshakeTimeout: .nanoseconds(Int64(handshakeTimeout * 1e9)))
    // Sending files from the command line is a script's job: plain lines, an exit status.
    let frontEnd = FrontEndChoice(
      plainRequested: plain || !files.send.isEmpty, environment: ProcessInfo.processInfo.environment)
    if let notice = frontEnd.notice { Self.printError(notice) }
    let endpoint: any ChatEndpoint
    switch mode {
    case .listen(.tcp(let address)):
      do {
        endpoint = try await TutorialListener.start(
          on: address, options: options, group: MultiThreadedEventLoopGroup.singleton)
      } catch {
        reportStartFailure(error.description, usesScreen: frontEnd.usesScreen)
        throw ExitCode(1)
      }
    case .connect(.tcp(let address)):
      endpoint = TutorialConnector.connect(to: address, options: options, group: MultiThreadedEventLoopGroup.singleton)
    case .serve, .listen(.unix), .connect(.unix):
      throw ExitCode(64)  // refused by check()
    }
    if frontEnd.usesScreen {
      try await runScreen(
        identityNote: "the tutorials' framing has no keys: no identity key is used, and nothing is encrypted",
        endpoint, secretConfigured: secret != nil, listening: mode.hostsRoom, commandLimits: try commandLimits(),
        markVerified: { _, _ in })
    } else {
      try await runPlain(endpoint, listening: mode.hostsRoom)
    }
  }

  /// Says why the listener could not start, once: a script reading stdout gets the
  /// `error` line, a person at a terminal the stderr line.
  private func reportStartFailure(_ reason: String, usesScreen: Bool) {
    if !usesScreen {
      StandardOutput.write(PlainLineFormat.line(time: PlainLineFormat.timestamp(), fields: ["error", reason]))
    }
    if usesScreen || isatty(STDOUT_FILENO) == 0 { Self.printError(reason) }
  }

  /// The room, or exit status 1 with the reason said once: a script reading stdout gets
  /// the `error` line, a person at a terminal the stderr line.
  private func startListener(
    on address: ChatAddress, options: SessionOptions, limits: RoomLimits, capacity: String, usesScreen: Bool
  ) async throws -> ChatListener {
    let socketMode = try unixSocketMode()
    do {
      return try await ChatListener.start(
        on: address, options: options, limits: limits, hostName: displayName, capacity: capacity,
        unixSocketMode: socketMode, group: MultiThreadedEventLoopGroup.singleton)
    } catch {
      if !usesScreen {
        StandardOutput.write(
          PlainLineFormat.line(time: PlainLineFormat.timestamp(), fields: ["error", error.description]))
      }
      if usesScreen || isatty(STDOUT_FILENO) == 0 { Self.printError(error.description) }
      throw ExitCode(1)
    }
  }

  /// One line on stderr. The message may hold a peer's text (an ERROR frame's message), so
  /// it is escaped: this line reaches the real terminal, after the screen has closed.
  static func printError(_ message: String) {
    FileHandle.standardError.write(Data("chat: \(SafeText.escaped(message, limit: 1000))\n".utf8))
  }
}
