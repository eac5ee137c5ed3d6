import ChatProtocol
import NIOCore

/// A plain line client in the room (nc, ncat, telnet: `--lines`): its lines become the
/// room's messages and the room's messages reach it as lines (``LineClientText``).
///
/// It reports to the room as a chat session does (established, one message per line,
/// ended), so the room treats it as a member without the `room` capability: same names,
/// rates and pacing, same bounded queue and too-slow drop. There is no handshake, no
/// encryption and no receipt: what it sends is plaintext, and it is unauthenticated.
final class LineClientHandler: ChannelInboundHandler, RoomConnection {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  /// The name it joins with (``LineClientText/defaultName(host:port:)``).
  let name: String
  private var lines: LineBuffer
  private var outbound: OutboundWriter
  private let linger: TimeAmount
  private let report: (SessionReport) -> Void
  private var context: ChannelHandlerContext?
  /// Set once the end is reported: the room hears of it once.
  private var ended = false
  private var closing = false
  private var toldOfCut = false
  private var sequence: UInt64 = 0
  private(set) var lastRelayedSequence: UInt64 = 0
  private(set) var hasUnflushedWrites = false
  var queuedForFlush = false
  var whenDrained: (() -> Void)?
  /// Called with the name asked for by `/nick NAME`.
  var nickRequested: ((String) -> Void)?

  /// - Parameters:
  ///   - maximumLineBytes: the longest message; a longer line is cut into pieces.
  ///   - queueLimit: bytes that may wait for it while it doesn't read (``OutboundQueue``).
  ///   - linger: how long a close waits for the client to close too.
  init(
    name: String, maximumLineBytes: Int, queueLimit: Int, linger: TimeAmount,
    report: @escaping (SessionReport) -> Void
  ) {
    self.name = name
    self.lines = LineBuffer(maximumLineBytes: maximumLineBytes)
    self.outbound = OutboundWriter(limit: queueLimit)
    self.linger = linger
    self.report = report
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  /// Joins the room: called by the room once the handler is in the pipeline.
  func start() {
    report(.established(PeerIdentity(name: name, maximumPayloadLength: peerMaximumPayloadLength), .unauthenticated))
  }

  // MARK: - From the client

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let bytes = unwrapInboundIn(data)
    guard !ended else { return }
    for line in lines.append(bytes.readableBytesView) { take(line) }
  }

  private func take(_ line: LineBuffer.Line) {
    if line.wasCut, !toldOfCut {
      toldOfCut = true
      write(
        LineClientText.notice(
          "a line longer than \(lines.maximumLineBytes) bytes is sent as several messages"))
      flushPending()
    }
    switch LineClientText.parse(line.text) {
    case .message(let text):
      sequence += 1
      let textBytes = text.utf8.count
      report(
        .messageReceived(
          TextMessage(sequence: sequence, text: text), from: name, textBytes: textBytes, wireBytes: textBytes + 1))
    case .nick(let requested):
      nickRequested?(requested)
    case .nothing:
      break
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    // A last line without its newline still counts: `printf 'hi' | nc` says hi.
    if !ended, let last = lines.finish() { take(last) }
    end(.peerClosed(Goodbye(code: .userQuit, reason: "the line client closed the connection")))
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    end(.connectionLost(NetworkErrorDescription.describe(error)))
    context.close(promise: nil)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable { drain(context: context) }
    context.fireChannelWritabilityChanged()
  }

  // MARK: - From the room

  func relay(_ text: String, from sender: String) {
    write(LineClientText.message(text, from: sender))
  }

  func announce(_ event: RoomEvent) {
    guard let line = LineClientText.event(event) else { return }
    write(line)
    if event.kind == .welcome {
      write(LineClientText.notice("type a line to send it; /nick NAME changes your name"))
    }
  }

  /// Line clients never take room frames: nothing encoded for them comes here.
  func writeBroadcast(_ bytes: ByteBuffer) {}

  func flushPending() {
    guard hasUnflushedWrites, let context else { return }
    hasUnflushedWrites = false
    context.flush()
  }

  func abort(_ report: ErrorReport) {
    write(LineClientText.notice(report.message))
    flushPending()
    end(.failed(report.code, report.message))
    beginClose()
  }

  func acceptSession(_ acceptance: SessionAcceptance) {}

  func relayed(through sequence: UInt64) {
    lastRelayedSequence = sequence
  }

  func acknowledgeRelayed() {}

  func setReading(_ reading: Bool) {
    context?.channel.setOption(ChannelOptions.autoRead, value: reading).whenFailure { _ in }
  }

  /// Any length: a line client has no frame limit.
  var peerMaximumPayloadLength: Int { Int(UInt32.max) }

  var isKeepingUp: Bool {
    guard let context else { return false }
    return context.channel.isWritable && outbound.queue.isEmpty && !closing
  }

  var usesReceipts: Bool { false }
  var supportsRoom: Bool { false }

  func close(_ goodbye: Goodbye) {
    let reason = goodbye.reason.isEmpty ? "the room closed" : goodbye.reason
    write(LineClientText.notice(reason))
    flushPending()
    end(.localClose(goodbye))
    beginClose()
  }

  // MARK: - Writing

  /// Writes `line` through the bounded queue: at once while the client reads, queued
  /// while it doesn't, and the client is dropped as too slow when the queue is full.
  private func write(_ line: String) {
    guard let context, !closing else { return }
    let bytes = context.channel.allocator.buffer(string: line)
    switch outbound.take(bytes, writable: context.channel.isWritable) {
    case .write(let bytes):
      context.write(wrapOutboundOut(bytes), promise: nil)
      hasUnflushedWrites = true
    case .nothing:
      break
    case .overflow:
      let limit = outbound.limit
      outbound.abandon()
      end(.failed(.tooSlow, "too slow: not reading, and more than \(limit) bytes are waiting for it"))
      closing = true
      context.close(promise: nil)
    }
  }

  private func drain(context: ChannelHandlerContext) {
    var wrote = false
    while context.channel.isWritable, let bytes = outbound.nextQueued() {
      context.write(wrapOutboundOut(bytes), promise: nil)
      wrote = true
    }
    if wrote { context.flush() }
    if outbound.isEmpty, context.channel.isWritable, !closing { whenDrained?() }
  }

  private func end(_ end: SessionEnd) {
    guard !ended else { return }
    ended = true
    report(.ended(end))
  }

  /// Sends FIN and waits (a bounded time) for the client to close too, so the last line
  /// is read rather than lost to a reset.
  private func beginClose() {
    guard let context, !closing else { return }
    closing = true
    let channel = context.channel
    context.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
    context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
  }
}
