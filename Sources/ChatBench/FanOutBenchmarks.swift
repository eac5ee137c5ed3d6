import CMallocCounter
import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatScreen
import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

extension Benchmarks {
  enum Relay: String {
    case chat = "chat --serve"
    case ncat = "ncat --broker"
    case python = "Python relay, tutorials' framing"
  }

  /// One sender, `receivers` receivers, `messages` messages: seconds until every receiver
  /// has every message, or nil if that didn't happen within `limit` seconds. With
  /// `stalled`, one extra receiver never reads.
  func fanOut(
    _ relay: Relay, receivers: Int, messages: Int, size: Int = 50, stalled: Bool = false, limit: Double = 60
  ) async throws -> Double? {
    let text = String(repeating: "f", count: size)
    var arguments: [String]
    switch relay {
    case .chat:
      arguments = [
        chatBinary, "--serve", "127.0.0.1:0", "--name", "relay", "--rate", "1000000000", "--byte-rate", "1000000000000",
        "--max-per-address", "20000", "--max-clients", "20000", "--max-queue", "268435456",
      ]
    case .ncat:
      guard let ncat = ReferencePrograms.ncat() else { return nil }
      let port = try freePort()
      arguments = [ncat, "--broker", "--listen", "127.0.0.1", String(port), "--max-conns", "20000"]
    case .python:
      arguments = ["/usr/bin/env", "python3", scripts.appendingPathComponent("tutorial_relay.py").path, "0"]
    }
    let server = try ChildProcess(arguments, environment: relay == .chat ? chatEnvironment : [:])
    defer { server.stop() }
    let port: Int
    switch relay {
    case .chat: port = try server.port(after: "listening on 127.0.0.1:")
    case .ncat:
      port = Int(arguments[4])!
      try waitUntilListening(port)
    case .python: port = try server.port(after: "port ")
    }

    var futures: [EventLoopFuture<Void>] = []
    var keep: [Any] = []
    for index in 0..<receivers {
      switch relay {
      case .chat:
        // chat's receivers run the handshake, then open each record and count the frames
        // in it by their headers, as the references' receivers count lines or
        // length-prefixed frames.
        let client = try await BenchClient.connect(port: port, name: "r\(index)", group: group)
        futures.append(try await client.expect(messages))
        keep.append(client)
      case .ncat, .python:
        let (channel, counter) = try await CountingClient.connect(
          port: port, unit: relay == .ncat ? .lines : .tutorialFrames, group: group)
        futures.append(try await counter.expect(messages, on: channel))
        keep.append(channel)
      }
    }
    if stalled {
      switch relay {
      case .chat:
        keep.append(try await BenchClient.connect(port: port, name: "stalled", group: group, reading: false))
      default: keep.append(try await CountingClient.connect(port: port, unit: .bytes, group: group, reading: false).0)
      }
    }
    let buffers: [ByteBuffer]
    let sender: any Channel
    switch relay {
    case .chat:
      let client = try await BenchClient.connect(port: port, name: "sender", group: group)
      keep.append(client)
      sender = client.channel
      // 64 messages to a buffer, each buffer sealed into one record: the frames the old
      // client wrote per flush, now in one record.
      buffers = encodedBatches(
        (1...messages).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)) }, perBuffer: 64)
    case .ncat:
      sender = try await CountingClient.connect(port: port, unit: .lines, group: group).0
      buffers = (1...messages).map { _ in ByteBuffer(string: text + "\n") }
    case .python:
      sender = try await CountingClient.connect(port: port, unit: .bytes, group: group).0
      buffers = (1...messages).map { _ in
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(text.utf8.count), endianness: .little)
        buffer.writeString(text)
        return buffer
      }
    }
    // Let the last joins settle at the relay before timing.
    try await Task.sleep(for: .milliseconds(200))
    let all = EventLoopFuture.andAllSucceed(futures, on: group.next())
    let timeout = group.next().scheduleTask(in: .nanoseconds(Int64(limit * 1e9))) {}
    var result: Double?
    let elapsed = try await seconds {
      // The time limit covers the writes too: a relay that stalls stops reading the sender.
      let outcome = try await withThrowingTaskGroup(of: Bool.self) { tasks in
        tasks.addTask {
          do {
            try await writeAll(buffers, to: sender)
            try await all.get()
            return true
          } catch {
            return false  // closed at the time limit
          }
        }
        let channels =
          [sender] + keep.compactMap { ($0 as? any Channel) ?? ($0 as? BenchClient)?.channel }
        tasks.addTask {
          try await Task.sleep(for: .nanoseconds(Int64(limit * 1e9)))
          // Give up: closing fails the writes and reads still waiting, so the group ends.
          for channel in channels { try? await channel.close() }
          return false
        }
        let first = try await tasks.next()!
        tasks.cancelAll()
        return first
      }
      if outcome { result = 0 }
    }
    timeout.cancel()
    try? await sender.close()
    for item in keep {
      if let client = item as? BenchClient { await client.close() }
      if let channel = item as? any Channel { try? await channel.close() }
    }
    return result == nil ? nil : elapsed
  }

  func fanOutRows() async throws -> [Row] {
    var rows: [Row] = []
    let messages = quick ? 1_000 : 10_000
    for receivers in quick ? [10] : [10, 100, 1000] {
      log("fan-out to \(receivers)")
      let chat = try await fanOut(.chat, receivers: receivers, messages: messages)
      let ncat = try await fanOut(.ncat, receivers: receivers, messages: messages)
      let python = receivers <= 100 ? try await fanOut(.python, receivers: receivers, messages: messages) : nil
      let deliveries = Double(receivers * messages)
      rows.append(
        Row(
          name: "fan-out 1 → \(receivers), \(messages) messages", unit: "M deliveries/s",
          chat: chat.map { deliveries / $0 / 1e6 }, reference: "ncat --broker",
          referenceValue: ncat.map { deliveries / $0 / 1e6 }, target: receivers == 100 ? "faster than ncat" : "",
          met: receivers == 100 ? (chat.map { c in ncat.map { c < $0 } ?? true } ?? false) : nil,
          note: python.map { "Python relay: \(Table.format(deliveries / $0 / 1e6)) M/s" } ?? ""))
    }
    return rows
  }

  /// One receiver never reads while 10 MB flow (1 KiB messages, far past any socket
  /// buffer): the others' time until they have everything.
  func stalledReceiverRows() async throws -> [Row] {
    let receivers = quick ? 10 : 100
    let messages = quick ? 1_000 : 10_000
    let limit = 10.0
    let chat = try await fanOut(
      .chat, receivers: receivers, messages: messages, size: 1024, stalled: true, limit: limit)
    let ncat = try await fanOut(
      .ncat, receivers: receivers, messages: messages, size: 1024, stalled: true, limit: limit)
    let python =
      quick
      ? nil
      : try await fanOut(.python, receivers: receivers, messages: messages, size: 1024, stalled: true, limit: limit)
    func describe(_ value: Double?) -> String {
      value.map { "\(Table.format($0)) s" } ?? "others still waiting after \(Int(limit)) s"
    }
    return [
      Row(
        name: "fan-out 1 → \(receivers), \(messages) × 1 KiB, 1 more receiver not reading",
        unit: "s until all others have all", chat: chat, reference: "ncat --broker", referenceValue: ncat,
        target: "others unaffected", met: chat.map { $0 < limit / 2 } ?? false,
        note: "ncat: \(describe(ncat))" + (quick ? "" : "; Python relay: \(describe(python))"))
    ]
  }

  func freePort() throws -> Int {
    let probe = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
    let port = probe.localAddress!.port!
    try probe.close().wait()
    return port
  }

  func waitUntilListening(_ port: Int) throws {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
      if let channel = try? ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).wait() {
        try? channel.close().wait()
        return
      }
      usleep(20_000)
    }
    throw BenchError("nothing listening on \(port)")
  }
}
