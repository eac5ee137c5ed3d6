public import ArgumentParser
import ChatProtocol
import ChatSession
import ChatTerminal
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `chat`: talk with someone over TCP, from a terminal.
public struct ChatCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "chat",
    abstract: "Talk with another person over TCP, with framed messages and a shared-secret handshake.",
    discussion: """
      One side listens, the others connect; everyone shares one conversation:
        chat --listen 9090
        chat --connect 127.0.0.1:9090
      A headless relay for a server, logging to stderr:
        chat --serve 9090

      Give both sides the same secret (in a file, or in CHAT_SECRET) to authenticate:
        head -c 32 /dev/urandom | base64 > ~/.chat-secret && chmod 600 ~/.chat-secret
        chat --listen 9090 --secret-file ~/.chat-secret

      When standard input or output is not a terminal, or with --plain, chat reads one message
      per input line and prints one tab-separated line per event (see the README).
      Exit status: 0 after an orderly goodbye, 1 on a connection or authentication failure,
      64 on a usage error, 130 or 143 when interrupted by SIGINT or SIGTERM.
      """
  )

  @Option(
    help: ArgumentHelp("Listen for a peer on [HOST:]PORT (all interfaces when no host).", valueName: "[host:]port"))
  var listen: String?

  @Option(help: ArgumentHelp("Connect to HOST:PORT (IPv6 as [::1]:9090).", valueName: "host:port"))
  var connect: String?

  @Option(
    help: ArgumentHelp(
      "Run a headless relay on [HOST:]PORT: a room with no local participant, logging to stderr.",
      valueName: "[host:]port"))
  var serve: String?

  @OptionGroup(title: "Room options (--listen, --serve)")
  var room: RoomOptions

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
    name: .customLong("max-frame"),
    help: ArgumentHelp("Largest frame payload accepted from the peer, in bytes.", valueName: "bytes")
  )
  var maxFrame: Int = FrameHeader.defaultMaximumPayloadLength

  @Option(
    name: .customLong("handshake-timeout"),
    help: ArgumentHelp("Seconds a peer has to finish hello and auth.", valueName: "seconds")
  )
  var handshakeTimeout: Double = 10

  @Option(
    name: .customLong("ping-interval"),
    help: ArgumentHelp("Seconds between round-trip measurements while connected.", valueName: "seconds")
  )
  var pingInterval: Double = 10

  @Option(
    name: .customLong("dead-after"),
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

  @Flag(help: "Plain line-by-line mode, also used whenever stdin or stdout is not a terminal.")
  var plain = false

  public init() {}

  /// Limits on --max-frame: room for any hello below, a sane allocation above.
  static let maxFrameRange = FrameHeader.minimumMaximumPayloadLength...(256 << 20)

  public func validate() throws {
    switch [listen, connect, serve].compactMap({ $0 }).count {
    case 0: throw ValidationError("say --listen [HOST:]PORT, --connect HOST:PORT or --serve [HOST:]PORT")
    case 1: break
    default: throw ValidationError("use one of --listen, --connect or --serve, not several")
    }
    do {
      if let listen { _ = try HostAndPort.parse(listening: listen) }
      if let serve { _ = try HostAndPort.parse(listening: serve) }
      if let connect { _ = try HostAndPort.parse(connecting: connect) }
    } catch {
      throw ValidationError(error.description)
    }
    if let problem = Hello.problem(withName: displayName) {
      throw ValidationError("--name: \(problem)")
    }
    guard Self.maxFrameRange.contains(maxFrame) else {
      throw ValidationError(
        "--max-frame must be between \(Self.maxFrameRange.lowerBound) and \(Self.maxFrameRange.upperBound) bytes"
      )
    }
    guard handshakeTimeout > 0, handshakeTimeout <= 3600 else {
      throw ValidationError("--handshake-timeout must be above 0 and at most 3600 seconds")
    }
    guard pingInterval >= 0.1, pingInterval <= 3600 else {
      throw ValidationError("--ping-interval must be between 0.1 and 3600 seconds")
    }
    guard deadAfter > pingInterval, deadAfter <= 86400 else {
      throw ValidationError(
        "--dead-after must be longer than --ping-interval (\(pingInterval) s) and at most 86400 seconds")
    }
    if noReconnect, connect == nil {
      throw ValidationError("--no-reconnect applies to --connect only")
    }
  }

  /// The --name given, else the login name.
  var displayName: String {
    if let name { return name }
    let environment = ProcessInfo.processInfo.environment
    return environment["USER"] ?? environment["LOGNAME"] ?? "anonymous"
  }

  public func run() async throws {
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

    let options = SessionOptions(
      name: displayName,
      secret: loaded.secret,
      maximumPayloadLength: maxFrame,
      handshakeTimeout: .nanoseconds(Int64(handshakeTimeout * 1e9)),
      pingInterval: .nanoseconds(Int64(pingInterval * 1e9)),
      deadAfter: .nanoseconds(Int64(deadAfter * 1e9)),
      maximumQueuedOutboundBytes: connect == nil ? room.maxQueue : 8 << 20
    )
    if let serve {
      try await RelayService.run(
        on: try HostAndPort.parse(listening: serve), options: options, limits: room.limits, name: displayName)
      return
    }
    let group = MultiThreadedEventLoopGroup.singleton
    let endpoint: any ChatEndpoint
    if let listen {
      do {
        endpoint = try await ChatListener.start(
          on: try HostAndPort.parse(listening: listen),
          options: options,
          limits: room.limits,
          hostName: displayName,
          group: group
        )
      } catch let error as ChatListener.StartError {
        StandardOutput.write(
          PlainLineFormat.line(time: PlainLineFormat.timestamp(), fields: ["error", error.description]))
        Self.printError(error.description)
        throw ExitCode(1)
      }
    } else {
      endpoint = ChatConnector.connect(
        to: try HostAndPort.parse(connecting: connect!),
        options: options,
        reconnect: noReconnect ? .never : ReconnectPolicy(),
        group: group
      )
    }

    if useTerminalScreen {
      try await runScreen(endpoint, secretConfigured: options.secret != nil)
    } else {
      try await runPlain(endpoint)
    }
  }

  /// The ncurses screen when both ends of the terminal are there and --plain wasn't given.
  var useTerminalScreen: Bool {
    guard !plain, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return false }
    let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
    return !term.isEmpty && term != "dumb"
  }

  private func runPlain(_ endpoint: any ChatEndpoint) async throws {
    let interruption = SignalWatcher {
      Task { await endpoint.close(Goodbye(code: .shuttingDown, reason: "interrupted")) }
    }
    let frontEnd = PlainFrontEnd(endpoint: endpoint, localName: displayName, write: StandardOutput.write)
    let outcome = await frontEnd.run(input: StandardInput.lines())
    if let signal = interruption.received { throw ExitCode(128 + signal) }
    if let failure = outcome.failure, isatty(STDOUT_FILENO) == 0 { Self.printError(failure) }
    let status = outcome.exitStatus(listening: listen != nil)
    if status != 0 { throw ExitCode(status) }
  }

  private func runScreen(_ endpoint: any ChatEndpoint, secretConfigured: Bool) async throws {
    let environment = ProcessInfo.processInfo.environment
    let useColor = (environment["NO_COLOR"] ?? "").isEmpty
    let frontEnd = TerminalFrontEnd(
      endpoint: endpoint, localName: displayName, useColor: useColor, secretConfigured: secretConfigured)
    let interruption = SignalWatcher { frontEnd.requestQuit() }
    let outcome = NIOLockedValueBox(ConversationOutcome())
    let screen = await frontEnd.run { event in outcome.withLockedValue { $0.observe(event) } }
    // What the user left undelivered, now that the real terminal is back (escaped: the
    // text is the user's own, but may have come from a paste).
    for line in screen.unconfirmed.report { Self.printError(line) }
    if let signal = interruption.received { throw ExitCode(128 + signal) }
    let status = outcome.withLockedValue { $0.exitStatus(listening: listen != nil) }
    if status != 0 {
      if let problem = screen.lastProblem { Self.printError(problem) }
      throw ExitCode(status)
    }
    if !screen.unconfirmed.isEmpty { throw ExitCode(1) }
  }

  /// One line on stderr. The message may hold a peer's text (an ERROR frame's message), so
  /// it is escaped: this line reaches the real terminal, after the screen has closed.
  static func printError(_ message: String) {
    FileHandle.standardError.write(Data("chat: \(SafeText.escaped(message, limit: 1000))\n".utf8))
  }
}
