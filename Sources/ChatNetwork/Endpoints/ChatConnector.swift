public import ChatEvents
public import ChatProtocol
public import NIOCore
import NIOPosix

/// The side that calls `connect`: one session, carried over as many connections as it
/// takes.
///
/// When a connection fails or drops for a reason a retry may cure (see
/// ``SessionEnd/isWorthReconnecting``), it connects again after a growing, jittered wait
/// (``ReconnectPolicy``) and resumes the session: messages typed meanwhile are kept and
/// sent, messages not acknowledged are sent again, and the relay drops what it already had.
public final class ChatConnector: ChatEndpoint {
  public let events: SessionEvents
  private let shell: NIOLoopBoundBox<ConnectorShell>
  private let finished: EventLoopFuture<Void>

  private init(
    shell: NIOLoopBoundBox<ConnectorShell>, events: SessionEvents, finished: EventLoopFuture<Void>
  ) {
    self.shell = shell
    self.events = events
    self.finished = finished
  }

  /// ``connect(to:options:reconnect:group:)`` to a TCP address.
  public static func connect(
    to address: HostAndPort,
    options: SessionOptions,
    reconnect: ReconnectPolicy = ReconnectPolicy(),
    group: any EventLoopGroup
  ) -> ChatConnector {
    connect(to: .tcp(address), options: options, reconnect: reconnect, group: group)
  }

  /// Starts connecting to `address` (TCP or a Unix socket); progress and outcome arrive as
  /// ``events``.
  public static func connect(
    to address: ChatAddress,
    options: SessionOptions,
    reconnect: ReconnectPolicy = ReconnectPolicy(),
    group: any EventLoopGroup
  ) -> ChatConnector {
    let loop = group.next()
    let continuation = SessionEventBuffer()
    let finished = loop.makePromise(of: Void.self)
    // Built on its event loop: everything the shell does happens there.
    let shell = NIOLoopBoundBox.makeBoxSendingValue(
      ConnectorShell(
        address: address, options: options, policy: reconnect, loop: loop, continuation: continuation,
        finished: finished),
      eventLoop: loop)
    // A front end that falls behind stops the connection's reads until it catches up.
    continuation.setFlowControl { [continuation] in
      loop.execute { shell.value.gate.set(open: !continuation.isPaused) }
    }
    loop.execute { shell.value.attempt() }
    return ChatConnector(shell: shell, events: SessionEvents(continuation), finished: finished.futureResult)
  }

  public func send(_ text: String) {
    let shell = shell
    shell.eventLoop.execute { shell.value.send(text) }
  }

  /// One hop to the event loop for all of `texts`, written to the connection together and
  /// flushed once: their frames go out in one record and one system call.
  public func send(contentsOf texts: [String]) {
    let shell = shell
    shell.eventLoop.execute { shell.value.send(contentsOf: texts) }
  }

  public func who() {
    let shell = shell
    shell.eventLoop.execute { shell.value.who() }
  }

  public var supportsFiles: Bool { true }

  public func offerFile(path: String, to member: String?) {
    let shell = shell
    shell.eventLoop.execute { shell.value.offerFile(path: path, to: member) }
  }

  public func acceptFile(_ id: String, into directory: String?) {
    let shell = shell
    shell.eventLoop.execute { shell.value.transfers.accept(id, into: directory) }
  }

  public func rejectFile(_ id: String) {
    let shell = shell
    shell.eventLoop.execute { shell.value.transfers.reject(id) }
  }

  public func cancelFile(_ id: String) {
    let shell = shell
    shell.eventLoop.execute { shell.value.transfers.cancel(id) }
  }

  public func close(_ goodbye: Goodbye) async {
    let shell = shell
    shell.eventLoop.execute { shell.value.close(goodbye) }
    try? await finished.get()
  }
}

/// The connector's state, confined to its event loop.
final class ConnectorShell {
  private enum Phase {
    case connecting
    case connected(any Channel)
    case waiting(Scheduled<Void>)
    case finished
  }

  private let address: ChatAddress
  private let options: SessionOptions
  private let policy: ReconnectPolicy
  private let loop: any EventLoop
  private let continuation: SessionEventBuffer
  private let finished: EventLoopPromise<Void>
  private var phase = Phase.connecting
  /// The session's messages and numbers while no connection holds them.
  private var conversation = Conversation()
  /// Failed attempts since the last established session.
  private var failures = 0
  /// Whether a session was ever established: before that, lines typed are simply waiting
  /// for the first handshake, not for a connection to come back.
  private var everEstablished = false
  private var closeRequested: Goodbye?
  private var lastEnd: SessionEnd?
  private var generator = SystemRandomNumberGenerator()
  /// Stops reading while the front end is behind (this and any later connection).
  let gate = ReadGate()
  /// The session's file transfers, which outlive connections.
  let transfers: TransferEngine
  /// The current connection's handler, once its session is established (for files).
  private var link: SessionHandler?

  init(
    address: ChatAddress,
    options: SessionOptions,
    policy: ReconnectPolicy,
    loop: any EventLoop,
    continuation: SessionEventBuffer,
    finished: EventLoopPromise<Void>
  ) {
    self.address = address
    self.options = options
    self.policy = policy
    self.loop = loop
    self.continuation = continuation
    self.finished = finished
    self.transfers = TransferEngine(loop: loop, settings: options.transfers) { continuation.yield($0) }
  }

  // MARK: - Connecting

  func attempt() {
    let target = address.description
    phase = .connecting
    lastEnd = nil
    continuation.yield(.connecting(to: target))
    let continuation = continuation
    let shell = NIOLoopBound(self, eventLoop: loop)
    let bootstrap = ClientBootstrap(group: loop)
      // NIO leaves TCP_NODELAY out on a Unix socket, which has no Nagle delay to turn off.
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelOption(.writeBufferWaterMark, value: SessionPipeline.writeBufferWaterMark)
      .connectTimeout(.seconds(10))
      .channelInitializer { [options] channel in
        channel.eventLoop.makeCompletedFuture {
          try shell.value.gate.track(channel)
          // The peer's address as shown, worked out once (it is formatted through Foundation).
          let remoteName = NIOLoopBoundBox<String?>(nil, eventLoop: channel.eventLoop)
          let session = ConversationHandOver(
            handOver: { shell.value.handOver(to: channel) },
            takeBack: { shell.value.connectionEnded(leaving: $0) })
          let handler = try SessionPipeline.configure(
            channel, role: .connector, options: options, session: session
          ) { report in
            shell.value.observe(report, on: channel)
            if remoteName.value == nil { remoteName.value = channel.remoteAddress?.displayString }
            let remote = remoteName.value ?? target
            if let event = SessionEvent(report, address: remote) { continuation.yield(event) }
          }
          shell.value.track(handler, of: channel)
        }
      }
    let connection: EventLoopFuture<any Channel> =
      switch address {
      case .tcp(let address): bootstrap.connect(host: address.host ?? "localhost", port: address.port)
      case .unix(let path): bootstrap.connect(unixDomainSocketPath: path.path)
      }
    connection.whenComplete { result in
      switch result {
      case .success(let channel): shell.value.connected(channel)
      case .failure(let error): shell.value.connectFailed(error)
      }
    }
  }

  /// The connection is active: from now on its session machine holds the conversation
  /// and takes the user's messages.
  private func handOver(to channel: any Channel) -> Conversation {
    phase = .connected(channel)
    let handed = conversation
    conversation = Conversation()
    return handed
  }

  private func connected(_ channel: any Channel) {
    continuation.yield(.connected(to: channel.remoteAddress?.displayString ?? address.description))
    if let closeRequested { channel.writeAndFlush(SessionCommand.close(closeRequested), promise: nil) }
  }

  private func connectFailed(_ error: any Error) {
    let reason = NetworkErrorDescription.describe(error, target: address.description)
    if closeRequested == nil, retry(reason: reason) { return }
    continuation.yield(.failed(reason))
    finish(abandoning: "not connected: \(reason)")
  }

  /// The handlers of connections under way, by channel, until their session is established.
  private var handlers: [ObjectIdentifier: SessionHandler] = [:]

  private func track(_ handler: SessionHandler, of channel: any Channel) {
    handlers[ObjectIdentifier(channel)] = handler
    let shell = NIOLoopBound(self, eventLoop: loop)
    handler.filesDrained = { [weak handler] in
      if let handler { shell.value.transfers.drained(handler) }
    }
  }

  private func observe(_ report: SessionReport, on channel: any Channel) {
    switch report {
    case .established:
      failures = 0
      everEstablished = true
      if let handler = handlers[ObjectIdentifier(channel)] {
        link = handler
        transfers.linkEstablished(handler)
      }
    case .fileFrame(let frame, _):
      if let link, handlers[ObjectIdentifier(channel)] === link { transfers.receive(frame, from: link) }
    case .ended(let end):
      lastEnd = end
      if let handler = handlers.removeValue(forKey: ObjectIdentifier(channel)) {
        if link === handler { link = nil }
        transfers.linkLost(handler, reason: end.description)
      }
    default: break
    }
  }

  func offerFile(path: String, to member: String?) {
    transfers.offer(path: path, to: member, announcing: member ?? "") { [self] in link }
  }

  /// The connection closed; `conversation` is what its session left behind.
  private func connectionEnded(leaving conversation: Conversation) {
    self.conversation = conversation
    for (key, handler) in handlers {
      handlers[key] = nil
      if link === handler { link = nil }
      transfers.linkLost(handler, reason: "the connection closed")
    }
    let end = lastEnd ?? .connectionLost("the connection closed")
    if closeRequested == nil, end.isWorthReconnecting, retry(reason: end.description, notBefore: end.retryAfter) {
      return
    }
    finish(abandoning: "the session ended (\(end)) before it was confirmed")
  }

  /// Schedules the next attempt if the policy allows one; returns whether it did.
  /// `notBefore` is the least wait the peer asked for, in nanoseconds.
  private func retry(reason: String, notBefore: UInt64? = nil) -> Bool {
    failures += 1
    guard policy.allows(attempt: failures) else { return false }
    let delay = max(policy.delay(beforeAttempt: failures, using: &generator), notBefore ?? 0)
    continuation.yield(.reconnecting(attempt: failures, delay: delay, reason: reason))
    let shell = NIOLoopBound(self, eventLoop: loop)
    phase = .waiting(loop.scheduleTask(in: .nanoseconds(Int64(clamping: delay))) { shell.value.attempt() })
    return true
  }

  // MARK: - Commands

  func send(_ text: String) {
    switch phase {
    case .connected(let channel):
      channel.writeAndFlush(SessionCommand.send(text), promise: nil)
    case .connecting where !everEstablished && failures == 0:
      // The very first attempt is on its way: the line goes out after its handshake, like
      // a line typed during the handshake, so only a refusal is worth a word. Once an
      // attempt has failed, lines are reported pending, between attempts or during one.
      let report = conversation.queue(text, reason: "")
      if case .messageNotSent = report, let event = SessionEvent(report, address: address.description) {
        continuation.yield(event)
      }
    case .connecting, .waiting:
      let reason =
        everEstablished
        ? "not connected; it goes out when the connection is back" : "not connected yet; it goes out once connected"
      let report = conversation.queue(text, reason: reason)
      if let event = SessionEvent(report, address: address.description) { continuation.yield(event) }
    case .finished:
      continuation.yield(.messageNotSent(text: text, reason: "the connection is closed"))
    }
  }

  func send(contentsOf texts: [String]) {
    guard case .connected(let channel) = phase else {
      for text in texts { send(text) }
      return
    }
    channel.writeAndFlush(SessionCommand.sendAll(texts), promise: nil)
  }

  func who() {
    guard case .connected(let channel) = phase else {
      continuation.yield(.messageNotSent(text: "/who", reason: "not connected"))
      return
    }
    channel.writeAndFlush(SessionCommand.who, promise: nil)
  }

  func close(_ goodbye: Goodbye) {
    guard closeRequested == nil else { return }
    closeRequested = goodbye
    switch phase {
    case .connected(let channel):
      channel.writeAndFlush(SessionCommand.close(goodbye), promise: nil)
    case .connecting:
      break  // The goodbye goes out once connected, or the attempt fails.
    case .waiting(let scheduled):
      scheduled.cancel()
      finish(abandoning: "you left before the connection came back")
    case .finished:
      break
    }
  }

  private func finish(abandoning reason: String) {
    if case .finished = phase { return }
    phase = .finished
    transfers.stop(reason: reason)
    for report in conversation.abandon(reason: reason) {
      if let event = SessionEvent(report, address: address.description) { continuation.yield(event) }
    }
    continuation.finish()
    finished.succeed()
  }
}
