import ChatEvents
import ChatProtocol
import ChatRoom
import Logging
import NIOCore

// This file is longer than most (about 400 lines): accepting connections and handling what
// their sessions report are one flow that reads best in one place; broadcasting, sessions
// and pacing live in the RoomShell+ files beside it.

/// The room's connections and state, confined to the room's event loop. The rules (who may
/// join, names, rates, the roster) are ``RoomState``'s; this class carries out its actions
/// and reports to the host's front end.
///
/// It does one thing at a time. A connection's handler may call back into the room while
/// the room is acting on it (a write overflows a member's queue and the member's session
/// ends; a flush makes a channel writable again): such calls wait in `deferred` until the
/// current step is done, so no loop over the members or the batch sees them change under
/// it, and every member sees the same order of messages and notices.
final class RoomShell {
  let loop: any EventLoop
  var state: RoomState
  let options: SessionOptions
  let continuation: SessionEventBuffer
  let logger: Logger?
  let hostName: String?
  var connections: [ParticipantID: Connection] = [:]
  private var nextID = 1
  var stopping = false
  /// Room frames of the current pass, encoded once for every member that takes them.
  var batch = BroadcastBatch()
  /// Joined members that need TEXT lines (no `room` capability).
  var legacyMembers: [(id: ParticipantID, handler: any RoomConnection)] = []
  /// Resumed members still being sent what they missed: the last room message sent to
  /// each. They join the batch once they have caught up.
  var catchingUp: [ParticipantID: UInt64] = [:]
  /// Members whose WHO waits for its answer (one each, however often they asked), and
  /// those with a timer set to answer it.
  var pendingWho: Set<ParticipantID> = []
  /// The sessions of members whose connection dropped and whose place is kept: the host's
  /// messages wait for their receipts too (they get them when they resume).
  var awaySessions: [ParticipantID: SessionID] = [:]
  var whoTimers: Set<ParticipantID> = []
  /// Sessions that can be resumed, recent messages to replay to them, and which of the
  /// host's messages every member has.
  var sessions = SessionDirectory()
  var history = RoomHistory()
  var hostReceipts = HostReceipts()
  var generator = SystemRandomNumberGenerator()
  /// Connections written to since the last flush pass, and whether a pass is scheduled.
  private var unflushed: [any RoomConnection] = []
  /// Connections to a room that takes line clients, not yet known to be chat or lines.
  var detecting: [ParticipantID: Detecting] = [:]
  private var flushScheduled = false
  private var busy = false
  private var deferred = CircularBuffer<Deferred>()
  /// The host's own file transfers (nil for a relay without a host).
  var transfers: TransferEngine?
  /// Transfers passing between two members, by id.
  var fileRoutes: [TransferID: FileRoute] = [:]
  /// Transfers to a member whose connection dropped, cancelled then: it hears so if it
  /// resumes (bounded: a member receives at most a few at once).
  var cancelledForAway: [ParticipantID: [TransferID]] = [:]
  /// Connections in the order they were accepted, for letting the oldest handshaking one go
  /// (those that finished or closed are skipped when met).
  private var handshaking = CircularBuffer<ParticipantID>()

  /// A call from a connection that arrived while the room was busy.
  enum Deferred {
    case report(SessionReport, ParticipantID)
    case closed(ParticipantID)
    case drained(ParticipantID)
    case detected(ParticipantID, LineClientDetection)
    case nick(ParticipantID, String)
  }

  /// A connection whose first byte (or silence) is still awaited (`--lines`).
  struct Detecting {
    var channel: any Channel
    var address: String
    var ip: String
    var detector: LineDetectHandler
    /// Counted as handshaking until it is known what it is.
    var handshaking = true
  }

  struct Connection {
    var handler: any RoomConnection
    var channel: any Channel
    var address: String
    var ip: String
    var joined = false
    var handshaking = true
    var sessionID: SessionID?
    /// Set when this connection resumes a session that was in the room.
    var resuming: Resumption?
    /// Its session moved to a newer connection: its end means nothing to the room.
    var replaced = false
    /// Over its rate: not read from, and what had already arrived waits here.
    var paused = false
    /// (A read holds at most a few hundred KiB, so this is bounded too.)
    var held = CircularBuffer<(message: TextMessage, payloadBytes: Int)>()
  }

  /// A session coming back: the participant that carried it, its name in the room, and
  /// the last room message it has.
  struct Resumption {
    var previous: ParticipantID?
    var roomName: String
    var lastReceived: UInt64
  }

  init(
    loop: any EventLoop,
    limits: RoomLimits,
    hostName: String?,
    options: SessionOptions,
    continuation: SessionEventBuffer,
    logger: Logger?
  ) {
    self.loop = loop
    self.state = RoomState(limits: limits, host: hostName.map { ($0, WallClock.timeOfDay()) })
    self.options = options
    self.continuation = continuation
    self.logger = logger
    self.hostName = hostName
    if hostName != nil {
      self.transfers = TransferEngine(loop: loop, settings: options.transfers) { continuation.yield($0) }
    }
  }

  var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

  // MARK: - One thing at a time

  /// Runs `body` as one step of the room, then whatever connections asked for meanwhile.
  func run<Result>(_ body: () throws -> Result) rethrows -> Result {
    if busy { return try body() }
    busy = true
    defer { busy = false }
    let result = try body()
    while let next = deferred.popFirst() {
      switch next {
      case .report(let report, let id): handle(report, from: id)
      case .closed(let id): closed(id)
      case .drained(let id):
        pumpCatchUp(id)
        answerWho(id)
        if let transfers, let handler = connections[id]?.handler as? SessionHandler { transfers.drained(handler) }
      case .detected(let id, let verdict): detected(id, verdict)
      case .nick(let id, let name): perform(state.rename(id, to: name, now: now))
      }
    }
    return result
  }

  func enter(_ call: Deferred) {
    if busy {
      deferred.append(call)
    } else {
      run { deferred.append(call) }
    }
  }

  // MARK: - Connections

  /// Takes in a new connection. `localPeer` names a Unix socket peer (see ``UnixPeer``),
  /// which has no address of its own: it is both its address and its per-address key.
  /// `readsHeld` says whether the endpoint is holding back its sockets' reads
  /// (``ReadGate``), which line-client detection must not take for silence.
  func accept(_ channel: any Channel, localPeer: String? = nil, readsHeld: @escaping () -> Bool = { false }) throws {
    try run {
      let address = localPeer ?? channel.remoteAddress?.displayString ?? "unknown address"
      let ip = localPeer ?? channel.remoteAddress?.ipAddress ?? address
      if stopping {
        try refuse(channel, ErrorReport(code: .busy, message: "the room is closing"), address: address, ip: ip)
        return
      }
      if let refusal = state.admit(address: ip, now: now) {
        try refuse(channel, refusal, address: address, ip: ip)
        return
      }
      let id = ParticipantID(nextID)
      nextID += 1
      let room = NIOLoopBound(self, eventLoop: loop)
      channel.closeFuture.whenComplete { _ in room.value.enter(.closed(id)) }
      if state.limits.acceptsLineClients {
        // Nothing is sent until it is known what the peer is (see LineDetectHandler).
        let wait = TimeAmount.nanoseconds(Int64(state.limits.lineDetectionWait * 1e9))
        let detector = LineDetectHandler(wait: wait, readsHeld: readsHeld) { verdict in
          room.value.enter(.detected(id, verdict))
        }
        try channel.pipeline.syncOperations.addHandler(detector)
        detecting[id] = Detecting(channel: channel, address: address, ip: ip, detector: detector)
        return
      }
      try startSession(id, channel, address: address, ip: ip)
    }
  }

  /// Sets up a chat session on `channel` (its hello goes out at once).
  func startSession(_ id: ParticipantID, _ channel: any Channel, address: String, ip: String) throws {
    let room = NIOLoopBound(self, eventLoop: loop)
    let handler = try SessionPipeline.configure(channel, role: .listener, options: options, inRoom: true) {
      report in room.value.enter(.report(report, id))
    }
    handler.whenDrained = { room.value.enter(.drained(id)) }
    connections[id] = Connection(handler: handler, channel: channel, address: address, ip: ip)
    handshaking.append(id)
    if handshaking.count > 2 * connections.count + 64 {
      // Drop those that finished or closed, now and then: the list stays bounded.
      handshaking = CircularBuffer(handshaking.filter { connections[$0]?.handshaking == true })
    }
    if state.handshakesOverLimit { letOldestHandshakeGo() }
  }

  /// Too many connections are handshaking: the oldest still at it is let go.
  private func letOldestHandshakeGo() {
    while let oldest = handshaking.popFirst() {
      guard var connection = connections[oldest], connection.handshaking else { continue }
      connection.handshaking = false
      connections[oldest] = connection
      state.handshakeEnded()
      connection.handler.abort(
        ErrorReport(
          code: .busy,
          message: "too many connections are waiting to finish their handshake; the oldest is let go: try again"))
      return
    }
  }

  private func refuse(_ channel: any Channel, _ report: ErrorReport, address: String, ip: String) throws {
    continuation.yield(.refused(address: address, reason: report.message))
    logger?.notice("turned away \(address): \(report.message)", metadata: Self.peer(ip))
    try channel.pipeline.syncOperations.addHandler(
      BusyRefusalHandler(report: report, linger: TimeAmount(options.lingerTimeout)))
  }

  private func closed(_ id: ParticipantID) {
    if let pending = detecting.removeValue(forKey: id) {
      state.connectionClosed(address: pending.ip)
      if pending.handshaking { state.handshakeEnded() }
      return
    }
    if connections[id]?.joined == true { dropFiles(of: id) }
    guard let connection = connections.removeValue(forKey: id) else { return }
    state.connectionClosed(address: connection.ip)
    if connection.handshaking { state.handshakeEnded() }
    park(connection, id)
    if connection.joined {
      removeMember(id)
      perform(state.leave(id, reason: "connection closed"))
      filesGone(connection.handler, reason: "the sender's connection closed")
    }
  }

  /// The connection of a session is gone: keep the session so that it can be resumed.
  private func park(_ connection: Connection, _ id: ParticipantID) {
    guard let sessionID = connection.sessionID else { return }
    let expired = sessions.park(
      sessionID, from: id, lastReceived: connection.handler.lastRelayedSequence, now: now)
    for session in expired { reportHost(hostReceipts.forget(session)) }
  }

  func removeMember(_ id: ParticipantID) {
    pendingWho.remove(id)
    batch.remove(id)
    legacyMembers.removeAll { $0.id == id }
    catchingUp[id] = nil
  }

  func reportHost(_ reports: [SessionReport]) {
    guard hostName != nil else { return }
    for report in reports {
      if let event = SessionEvent(report, address: "") { continuation.yield(event) }
    }
  }

  // MARK: - Reports from a connection's session

  private func handle(_ report: SessionReport, from id: ParticipantID) {
    guard var connection = connections[id] else { return }
    switch report {
    case .established(let peer, let auth):
      if connection.handshaking {
        connection.handshaking = false
        state.handshakeEnded()
      }
      connection.joined = true
      connections[id] = connection
      enterRoom(id, connection, peer: peer, authenticated: auth == .authenticated)
    case .messageReceived(let message, _, let textBytes, _):
      // The rate counts the TEXT frame's payload: the number and the text.
      let payloadBytes = 8 + textBytes
      if connection.paused || !connection.held.isEmpty {
        connection.held.append((message, payloadBytes))
        connections[id] = connection
      } else {
        relay(message, payloadBytes: payloadBytes, from: id)
      }
    case .sessionRequested(let request, let peer):
      openSession(request, from: peer.name, for: id)
    case .peerAcknowledged(let sequence):
      if let sessionID = connection.sessionID {
        reportHost(hostReceipts.acknowledged(by: sessionID, through: sequence))
      }
    case .whoRequested:
      pendingWho.insert(id)
      answerWho(id)
    case .messageNotSent(let text, let reason):
      logger?.notice(
        "could not relay to \(connection.address): \(reason) (\(text.utf8.count) bytes)",
        metadata: Self.peer(connection.ip))
    case .ended(let end):
      ended(id, connection, end)
    case .roundTrip(let nanoseconds):
      state.recordRoundTrip(id, nanoseconds: nanoseconds)
    case .authenticating, .messageSent, .roomEvent, .sessionStarted, .messageResent, .messagePending,
      .delivered, .notDelivered, .peerSilent, .peerResponsive:
      break
    case .fileFrame(let frame, _):
      if connection.joined { routeFile(frame, from: id) }
    }
  }

  /// A session that finished its handshake takes its place: a new participant, or one
  /// coming back, which first catches up on what it missed.
  private func enterRoom(_ id: ParticipantID, _ connection: Connection, peer: PeerIdentity, authenticated: Bool) {
    let since = WallClock.timeOfDay()
    if let resuming = connection.resuming {
      if let previous = resuming.previous { awaySessions[previous] = nil }
      defer { if let previous = resuming.previous { tellResumedMember(id, replacing: previous) } }
      perform(
        state.resume(
          id, replacing: resuming.previous, name: resuming.roomName, address: connection.address,
          authenticated: authenticated, key: peer.security?.keySummary, since: since, now: now))
    } else {
      perform(
        state.join(
          id, requestedName: peer.name, address: connection.address, authenticated: authenticated,
          key: peer.security?.keySummary, since: since, now: now))
    }
    if let sessionID = connection.sessionID, let name = state.participants[id]?.name {
      sessions.joined(sessionID, as: id, roomName: name)
    }
    if hostName != nil, let security = peer.security, let name = state.participants[id]?.name {
      continuation.yield(.memberKey(name: name, pinnedAs: peer.name, security: security))
    }
    if let transfers, let handler = connection.handler as? SessionHandler, let name = state.participants[id]?.name {
      transfers.linkEstablished(handler, member: name)
    }
    if !connection.handler.supportsRoom {
      legacyMembers.append((id, connection.handler))
    } else if let resuming = connection.resuming {
      catchingUp[id] = resuming.lastReceived
      pumpCatchUp(id)
    } else if let handler = connection.handler as? SessionHandler {
      batch.add(id, handler)
    }
  }

  private func ended(_ id: ParticipantID, _ original: Connection, _ end: SessionEnd) {
    var connection = original
    if connection.handshaking {
      connection.handshaking = false
      state.handshakeEnded()
    }
    defer { connections[id] = connection }
    guard !connection.replaced else { return }
    park(connection, id)
    if connection.joined {
      dropFiles(of: id)
      connection.joined = false
      removeMember(id)
      if end.mayResume, connection.sessionID != nil, !stopping {
        awaySessions[id] = connection.sessionID
        perform(state.depart(id, reason: end.leaveReason, now: now))
        forgetSessionsThatLeft()
        expireAway(id, connection.handler)
      } else {
        let name = state.participants[id]?.name ?? "the member"
        perform(state.leave(id, reason: end.leaveReason))
        filesGone(connection.handler, reason: "\(name) left (\(end.leaveReason))")
        if let sessionID = connection.sessionID { reportHost(hostReceipts.forget(sessionID)) }
      }
    } else {
      if case .authFailed = end { perform(state.authenticationFailed(address: connection.ip, now: now)) }
      let line = end.description
      continuation.yield(.refused(address: connection.address, reason: line))
      logger?.notice("\(connection.address): \(line)", metadata: Self.peer(connection.ip))
    }
  }

  /// Log metadata naming the peer a line is about: the relay's log sink limits lines per
  /// address by it (RelayLogHandler).
  static func peer(_ ip: String?) -> Logger.Metadata? {
    ip.map { ["peer": .string($0)] }
  }

  /// After the grace, a participant whose connection dropped and did not come back leaves.
  /// Its file transfers, waiting for it, end then too.
  private func expireAway(_ id: ParticipantID, _ handler: any RoomConnection) {
    let room = NIOLoopBound(self, eventLoop: loop)
    let handler = NIOLoopBound(handler, eventLoop: loop)
    loop.scheduleTask(in: .nanoseconds(Int64(state.limits.awayGrace * 1e9))) {
      let room = room.value
      room.run {
        let name = room.state.participants[id]?.name ?? "the member"
        room.perform(room.state.awayExpired(id, now: room.now))
        room.forgetSessionsThatLeft()
        if room.state.participants[id] == nil {
          room.filesGone(handler.value, reason: "\(name) did not come back")
          room.forgetAway(id)
        }
      }
    }
  }

  /// The member of `handler` left for good: the host's transfers with it end.
  private func filesGone(_ handler: any RoomConnection, reason: String) {
    if let transfers, let handler = handler as? SessionHandler { transfers.linkGone(handler, reason: reason) }
  }

  /// Away members that left (their place expired, or made way for newer ones): the host's
  /// messages stop waiting for their receipts.
  private func forgetSessionsThatLeft() {
    for (id, session) in awaySessions where state.participants[id]?.isAway != true {
      awaySessions[id] = nil
      reportHost(hostReceipts.forget(session))
    }
  }

  // MARK: - Flushing

  /// Flushes every connection written to once, after the event loop has handled what it
  /// read in this pass: all the messages of a read burst leave together.
  func markUnflushed(_ handler: any RoomConnection) {
    guard handler.hasUnflushedWrites, !handler.queuedForFlush else { return }
    handler.queuedForFlush = true
    unflushed.append(handler)
    scheduleFlush()
  }

  func scheduleFlush() {
    guard !flushScheduled else { return }
    flushScheduled = true
    let room = NIOLoopBound(self, eventLoop: loop)
    loop.execute { room.value.flushAll() }
  }

  private func flushAll() {
    run {
      flushScheduled = false
      writePendingBroadcast()
      let handlers = unflushed
      unflushed.removeAll(keepingCapacity: true)
      for handler in handlers {
        handler.queuedForFlush = false
        handler.flushPending()
      }
    }
  }

  // MARK: - Shutting down

  /// Says `goodbye` to every connection (when the host leaves, in the room's words: who
  /// closed it, and why if it was not simply quitting) and waits for them to close.
  func closeAll(_ goodbye: Goodbye) -> EventLoopFuture<Void> {
    var goodbye = goodbye
    if let hostName {
      let why = goodbye.code == .userQuit ? "" : " (\(goodbye.reason.isEmpty ? "\(goodbye.code)" : goodbye.reason))"
      goodbye.reason = "\(hostName) (host) closed the room\(why)"
    }
    return run {
      stopping = true
      writePendingBroadcast()
      let channels = connections.values.map(\.channel) + detecting.values.map(\.channel)
      for connection in connections.values { connection.handler.close(goodbye) }
      for pending in detecting.values { pending.channel.close(promise: nil) }
      return EventLoopFuture.andAllComplete(channels.map(\.closeFuture), on: loop)
    }
  }

  func finish() {
    transfers?.stop(reason: "the room closed")
    continuation.finish()
  }
}
