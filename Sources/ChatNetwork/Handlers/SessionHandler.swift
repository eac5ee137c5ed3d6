import ChatProtocol
import NIOCore

// A little over 350 lines: the handler's calls from the room and from the pipeline both
// end in the one `perform` that carries out the machine's actions, so they stay together.

/// Runs one connection's ``SessionMachine``: feeds it frames, commands, timers and transport
/// events, and carries out the actions it returns. It holds no protocol logic of its own
/// beyond the transport's: timers, backpressure and a lingering close.
final class SessionHandler: ChannelDuplexHandler {
  typealias InboundIn = Frame
  typealias OutboundIn = SessionCommand
  /// Frames are encoded here, header and payload into one buffer, and after the handshake
  /// sealed into records (the frames of one step in one record); a room's broadcast
  /// arrives already encoded and is sealed here too.
  typealias OutboundOut = ByteBuffer

  var machine: SessionMachine
  private let options: SessionOptions
  private let report: @Sendable (SessionReport) -> Void
  private let session: ConversationHandOver?
  /// Frames on their way out: gathered per flush, sealed into records, queued while the
  /// peer isn't reading.
  var outbound: OutboundWriter
  private var handshakeTimer: Scheduled<Void>?
  private var tickTimer: Scheduled<Void>?
  private var lingerTimer: Scheduled<Void>?
  /// Why the transport failed, if it did, to say when it closes.
  private var transportFailure: String?
  var closing = false
  /// Set when the peer is dropped for not reading: what follows (the error) skips the queue.
  var abandoning = false
  /// Set while the handler is in a pipeline, for calls that come from the room rather than
  /// through the pipeline (the room runs on this channel's event loop).
  private var context: ChannelHandlerContext?
  /// What the frame decoder below accepts: small until the handshake is done.
  let frameLimit: FrameLimit
  /// Called when the peer has taken everything queued for it (a room pumps the history a
  /// resumed member missed this way, a piece at a time).
  var whenDrained: (() -> Void)?
  /// Called at the same time, for the file transfers sending over this connection.
  var filesDrained: (() -> Void)?

  /// - Parameters:
  ///   - session: for a connector that reconnects: hands over the session's conversation
  ///     when the connection becomes active (its messages and numbers), and takes back
  ///     what is left of it when the connection closes.
  init(
    role: Role,
    options: SessionOptions,
    session: ConversationHandOver? = nil,
    inRoom: Bool = false,
    report: @escaping @Sendable (SessionReport) -> Void
  ) {
    var nonce = [UInt8](repeating: 0, count: Hello.nonceLength)
    var generator = SystemRandomNumberGenerator()
    for index in nonce.indices { nonce[index] = generator.next() }
    self.machine = SessionMachine(
      configuration: options.machineConfiguration(role: role, keepsUndelivered: session != nil, inRoom: inRoom),
      nonce: nonce)
    self.frameLimit = FrameLimit(machine.acceptedPayloadLength)
    self.session = session
    self.options = options
    self.report = report
    self.outbound = OutboundWriter(limit: options.maximumQueuedOutboundBytes)
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if context.channel.isActive { start(context: context) }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  // MARK: - Calls from the room (on this channel's event loop)

  /// Passes on a room message. It is written but not flushed: the room flushes each
  /// connection once per event-loop pass (``flushPending()``), so a burst of messages goes
  /// out in a few large segments instead of one syscall and one segment per message.
  func relay(_ text: String, from sender: String) {
    guard let context else { return }
    perform(machine.relay(text, from: sender), context: context, flushing: false)
  }

  /// Tells the peer about the room (written, flushed with the next ``flushPending()``).
  func announce(_ event: RoomEvent) {
    guard let context else { return }
    perform(machine.announce(event), context: context, flushing: false)
  }

  /// Whether the peer takes room frames (ROOM_TEXT and the rest).
  var supportsRoom: Bool { machine.supportsRoom }

  /// Writes bytes the room encoded once for all its members (ROOM_TEXT frames), through
  /// the same bounded queue as everything else; flushed with the next ``flushPending()``.
  func writeBroadcast(_ bytes: ByteBuffer) {
    guard let context, machine.isEstablished else { return }
    if enqueue(bytes, context: context) { hasUnflushedWrites = true }
  }

  /// Whether writes are waiting for ``flushPending()``.
  private(set) var hasUnflushedWrites = false
  /// Set by the room while this handler is on its list for the next flush pass.
  var queuedForFlush = false

  func flushPending() {
    guard hasUnflushedWrites, let context else { return }
    hasUnflushedWrites = false
    sealAndFlush(context: context)
  }

  /// Reports `report` to the peer and hangs up.
  func abort(_ report: ErrorReport) {
    guard let context else { return }
    perform(machine.abort(FrameError(report.code, report.message)), context: context)
  }

  /// Answers the peer's SESSION frame: which session this connection carries.
  func acceptSession(_ acceptance: SessionAcceptance) {
    guard let context else { return }
    perform(machine.acceptSession(acceptance), context: context)
  }

  /// The room passed on the peer's messages up to `sequence`. The receipt goes out with
  /// the read batch's (one per batch), or with ``acknowledgeRelayed()``.
  func relayed(through sequence: UInt64) {
    machine.relayed(through: sequence)
  }

  /// Confirms what the room has relayed and not yet confirmed (written, flushed with the
  /// next ``flushPending()``): for messages relayed outside a read batch, such as those a
  /// paced member's allowance has just let through.
  func acknowledgeRelayed() {
    guard let context else { return }
    perform(machine.acknowledge(), context: context, flushing: false)
  }

  /// Stops reading from the peer (the room paces a sender over its rate), or reads again.
  func setReading(_ reading: Bool) {
    guard let context else { return }
    if reading {
      machine.readingResumed(for: .pacing, now: NIODeadline.now().uptimeNanoseconds)
    } else {
      machine.readingPaused(for: .pacing)
    }
    context.channel.setOption(ChannelOptions.autoRead, value: reading).whenFailure { _ in }
  }

  /// The largest frame payload the peer accepts (known once its hello has arrived).
  var peerMaximumPayloadLength: Int { machine.peerMaximumPayloadLength ?? options.maximumPayloadLength }

  /// Whether the peer is taking what is written to it without anything waiting in the queue.
  var isKeepingUp: Bool {
    guard let context else { return false }
    // Frames gathered for this pass's flush don't count: they go out with it.
    return context.channel.isWritable && outbound.queuesAreEmpty && !closing
  }

  /// Writes a file transfer's frame, sealed, and flushes it. File data (chunks, and the
  /// FILE_DONE that must follow them) waits behind every other frame (``OutboundWriter``).
  func sendFile(_ frame: FileFrame) {
    guard let context else { return }
    switch frame {
    case .chunk, .done:
      guard !closing, !abandoning else { return }
      for case .send(let frame) in machine.sendFile(frame) {
        var bytes = context.channel.allocator.buffer(capacity: frame.wireLength)
        frame.encode(into: &bytes)
        if carryOut(outbound.takeBulk(bytes, writable: context.channel.isWritable), context: context) {
          context.flush()
        }
      }
    case .offer, .accept, .reject, .credit, .result, .cancel:
      perform(machine.sendFile(frame), context: context)
    }
  }

  /// The largest FILE_CHUNK data the peer takes, when both hellos listed `files`.
  var fileChunkLimit: Int? { machine.supportsFiles ? machine.maximumFileChunkLength : nil }

  /// Whether the peer sends and expects receipts (the `resume` capability).
  var usesReceipts: Bool { machine.usesReceipts }

  /// The last message number received from the peer in this session.
  var lastReceivedSequence: UInt64 { machine.lastReceivedSequence }

  /// The last of the peer's messages the room has passed on (what a resume starts after).
  var lastRelayedSequence: UInt64 { machine.lastRelayedSequence }

  /// Says goodbye and hangs up.
  func close(_ goodbye: Goodbye) {
    guard let context else { return }
    perform(machine.close(goodbye), context: context)
    if machine.hasEnded, !closing { beginClose(context: context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    start(context: context)
    context.fireChannelActive()
  }

  private func start(context: ChannelHandlerContext) {
    guard handshakeTimer == nil, !machine.hasEnded else { return }
    if let session { machine.adopt(session.handOver()) }
    let limit = options.handshakeTimeout
    let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    handshakeTimer = context.eventLoop.scheduleTask(in: TimeAmount(limit)) {
      let (handler, context) = loopBound.value
      let described = Quantities.duration(limit)
      handler.perform(handler.machine.handshakeDeadlinePassed(limit: described), context: context)
    }
    perform(machine.start(), context: context)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = unwrapInboundIn(data)
    perform(machine.receive(frame, now: NIODeadline.now().uptimeNanoseconds), context: context)
  }

  /// While the front end is behind, the endpoint holds back this connection's reads
  /// (``ReadGate``): the peer's frames wait unread, which is no sign of its silence.
  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    switch event as? ReadGate.Event {
    case .held: machine.readingPaused(for: .frontEndBehind)
    case .released: machine.readingResumed(for: .frontEndBehind, now: NIODeadline.now().uptimeNanoseconds)
    case nil: context.fireUserInboundEventTriggered(event)
    }
  }

  /// One receipt per batch of reads, not per message.
  func channelReadComplete(context: ChannelHandlerContext) {
    perform(machine.acknowledge(), context: context)
    context.fireChannelReadComplete()
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    switch unwrapOutboundIn(data) {
    case .send(let text):
      // Sent with the next flush: the messages written before it go out in one record.
      perform(machine.send(text: text), context: context, flushing: false)
    case .sendAll(let texts):
      for text in texts { perform(machine.send(text: text), context: context, flushing: false) }
    case .who:
      perform(machine.requestWho(), context: context)
    case .close(let goodbye):
      perform(machine.close(goodbye), context: context)
      if machine.hasEnded, !closing { beginClose(context: context) }
    }
    promise?.succeed()
  }

  func flush(context: ChannelHandlerContext) {
    guard hasUnflushedWrites else { return context.flush() }
    hasUnflushedWrites = false
    sealAndFlush(context: context)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable { drain(context: context) }
    context.fireChannelWritabilityChanged()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if let frameError = error as? FrameError {
      perform(machine.streamDecodingFailed(frameError), context: context)
    } else if let truncated = error as? TruncatedFrame {
      transportFailure = truncated.description
      context.close(promise: nil)
    } else {
      transportFailure = transportFailure ?? NetworkErrorDescription.describe(error)
      context.close(promise: nil)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    cancelTimers()
    lingerTimer?.cancel()
    let reason = transportFailure ?? "the peer closed the connection without saying goodbye"
    perform(machine.transportClosed(reason: reason), context: context)
    session?.takeBack(machine.conversation)
    context.fireChannelInactive()
  }

  // MARK: - Carrying out actions

  func perform(_ actions: [SessionAction], context: ChannelHandlerContext, flushing: Bool = true) {
    var wrote = false
    // The frames of consecutive sends go out together: in one record once sealing.
    var pending: ByteBuffer?
    func writePending() {
      guard let bytes = pending else { return }
      pending = nil
      wrote = enqueue(bytes, context: context) || wrote
    }
    for action in actions {
      switch action {
      case .send(let frame):
        if pending == nil { pending = context.channel.allocator.buffer(capacity: frame.wireLength) }
        frame.encode(into: &pending!)
      case .beginSealing(let sealer):
        writePending()
        // Anything still queued is the handshake's, which goes out as it is.
        while let frames = outbound.nextQueued() { context.write(wrapOutboundOut(frames), promise: nil) }
        outbound.sealer = sealer
      case .report(let sessionReport):
        writePending()
        observe(sessionReport, context: context)
        report(sessionReport)
      case .close:
        writePending()
        if wrote || hasUnflushedWrites { sealAndFlush(context: context) }
        wrote = false
        hasUnflushedWrites = false
        beginClose(context: context)
      }
    }
    writePending()
    if wrote {
      if flushing {
        sealAndFlush(context: context)
        hasUnflushedWrites = false
      } else {
        hasUnflushedWrites = true
      }
    }
  }

  private func observe(_ sessionReport: SessionReport, context: ChannelHandlerContext) {
    switch sessionReport {
    case .established(let peer, _):
      // Only now, with the peer's keys confirmed (and the secret, if any, proved), is a
      // first-contact key pinned.
      if let key = peer.security?.peerKey { options.peerKeyCheck.confirm(peer.name, key) }
      handshakeTimer?.cancel()
      frameLimit.maximumPayloadLength = machine.acceptedPayloadLength
      scheduleTick(context: context)
    case .ended:
      cancelTimers()
    default:
      break
    }
  }

  /// Runs the machine's heartbeat when it next has something to do, and again after that.
  private func scheduleTick(context: ChannelHandlerContext) {
    tickTimer?.cancel()
    guard let next = machine.nextTick else { return }
    let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    tickTimer = context.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(next)) {
      let (handler, context) = loopBound.value
      handler.tickTimer = nil
      handler.perform(handler.machine.tick(now: NIODeadline.now().uptimeNanoseconds), context: context)
      if !handler.machine.hasEnded { handler.scheduleTick(context: context) }
    }
  }

  /// Sends FIN and waits (a bounded time) for the peer to close too, so that what was just
  /// sent, a bye or an error report, is read rather than lost to a reset.
  func beginClose(context: ChannelHandlerContext) {
    guard !closing else { return }
    closing = true
    cancelTimers()
    let channel = context.channel
    context.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
    lingerTimer = context.eventLoop.scheduleTask(in: TimeAmount(options.lingerTimeout)) {
      channel.close(promise: nil)
    }
  }

  private func cancelTimers() {
    handshakeTimer?.cancel()
    handshakeTimer = nil
    tickTimer?.cancel()
    tickTimer = nil
  }
}

/// How a reconnecting connector lends its session's ``Conversation`` to one connection.
struct ConversationHandOver: Sendable {
  /// Called once the connection is active; the connection owns the conversation from then on.
  var handOver: @Sendable () -> Conversation
  /// Called when the connection closes, with what is left of the conversation.
  var takeBack: @Sendable (Conversation) -> Void
}

/// "10 s", "1.5 s", "500 ms": a time limit as people write it.
func formatDuration(_ amount: TimeAmount) -> String {
  Quantities.duration(nanoseconds: UInt64(max(0, amount.nanoseconds)))
}
