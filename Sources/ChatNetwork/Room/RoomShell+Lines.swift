import ChatProtocol
import ChatRoom
import NIOCore

/// Line clients (`--lines`): a connection's first byte or its silence says what it is; a
/// chat client goes on to its handshake, a line client joins as a member without the
/// `room` capability.
extension RoomShell {
  /// What refuses a line client when the room has a secret: it can't prove it.
  static let lineClientSecretRefusal = "this room requires a shared secret; connect with chat"

  func detected(_ id: ParticipantID, _ verdict: LineClientDetection) {
    guard var pending = detecting[id], pending.channel.isActive else { return }
    switch verdict {
    case .chat:
      detecting[id] = nil
      do {
        try startSession(id, pending.channel, address: pending.address, ip: pending.ip)
      } catch {
        giveUp(id, pending)
        return
      }
      pending.detector.release()
    case .lines where options.secret != nil:
      pending.handshaking = false
      detecting[id] = pending
      state.handshakeEnded()
      refuseLineClient(pending)
    case .lines:
      detecting[id] = nil
      startLineClient(id, pending)
    }
  }

  /// One plain line saying why, then the connection closes (it stays counted until then).
  private func refuseLineClient(_ pending: Detecting) {
    let reason = Self.lineClientSecretRefusal
    continuation.yield(.refused(address: pending.address, reason: "line client: \(reason)"))
    logger?.notice("turned away line client \(pending.address): \(reason)", metadata: Self.peer(pending.ip))
    let channel = pending.channel
    let linger = TimeAmount(options.lingerTimeout)
    channel.writeAndFlush(channel.allocator.buffer(string: reason + "\n")).whenComplete { _ in
      // FIN first, then a bounded wait for the client to close, so the line is read
      // rather than lost to a reset.
      channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
      channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
    }
    pending.detector.release()
  }

  /// The pipeline could not be set up: close; the connection stays counted until closed.
  private func giveUp(_ id: ParticipantID, _ original: Detecting) {
    var pending = original
    pending.handshaking = false
    detecting[id] = pending
    state.handshakeEnded()
    pending.channel.close(promise: nil)
  }

  private func startLineClient(_ id: ParticipantID, _ pending: Detecting) {
    let room = NIOLoopBound(self, eventLoop: loop)
    let remote = pending.channel.remoteAddress
    let name =
      remote?.ipAddress.map { LineClientText.defaultName(host: $0, port: remote?.port) }
      ?? LineClientText.defaultName(host: pending.ip, port: nil)
    // A line is one TEXT message: its number (8 bytes) and the text must fit the room's
    // largest member payload.
    let handler = LineClientHandler(
      name: name, maximumLineBytes: options.maximumPayloadLength - 8, queueLimit: options.maximumQueuedOutboundBytes,
      linger: TimeAmount(options.lingerTimeout)
    ) { report in room.value.enter(.report(report, id)) }
    handler.whenDrained = { room.value.enter(.drained(id)) }
    handler.nickRequested = { name in room.value.enter(.nick(id, name)) }
    do {
      try pending.channel.pipeline.syncOperations.addHandler(handler)
    } catch {
      giveUp(id, pending)
      return
    }
    // Counted as handshaking until its (immediate) establishment, like a chat session.
    connections[id] = Connection(handler: handler, channel: pending.channel, address: pending.address, ip: pending.ip)
    handler.start()
    pending.detector.release()
  }
}
