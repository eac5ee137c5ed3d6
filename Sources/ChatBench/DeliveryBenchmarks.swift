import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import NIOCore
import NIOPosix

extension Benchmarks {
  /// What receipts cost: the same client stream into a room with the `resume` capability
  /// (an ACK per read batch, every message kept until acknowledged) and without it, in the
  /// same run. Both time the host receiving every message; with receipts, also the last
  /// receipt back at the sender.
  func deliveryRows() async throws -> [Row] {
    let count = quick ? 5_000 : 100_000
    let off = try await roomStream(count: count, receipts: false)
    let on = try await roomStream(count: count, receipts: true)
    return [
      Row(
        name: "room stream, 64 B, receipts on (\(count) messages)", unit: "msg/s", chat: on.received,
        reference: "receipts off, same run", referenceValue: off.received, target: "≥ 0.8× receipts off",
        met: on.received >= 0.8 * off.received,
        note: "all receipts back at the sender: \(format(on.confirmed)) msg/s")
    ]
  }

  private func format(_ value: Double?) -> String {
    guard let value else { return "n/a" }
    return String(format: "%.0f", value)
  }

  private func roomStream(count: Int, receipts: Bool) async throws -> (received: Double, confirmed: Double?) {
    var limits = RoomLimits()
    limits.messagesPerSecond = 1e9
    limits.messageBurst = 1e9
    limits.bytesPerSecond = 1e12
    limits.byteBurst = 1e12
    // The room echoes every message to its sender too: 100,000 of them may wait while the
    // sender's front end is behind (its reads held). Measure throughput, not the defence
    // against slow readers (as the fan-out benchmarks raise --max-queue).
    limits.maximumQueuedBytes = 256 << 20
    var options = SessionOptions(name: "host")
    options.offersResume = receipts
    let room = try await ChatListener.start(
      on: HostAndPort(host: "127.0.0.1", port: 0), options: options, limits: limits, hostName: "host", group: group)
    var clientOptions = SessionOptions(name: "source")
    clientOptions.offersResume = receipts
    // The whole stream is handed to the connector at once. Sealed, 100,000 messages take
    // 9.8 MB on the wire (98 B each: 21 B of record around each 77 B frame), past the
    // connector's 8 MiB queue for a peer that is not keeping up, which would end the
    // session as "too slow" before the relay has read much; this measures throughput,
    // not that defence.
    clientOptions.maximumQueuedOutboundBytes = 64 << 20
    let client = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: room.port), options: clientOptions, reconnect: .never, group: group)
    let welcomed = group.next().makePromise(of: Void.self)
    let confirmed = group.next().makePromise(of: NIODeadline.self)
    let received = group.next().makePromise(of: NIODeadline.self)
    // A session that ends, or a run past the time limit, fails the run instead of hanging it.
    let limit = group.next().scheduleTask(in: .seconds(120)) {
      for promise in [received, confirmed] { promise.fail(BenchError("not done within 120 s")) }
    }
    defer { limit.cancel() }
    let clientEvents = Task {
      var receiptsIn = 0
      for await event in client.events {
        switch event {
        case .room(let roomEvent) where roomEvent.kind == .welcome: welcomed.succeed()
        case .delivered(let sequences):
          receiptsIn += sequences.count
          if receiptsIn == count { confirmed.succeed(.now()) }
        case .disconnected(_, let end):
          let failure = BenchError("the sender's session ended: \(end)")
          welcomed.fail(failure)
          received.fail(failure)
          confirmed.fail(failure)
        default: break
        }
      }
      welcomed.fail(ChannelError.ioOnClosedChannel)
      confirmed.fail(ChannelError.ioOnClosedChannel)
    }
    try await welcomed.futureResult.get()
    let hostEvents = Task {
      var messages = 0
      for await event in room.events {
        if case .messageReceived(let from, _, _, _) = event, from == "source" {
          messages += 1
          if messages == count { received.succeed(.now()) }
        }
      }
      received.fail(ChannelError.ioOnClosedChannel)
    }
    let text = String(repeating: "d", count: 64)
    let start = NIODeadline.now()
    for _ in 0..<count { client.send(text) }
    let receivedAt = try await received.futureResult.get()
    let confirmedAt = receipts ? try await confirmed.futureResult.get() : nil
    await client.close(Goodbye(code: .userQuit, reason: ""))
    await room.close(Goodbye(code: .shuttingDown, reason: ""))
    clientEvents.cancel()
    hostEvents.cancel()
    func rate(_ end: NIODeadline) -> Double { Double(count) / (Double((end - start).nanoseconds) / 1e9) }
    return (rate(receivedAt), confirmedAt.map(rate))
  }
}
