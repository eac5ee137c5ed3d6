public import ChatProtocol
public import ChatRoom
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

/// The side that accepts connections: a room where the host (unless it is a headless
/// relay) and any number of clients share one conversation.
///
/// The room and all its connections live on one event loop, so the room's state needs no
/// locks and every connection gets the room's messages in the same order. The rules (who
/// may join, names, rates, the roster) are ``RoomState``'s; this class only carries out its
/// actions and reports to the host's front end.
public final class ChatListener: ChatEndpoint {
  public let events: AsyncStream<SessionEvent>
  /// Where the listener is bound, as `[::]:9090` or `127.0.0.1:9090`.
  public let address: String
  /// The bound port (useful when asked for port 0).
  public let port: Int

  private let serverChannel: any Channel
  private let room: NIOLoopBound<RoomShell>

  private init(serverChannel: any Channel, room: NIOLoopBound<RoomShell>, events: AsyncStream<SessionEvent>) {
    self.serverChannel = serverChannel
    self.room = room
    self.events = events
    self.address = serverChannel.localAddress?.displayString ?? "?"
    self.port = serverChannel.localAddress?.port ?? 0
  }

  /// Binds `address` (all interfaces, IPv4 and IPv6, when it has no host) and opens the
  /// room. With `hostName` nil the relay has no local participant (`--serve`). Throws
  /// ``StartError`` with a one-line reason when binding fails.
  public static func start(
    on address: HostAndPort,
    options: SessionOptions,
    limits: RoomLimits = RoomLimits(),
    hostName: String?,
    logger: Logger? = nil,
    group: any EventLoopGroup
  ) async throws(StartError) -> ChatListener {
    let (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self)
    let loop = group.next()
    let room: NIOLoopBound<RoomShell>
    do {
      room = try await loop.submit {
        NIOLoopBound(
          RoomShell(
            loop: loop, limits: limits, hostName: hostName, options: options, continuation: continuation,
            logger: logger),
          eventLoop: loop)
      }.get()
    } catch {
      continuation.finish()
      throw StartError(description: "could not start the room: \(error)")
    }
    // One event loop for the listening socket and every connection: see the type's notes.
    let bootstrap = ServerBootstrap(group: loop)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .serverChannelOption(.backlog, value: 1024)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(.writeBufferWaterMark, value: SessionPipeline.writeBufferWaterMark)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try room.value.accept(channel) }
      }
    let serverChannel: any Channel
    do {
      if let host = address.host {
        serverChannel = try await bootstrap.bind(host: host, port: address.port).get()
      } else {
        do {
          // "::" takes IPv4 too on Linux (IPV6_V6ONLY is off by default).
          serverChannel = try await bootstrap.bind(host: "::", port: address.port).get()
        } catch {
          serverChannel = try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
        }
      }
    } catch {
      continuation.finish()
      throw StartError(description: NetworkErrorDescription.describe(error, target: address.description))
    }
    let listener = ChatListener(serverChannel: serverChannel, room: room, events: events)
    if options.secret == nil {
      continuation.yield(
        .warning(
          "no shared secret: anyone who can reach port \(listener.port) can talk to you (set CHAT_SECRET or use --secret-file)"
        ))
    }
    continuation.yield(.listening(address: listener.address))
    logger?.info("listening on \(listener.address)")
    return listener
  }

  /// Why a listener could not start.
  public struct StartError: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  public func send(_ text: String) {
    let room = room
    room.eventLoop.execute { room.value.hostSends(text) }
  }

  public func who() {
    let room = room
    room.eventLoop.execute { room.value.hostAsksWho() }
  }

  public func close(_ goodbye: Goodbye) async {
    let room = room
    try? await serverChannel.close()
    try? await room.eventLoop.flatSubmit { room.value.closeAll(goodbye) }.get()
    room.eventLoop.execute { room.value.finish() }
  }
}

/// The room's state and connections, confined to the room's event loop.
final class RoomShell {
  private let loop: any EventLoop
  private var state: RoomState
  private let options: SessionOptions
  private let continuation: AsyncStream<SessionEvent>.Continuation
  private let logger: Logger?
  private let hostName: String?
  private var connections: [ParticipantID: Connection] = [:]
  private var nextID = 1
  private var stopping = false
  /// Connections written to since the last flush pass, and whether a pass is scheduled.
  private var unflushed: [SessionHandler] = []
  private var flushScheduled = false
  /// ROOM_TEXT frames of the current burst, encoded once for every member that takes them.
  private var pendingBroadcast: ByteBuffer?
  /// Joined members, by whether they take room frames (most) or need TEXT lines (legacy).
  /// A room member's share of the pending broadcast starts at `from` (a newcomer's starts
  /// where the buffer ended when it joined, after its own join notice).
  private var roomMembers: [(id: ParticipantID, handler: SessionHandler, from: Int)] = []
  private var legacyMembers: [(id: ParticipantID, handler: SessionHandler)] = []
  /// Sessions that can be resumed, recent messages to replay to them, and which of the
  /// host's messages every member has.
  private var sessions = SessionDirectory()
  private var history = RoomHistory()
  private var hostReceipts = HostReceipts()
  private var generator = SystemRandomNumberGenerator()

  private struct Connection {
    var handler: SessionHandler
    var channel: any Channel
    var address: String
    var ip: String
    var joined = false
    var sessionID: SessionID?
  }

  init(
    loop: any EventLoop,
    limits: RoomLimits,
    hostName: String?,
    options: SessionOptions,
    continuation: AsyncStream<SessionEvent>.Continuation,
    logger: Logger?
  ) {
    self.loop = loop
    self.state = RoomState(limits: limits, host: hostName.map { ($0, WallClock.timeOfDay()) })
    self.options = options
    self.continuation = continuation
    self.logger = logger
    self.hostName = hostName
  }

  private var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

  // MARK: - Connections

  func accept(_ channel: any Channel) throws {
    let address = channel.remoteAddress?.displayString ?? "unknown address"
    let ip = channel.remoteAddress?.ipAddress ?? address
    if stopping {
      try refuse(channel, ErrorReport(code: .busy, message: "the room is closing"), address: address)
      return
    }
    if let refusal = state.admit(address: ip, now: now) {
      try refuse(channel, refusal, address: address)
      return
    }
    let id = ParticipantID(nextID)
    nextID += 1
    let room = NIOLoopBound(self, eventLoop: loop)
    let handler = SessionHandler(role: .listener, options: options) { report in
      room.value.handle(report, from: id)
    }
    let operations = channel.pipeline.syncOperations
    try operations.addHandler(
      ByteToMessageHandler(FrameDecoderHandler(maximumPayloadLength: options.maximumPayloadLength)))
    try operations.addHandler(handler)
    connections[id] = Connection(handler: handler, channel: channel, address: address, ip: ip)
    channel.closeFuture.whenComplete { _ in room.value.closed(id) }
  }

  private func refuse(_ channel: any Channel, _ report: ErrorReport, address: String) throws {
    continuation.yield(.refused(address: address, reason: report.message))
    logger?.notice("turned away \(address): \(report.message)", metadata: Self.peer(channel.remoteAddress?.ipAddress))
    try channel.pipeline.syncOperations.addHandler(BusyRefusalHandler(report: report, linger: options.lingerTimeout))
  }

  private func closed(_ id: ParticipantID) {
    guard let connection = connections.removeValue(forKey: id) else { return }
    state.connectionClosed(address: connection.ip)
    park(connection, id)
    if connection.joined {
      removeMember(id)
      perform(state.leave(id, reason: "connection closed"))
    }
  }

  /// The connection of a session is gone: keep the session so that it can be resumed.
  private func park(_ connection: Connection, _ id: ParticipantID) {
    guard let sessionID = connection.sessionID else { return }
    let expired = sessions.park(
      sessionID, from: id, lastReceived: connection.handler.lastReceivedSequence, now: now)
    for session in expired { reportHost(hostReceipts.forget(session)) }
  }

  /// A client asked for a new session or to resume one: answer, then give a resumed
  /// client what the room said while it was away.
  private func openSession(_ request: SessionRequest, from name: String, for id: ParticipantID) {
    guard var connection = connections[id] else { return }
    var sessionID = SessionID.random(using: &generator)
    var lastReceived: UInt64 = 0
    var resumed = false
    _ = sessions.expire(now: now)
    if let record = sessions.resumable(request.sessionID, name: name) {
      sessionID = request.sessionID
      resumed = true
      lastReceived = record.lastReceived
      if let previous = record.participant, previous != id, let old = connections[previous] {
        // The client noticed the drop before we did: its old connection is dead.
        lastReceived = old.handler.lastReceivedSequence
        old.handler.abort(
          ErrorReport(code: .sessionTakenOver, message: "this session was resumed on a newer connection"))
      }
    }
    sessions.attach(sessionID, to: id, name: name, lastReceived: lastReceived)
    connection.sessionID = sessionID
    connections[id] = connection
    logger?.info(
      "\(connection.address): \(resumed ? "resumed" : "new") session \(sessionID)", metadata: Self.peer(connection.ip))
    connection.handler.acceptSession(
      SessionAcceptance(sessionID: sessionID, resumed: resumed, lastReceived: lastReceived))
    if resumed { replay(after: request.lastReceived, to: connection.handler) }
  }

  private func replay(after sequence: UInt64, to handler: SessionHandler) {
    let (kept, forgotten) = history.messages(after: sequence, last: state.lastSequence)
    writePendingBroadcast()
    if forgotten > 0 {
      handler.announce(
        RoomEvent(
          kind: .notice, participantCount: state.participantCount, name: "room",
          detail:
            "\(forgotten) message\(forgotten == 1 ? " was" : "s were") sent while you were away and are no longer kept"
        ))
    }
    guard !kept.isEmpty else {
      markUnflushed(handler)
      return
    }
    var bytes = ByteBufferAllocator().buffer(capacity: kept.reduce(0) { $0 + Frame.roomText($1).wireLength })
    for message in kept { Frame.roomText(message).encode(into: &bytes) }
    handler.writeBroadcast(bytes)
    markUnflushed(handler)
  }

  private func reportHost(_ reports: [SessionReport]) {
    guard hostName != nil else { return }
    for report in reports {
      if let event = SessionPipeline.event(for: report, address: "") { continuation.yield(event) }
    }
  }

  private func removeMember(_ id: ParticipantID) {
    roomMembers.removeAll { $0.id == id }
    legacyMembers.removeAll { $0.id == id }
  }

  // MARK: - Reports from a connection's session

  private func handle(_ report: SessionReport, from id: ParticipantID) {
    guard var connection = connections[id] else { return }
    switch report {
    case .established(let peer, let auth):
      connection.joined = true
      connections[id] = connection
      perform(
        state.join(
          id, requestedName: peer.name, address: connection.address, authenticated: auth == .authenticated,
          since: WallClock.timeOfDay()))
      // Membership starts after everything the room has broadcast so far, its own join
      // notice included: the newcomer gets only what follows its welcome.
      if connection.handler.supportsRoom {
        roomMembers.append((id, connection.handler, pendingBroadcast?.writerIndex ?? 0))
      } else {
        legacyMembers.append((id, connection.handler))
      }
    case .messageReceived(let message, _, let payloadBytes, _):
      perform(
        state.message(
          from: id, number: message.sequence, text: message.text, payloadBytes: payloadBytes, now: now))
    case .sessionRequested(let request, let peer):
      openSession(request, from: peer.name, for: id)
    case .peerAcknowledged(let sequence):
      if let sessionID = connection.sessionID {
        reportHost(hostReceipts.acknowledged(by: sessionID, through: sequence))
      }
    case .whoRequested:
      perform(state.who(for: id))
    case .messageNotSent(let text, let reason):
      logger?.notice(
        "could not relay to \(connection.address): \(reason) (\(text.utf8.count) bytes)",
        metadata: Self.peer(connection.ip))
    case .ended(let end):
      let reason = Self.leaveReason(end)
      park(connection, id)
      if connection.joined {
        connection.joined = false
        connections[id] = connection
        removeMember(id)
        perform(state.leave(id, reason: reason))
      } else {
        if case .authFailed = end { perform(state.authenticationFailed(address: connection.ip, now: now)) }
        let line = end.description
        continuation.yield(.refused(address: connection.address, reason: line))
        logger?.notice("\(connection.address): \(line)", metadata: Self.peer(connection.ip))
      }
    case .authenticating, .messageSent, .roundTrip, .roomEvent, .sessionStarted, .messageResent, .messagePending,
      .delivered, .notDelivered, .peerSilent, .peerResponsive:
      break
    }
  }

  /// Log metadata naming the peer a line is about: the relay's log sink limits lines per
  /// address by it (RelayLogHandler).
  static func peer(_ ip: String?) -> Logger.Metadata? {
    ip.map { ["peer": .string($0)] }
  }

  static func leaveReason(_ end: SessionEnd) -> String {
    switch end {
    case .peerClosed(let bye): bye.reason.isEmpty ? "\(bye.code)" : bye.reason
    case .localClose(let bye): bye.reason.isEmpty ? "removed by the relay" : bye.reason
    case .authFailed(let reason): "auth failed: \(reason)"
    case .failed(_, let reason): reason
    case .connectionLost(let reason): reason
    case .peerSilent(let reason): reason
    }
  }

  // MARK: - The host

  func hostSends(_ text: String) {
    guard let hostName else { return }
    guard !text.isEmpty else { return }
    // The host's message goes out as the ROOM_TEXT frame every member receives.
    let frame = Frame.roomText(RoomText(sequence: 0, sender: hostName, text: text))
    let actions = state.message(from: .host, number: 0, text: text, payloadBytes: frame.payloadLength, now: now)
    var sent: TextMessage?
    for action in actions {
      switch action {
      case .broadcast(_, _, let sequence):
        let message = TextMessage(sequence: sequence, text: text)
        sent = message
        continuation.yield(
          .messageSent(message: message, payloadBytes: frame.payloadLength, wireBytes: frame.wireLength))
      case .refuse(_, _, let reason):
        continuation.yield(.messageNotSent(text: text, reason: reason))
      default:
        break
      }
    }
    perform(actions)
    if let sent {
      let members = Set(
        roomMembers.compactMap { member in
          member.handler.usesReceipts ? connections[member.id]?.sessionID : nil
        })
      if let report = hostReceipts.sent(sent, to: members, others: roomMembers.count + legacyMembers.count) {
        reportHost([report])
      }
    }
  }

  func hostAsksWho() {
    perform(state.who(for: .host))
  }

  // MARK: - Carrying out the room's actions

  private func perform(_ actions: [RoomAction]) {
    for action in actions {
      if case .broadcast(let sender, let text, let sequence) = action {
        broadcast(text, from: sender, sequence: sequence)
        continue
      }
      if case .announceAll(let event, let except) = action {
        announceToAll(event, except: except)
        continue
      }
      // Anything addressed to one member goes after the messages already broadcast.
      writePendingBroadcast()
      switch action {
      case .broadcast, .announceAll:
        break
      case .announce(let to, let event):
        if to == .host {
          continuation.yield(.room(event))
        } else if let handler = connections[to]?.handler {
          handler.announce(event)
          markUnflushed(handler)
        }
      case .refuse(let to, let number, let reason):
        // The host's refusals are reported where it sends (hostSends).
        if let handler = connections[to]?.handler {
          handler.refuse(sequence: number, reason: reason)
          markUnflushed(handler)
        }
      case .disconnect(let id, let report):
        connections[id]?.handler.abort(report)
      case .log(let line):
        logger?.info("\(line)")
      case .alert(let line):
        logger?.warning("\(line)")
        if hostName != nil { continuation.yield(.log(line)) }
      }
    }
  }

  /// One message to everyone: the host's screen, one shared encoding for the members that
  /// take room frames, a TEXT line for each of the others.
  private func broadcast(_ text: String, from sender: String, sequence: UInt64) {
    let frame = Frame.roomText(RoomText(sequence: sequence, sender: sender, text: text))
    if hostName != nil {
      continuation.yield(
        .messageReceived(
          from: sender, message: TextMessage(sequence: sequence, text: text), payloadBytes: frame.payloadLength,
          wireBytes: frame.wireLength))
    }
    history.append(RoomText(sequence: sequence, sender: sender, text: text))
    appendToBroadcast(frame)
    for member in legacyMembers {
      member.handler.relay(text, from: sender)
      markUnflushed(member.handler)
    }
  }

  /// A room event for everyone (a join, a leave): encoded once, like messages.
  private func announceToAll(_ event: RoomEvent, except: ParticipantID?) {
    if hostName != nil, except != .host { continuation.yield(.room(event)) }
    appendToBroadcast(.roomEvent(event))
    for member in legacyMembers where member.id != except {
      member.handler.announce(event)
      markUnflushed(member.handler)
    }
  }

  private func appendToBroadcast(_ frame: Frame) {
    guard !roomMembers.isEmpty else { return }
    if pendingBroadcast == nil { pendingBroadcast = ByteBufferAllocator().buffer(capacity: 16 << 10) }
    frame.encode(into: &pendingBroadcast!)
    scheduleFlush()
  }

  /// Hands the burst's encoded frames to every member: the same bytes, not copies (a
  /// newcomer gets the part after its joining).
  private func writePendingBroadcast() {
    guard let bytes = pendingBroadcast else { return }
    pendingBroadcast = nil
    let end = bytes.writerIndex
    for index in roomMembers.indices {
      let from = roomMembers[index].from
      roomMembers[index].from = 0
      guard from < end else { continue }
      let share = from == 0 ? bytes : bytes.getSlice(at: from, length: end - from)!
      roomMembers[index].handler.writeBroadcast(share)
      markUnflushed(roomMembers[index].handler)
    }
  }

  /// Flushes every connection written to once, after the event loop has handled what it
  /// read in this pass: all the messages of a read burst leave together.
  private func markUnflushed(_ handler: SessionHandler) {
    guard handler.hasUnflushedWrites, !handler.queuedForFlush else { return }
    handler.queuedForFlush = true
    unflushed.append(handler)
    scheduleFlush()
  }

  private func scheduleFlush() {
    guard !flushScheduled else { return }
    flushScheduled = true
    let room = NIOLoopBound(self, eventLoop: loop)
    loop.execute { room.value.flushAll() }
  }

  private func flushAll() {
    flushScheduled = false
    writePendingBroadcast()
    let handlers = unflushed
    unflushed.removeAll(keepingCapacity: true)
    for handler in handlers {
      handler.queuedForFlush = false
      handler.flushPending()
    }
  }

  // MARK: - Shutting down

  func closeAll(_ goodbye: Goodbye) -> EventLoopFuture<Void> {
    stopping = true
    writePendingBroadcast()
    let channels = connections.values.map(\.channel)
    for connection in connections.values { connection.handler.close(goodbye) }
    let futures = channels.map { $0.closeFuture }
    return EventLoopFuture.andAllComplete(futures, on: loop)
  }

  func finish() {
    continuation.finish()
  }
}
