public import ChatEvents
public import ChatProtocol
public import NIOCore
import NIOPosix

/// `--listen PORT --framing tutorial`: waits for programs that speak the tutorials' format
/// (their `struct.pack('i')` clients) and talks with one at a time, as the tutorials'
/// servers do; with a secret, each must first pass the tutorials' hmac check.
///
/// A second connection while one is in progress is turned away (closed, with a `refused`
/// event): the format has no way to tell it why, nor to name who said what in a room.
public final class TutorialListener: ChatEndpoint {
  public let events: SessionEvents
  /// Where it listens, `[::]:9090`.
  public let address: String
  /// The port bound (useful with port 0).
  public let port: Int
  private let serverChannel: any Channel
  private let shell: NIOLoopBoundBox<TutorialListenerShell>

  private init(serverChannel: any Channel, shell: NIOLoopBoundBox<TutorialListenerShell>, events: SessionEvents) {
    self.serverChannel = serverChannel
    self.shell = shell
    self.events = events
    self.address = serverChannel.localAddress?.displayString ?? "?"
    self.port = serverChannel.localAddress?.port ?? 0
  }

  /// Binds `address` and starts waiting; throws why it can't (address in use, …).
  public static func start(
    on address: HostAndPort, options: TutorialOptions, group: any EventLoopGroup
  ) async throws(ChatListener.StartError) -> TutorialListener {
    let continuation = SessionEventBuffer()
    let loop = group.next()
    let shell = NIOLoopBoundBox.makeBoxSendingValue(
      TutorialListenerShell(options: options, continuation: continuation, loop: loop), eventLoop: loop)
    // One event loop for the listening socket and its connection, as the shell assumes.
    let bootstrap = ServerBootstrap(group: loop)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try shell.value.accept(channel) }
      }
    let serverChannel: any Channel
    do {
      if let host = address.host {
        serverChannel = try await bootstrap.bind(host: host, port: address.port).get()
      } else {
        do {
          serverChannel = try await bootstrap.bind(host: "::", port: address.port).get()
        } catch {
          serverChannel = try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
        }
      }
    } catch {
      continuation.finish()
      throw ChatListener.StartError(description: NetworkErrorDescription.describe(error, target: address.description))
    }
    continuation.setFlowControl { [continuation] in
      loop.execute { shell.value.gate.set(open: !continuation.isPaused) }
    }
    let listener = TutorialListener(serverChannel: serverChannel, shell: shell, events: SessionEvents(continuation))
    loop.execute { shell.value.listening(on: listener.address) }
    return listener
  }

  /// Sends `text` to the peer, or reports it not sent when there is none yet.
  public func send(_ text: String) {
    let shell = shell
    shell.eventLoop.execute { shell.value.send(text) }
  }

  /// The format has no room: answered with a line saying so.
  public func who() {
    let shell = shell
    shell.eventLoop.execute { shell.value.who() }
  }

  /// Closes the conversation, if any (what was written goes out first), and stops listening.
  public func close(_ goodbye: Goodbye) async {
    let shell = shell
    let serverChannel = serverChannel
    let closed = shell.eventLoop.flatSubmit { shell.value.close(goodbye) }
    try? await closed.get()
    try? await serverChannel.close()
    shell.eventLoop.execute { shell.value.finish() }
  }
}

/// The listener's state, confined to its event loop: the one conversation, if any.
final class TutorialListenerShell {
  private let options: TutorialOptions
  private let continuation: SessionEventBuffer
  private let loop: any EventLoop
  private var current: (handler: TutorialHandler, channel: any Channel)?
  private var address = ""
  private var closing = false
  private var generator = SystemRandomNumberGenerator()
  /// Stops reading while the front end is behind.
  let gate = ReadGate()

  init(options: TutorialOptions, continuation: SessionEventBuffer, loop: any EventLoop) {
    self.options = options
    self.loop = loop
    self.continuation = continuation
  }

  private var auth: AuthStatus { .tutorial(secret: options.secret != nil) }

  func listening(on address: String) {
    self.address = address
    continuation.yield(.listeningOneToOne(address: address, auth: auth))
  }

  /// A new connection: the conversation, or turned away when there is one already.
  func accept(_ channel: any Channel) throws {
    let remote = channel.remoteAddress?.displayString ?? "?"
    guard current == nil, !closing else {
      continuation.yield(
        .refused(
          address: remote,
          reason: closing ? "shutting down" : "busy: a tutorial listener talks with one peer at a time"))
      channel.close(promise: nil)
      return
    }
    var challenge = [UInt8](repeating: 0, count: TutorialHMAC.challengeSize)
    for index in challenge.indices { challenge[index] = generator.next() }
    let continuation = continuation
    let handler = TutorialHandler(
      configuration: options.configuration(role: .listener), challenge: challenge,
      handshakeTimeout: options.handshakeTimeout, address: remote
    ) { _ = continuation.yield($0) }
    try gate.track(channel)
    try channel.pipeline.syncOperations.addHandler(handler)
    current = (handler, channel)
    let shell = NIOLoopBound(self, eventLoop: channel.eventLoop)
    channel.closeFuture.whenComplete { _ in shell.value.ended(channel) }
  }

  private func ended(_ channel: any Channel) {
    guard let current, current.channel === channel else { return }
    self.current = nil
    // Back to waiting: said again, so the status and a script reading lines both see it.
    if !closing { continuation.yield(.listeningOneToOne(address: address, auth: auth)) }
  }

  func send(_ text: String) {
    guard let current else {
      continuation.yield(.messageNotSent(text: text, reason: "no peer is connected"))
      return
    }
    current.handler.send(text)
  }

  func who() {
    guard let current else {
      continuation.yield(.messageNotSent(text: "/who", reason: "no peer is connected"))
      return
    }
    current.handler.noRoom()
  }

  /// Closes the conversation; the future completes once its connection is closed.
  func close(_ goodbye: Goodbye) -> EventLoopFuture<Void> {
    closing = true
    guard let current else { return loop.makeSucceededVoidFuture() }
    current.handler.close(goodbye)
    return current.channel.closeFuture
  }

  func finish() {
    continuation.finish()
  }
}
