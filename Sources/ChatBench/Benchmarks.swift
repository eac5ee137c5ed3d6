import CMallocCounter
import ChatProtocol
import ChatRoom
import ChatScreen
import ChatSession
import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The suite. Sizes shrink with `quick` (CI's smoke run); the method stays the same.
struct Benchmarks {
  let quick: Bool
  let scripts: URL
  let chatBinary: String
  let group = MultiThreadedEventLoopGroup.singleton
  let log: (String) -> Void

  // MARK: - One-way streams

  /// 64 KiB messages one way through the session layer, against raw TCP with the same bytes.
  func largeMessageStream() async throws -> Row {
    let messageSize = 64 << 10
    let count = quick ? 256 : 4096
    let text = String(repeating: "a", count: messageSize - 8)
    let frames = (1...count).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)).encoded() }
    let chatSeconds = try await sessionStream(frames, expecting: count)
    let total = frames.reduce(0) { $0 + $1.readableBytes }
    let rawSeconds = try await rawStream(bytes: total, chunk: messageSize + FrameHeader.size)
    let chat = Double(total) / chatSeconds / 1e6
    let raw = Double(total) / rawSeconds / 1e6
    return Row(
      name: "one-way stream, 64 KiB messages", unit: "MB/s", chat: chat, reference: "raw TCP, same bytes, no framing",
      referenceValue: raw, target: "≥ 70% of raw TCP", met: chat >= 0.7 * raw)
  }

  /// 64 B messages one way through the session layer, against the tutorials' design.
  func smallMessageStream() async throws -> Row {
    let count = quick ? 100_000 : 2_000_000
    let text = String(repeating: "m", count: 64)
    let frames = (1...count).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)).encoded() }
    let chatSeconds = try await sessionStream(frames, expecting: count)
    let chat = Double(count) / chatSeconds
    let pythonCount = quick ? 20_000 : 200_000
    let python = try tutorialStream(count: pythonCount, size: 64)
    return Row(
      name: "one-way stream, 64 B messages", unit: "msg/s", chat: chat,
      reference: "tutorials' design (Python socketserver, 4-byte header)", referenceValue: python,
      target: "≥ 1,000,000 msg/s", met: chat >= 1_000_000)
  }

  /// Sends `frames` from a chat client to a session server; seconds until all arrived.
  private func sessionStream(_ frames: [ByteBuffer], expecting count: Int) async throws -> Double {
    let received = NIOLockedValueBox(0)
    let finished = group.next().makePromise(of: Void.self)
    let server = try await SessionServer.bind(
      host: "127.0.0.1", port: 0, options: SessionOptions(name: "sink", maximumPayloadLength: 1 << 20), group: group
    ) { report in
      if case .messageReceived = report {
        let total = received.withLockedValue { value -> Int in
          value += 1
          return value
        }
        if total == count { finished.succeed() }
      }
    }
    defer { server.close(promise: nil) }
    let client = try await BenchClient.connect(port: server.localAddress!.port!, name: "source", group: group)
    defer { client.channel.close(promise: nil) }
    return try await seconds {
      try await writeAll(frames, to: client.channel)
      try await finished.futureResult.get()
    }
  }

  /// Raw TCP: `bytes` in `chunk`-sized writes to a server that only counts them.
  private func rawStream(bytes: Int, chunk: Int) async throws -> Double {
    let counted = NIOLockedValueBox(0)
    let finished = group.next().makePromise(of: Void.self)
    final class Sink: ChannelInboundHandler, Sendable {
      typealias InboundIn = ByteBuffer
      let counted: NIOLockedValueBox<Int>
      let finished: EventLoopPromise<Void>
      let total: Int
      init(_ counted: NIOLockedValueBox<Int>, _ finished: EventLoopPromise<Void>, _ total: Int) {
        self.counted = counted
        self.finished = finished
        self.total = total
      }
      func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let size = unwrapInboundIn(data).readableBytes
        let now = counted.withLockedValue { value -> Int in
          value += size
          return value
        }
        if now >= total { finished.succeed() }
      }
    }
    let server = try await ServerBootstrap(group: group)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(Sink(counted, finished, bytes))
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    defer { server.close(promise: nil) }
    let (client, _) = try await CountingClient.connect(port: server.localAddress!.port!, unit: .bytes, group: group)
    defer { client.close(promise: nil) }
    var buffer = ByteBuffer(repeating: UInt8(ascii: "a"), count: chunk)
    buffer.moveWriterIndex(to: chunk)
    let buffers = Array(repeating: buffer, count: bytes / chunk) + [ByteBuffer(repeating: 0, count: bytes % chunk)]
    return try await seconds {
      try await writeAll(buffers.filter { $0.readableBytes > 0 }, to: client)
      try await finished.futureResult.get()
    }
  }

  private func tutorialStream(count: Int, size: Int) throws -> Double {
    let server = try ChildProcess([
      "/usr/bin/env", "python3", scripts.appendingPathComponent("tutorial_server.py").path, "count", "0", String(count),
      "two",
    ])
    let port = try server.port(after: "port ")
    let client = ChildProcess.runToEnd(
      [
        "/usr/bin/env", "python3", scripts.appendingPathComponent("tutorial_client.py").path, "stream", String(port),
        String(count), String(size), "two",
      ],
      seconds: 300)
    guard client == 0 else { throw BenchError("the tutorials' client failed") }
    let line = try server.waitForLine("its rate", seconds: 60) { Double($0) != nil }
    server.stop()
    return Double(line)!
  }

  // MARK: - Round trips

  /// 64 B messages echoed by a room (the sender gets its own message back in room order).
  func roundTrip() async throws -> [Row] {
    let count = quick ? 2_000 : 20_000
    var limits = RoomLimits()
    limits.messagesPerSecond = 1e9
    limits.messageBurst = 1e9
    let room = try await ChatListener.start(
      on: HostAndPort(host: "127.0.0.1", port: 0), options: SessionOptions(name: "relay"), limits: limits,
      hostName: nil, group: group)
    let drain = Task { for await _ in room.events {} }
    defer { drain.cancel() }
    let client = try await BenchClient.connect(port: room.port, name: "pinger", group: group)
    let text = String(repeating: "r", count: 64)
    let frames = (1...(count + 100)).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)).encoded() }
    let histogram = NIOLockedValueBox(
      Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three))
    let done = client.channel.eventLoop.makePromise(of: Void.self)
    try await client.onLoop { handler in
      var sent = 0
      var start = NIODeadline.now()
      let warmup = 100
      func sendNext() {
        start = NIODeadline.now()
        handler.context!.writeAndFlush(NIOAny(frames[sent]), promise: nil)
        sent += 1
      }
      handler.onMessage = { _, _, now in
        if sent > warmup {
          let nanoseconds = UInt64(max(0, (now - start).nanoseconds))
          histogram.withLockedValue { _ = $0.record(nanoseconds) }
        }
        if sent == count + warmup { done.succeed() } else { sendNext() }
      }
      sendNext()
    }
    try await done.futureResult.get()
    await client.close()
    await room.close(Goodbye(code: .shuttingDown, reason: ""))
    let (p50, p99, p999) = histogram.withLockedValue {
      (
        Double($0.valueAtPercentile(50)) / 1000, Double($0.valueAtPercentile(99)) / 1000,
        Double($0.valueAtPercentile(99.9)) / 1000
      )
    }
    let oneWrite = try tutorialRoundTrip(count: count, writes: "one")
    let twoWrites = try tutorialRoundTrip(count: quick ? 5 : 25, writes: "two")
    return [
      Row(
        name: "round trip 64 B, p50", unit: "µs", chat: p50, reference: "tutorials' design, one write",
        referenceValue: oneWrite.0, target: "≤ 25 µs", met: p50 <= 25),
      Row(
        name: "round trip 64 B, p99", unit: "µs", chat: p99, reference: "tutorials' design, one write",
        referenceValue: oneWrite.1, target: "≤ 60 µs", met: p99 <= 60),
      Row(
        name: "round trip 64 B, p99.9", unit: "µs", chat: p999, reference: "tutorials' design, one write",
        referenceValue: oneWrite.2, target: "", met: nil),
      Row(
        name: "round trip 64 B, p50", unit: "µs", chat: p50,
        reference: "tutorials' design, two writes (\(quick ? 5 : 25) trips)", referenceValue: twoWrites.0, target: "",
        met: nil),
    ]
  }

  private func tutorialRoundTrip(count: Int, writes: String) throws -> (Double, Double, Double) {
    let server = try ChildProcess([
      "/usr/bin/env", "python3", scripts.appendingPathComponent("tutorial_server.py").path, "echo", "0", "0", writes,
    ])
    defer { server.stop() }
    let port = try server.port(after: "port ")
    let client = try ChildProcess([
      "/usr/bin/env", "python3", scripts.appendingPathComponent("tutorial_client.py").path, "rtt", String(port),
      String(count), "64", writes,
    ])
    let line = try client.waitForLine(containing: " ", seconds: 600)
    let values = line.split(separator: " ").compactMap { Double($0) }.map { $0 / 1000 }
    guard values.count == 3 else { throw BenchError("unexpected output from the tutorials' client: \(line)") }
    return (values[0], values[1], values[2])
  }

  // MARK: - Fan-out

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
    let server = try ChildProcess(arguments)
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
      let unit: CountingClient.Unit =
        switch relay {
        case .chat: .chatMessages
        case .ncat: .lines
        case .python: .tutorialFrames
        }
      // chat's receivers send a real hello, then only count frames by their headers, as
      // the references' receivers count lines or length-prefixed frames.
      let greeting = relay == .chat ? Self.hello(name: "r\(index)") : nil
      let (channel, counter) = try await CountingClient.connect(
        port: port, unit: unit, group: group, greeting: greeting)
      futures.append(try await counter.expect(messages, on: channel))
      keep.append(channel)
    }
    if stalled {
      switch relay {
      case .chat:
        keep.append(
          try await CountingClient.connect(
            port: port, unit: .bytes, group: group, reading: false, greeting: Self.hello(name: "stalled")
          ).0)
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
      buffers = (1...messages).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)).encoded() }
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
        let channels = [sender] + keep.compactMap { $0 as? any Channel }
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

  static func hello(name: String) -> ByteBuffer {
    Frame.hello(
      Hello(
        offersAuth: false, maximumPayloadLength: 1 << 20, nonce: (0..<32).map { _ in UInt8.random(in: 0...255) },
        name: name, capabilities: [Capability.room])
    ).encoded()
  }

  private func freePort() throws -> Int {
    let probe = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
    let port = probe.localAddress!.port!
    try probe.close().wait()
    return port
  }

  private func waitUntilListening(_ port: Int) throws {
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

  // MARK: - Memory

  func memory() async throws -> [Row] {
    var rows: [Row] = []
    let secret = SharedSecret(bytes: Array("bench secret".utf8))!
    let relay = try ChildProcess(
      [
        chatBinary, "--serve", "127.0.0.1:0", "--name", "relay", "--max-per-address", "20000", "--max-clients", "20000",
      ],
      environment: ["CHAT_SECRET": "bench secret"])
    defer { relay.stop() }
    let port = try relay.port(after: "listening on 127.0.0.1:")
    let idle = try ChildProcess(
      [chatBinary, "--connect", "127.0.0.1:\(port)", "--plain", "--name", "idle"],
      environment: ["CHAT_SECRET": "bench secret"])
    defer { idle.stop() }
    _ = try idle.waitForLine(containing: "established")
    try await Task.sleep(for: .milliseconds(300))
    rows.append(
      Row(
        name: "idle client (chat --connect)", unit: "MB RSS", chat: Double(idle.residentBytes) / 1e6, reference: "",
        referenceValue: nil, target: "< 20 MB", met: idle.residentBytes < 20_000_000,
        note: "of which private: \(Table.format(Double(idle.privateBytes) / 1e6)) MB; the rest is shared library pages")
    )
    var clients: [BenchClient] = []
    var previous = relay.residentBytes
    var previousCount = 0
    for target in quick ? [100] : [1000, 10_000] {
      while clients.count < target {
        let names = (clients.count..<min(target, clients.count + 200)).map { "idle\($0)" }
        let group = group
        let batch = try await withThrowingTaskGroup(of: BenchClient.self) { tasks in
          for name in names {
            tasks.addTask { try await BenchClient.connect(port: port, name: name, secret: secret, group: group) }
          }
          var connected: [BenchClient] = []
          for try await client in tasks { connected.append(client) }
          return connected
        }
        clients += batch
      }
      try await Task.sleep(for: .milliseconds(500))
      let now = relay.residentBytes
      let perConnection = Double(now - previous) / Double(target - previousCount)
      rows.append(
        Row(
          name: "relay with \(target) idle authenticated clients", unit: "KB per connection",
          chat: perConnection / 1000,
          reference: "", referenceValue: nil, target: "< 20 KB", met: perConnection < 20_000,
          note: "relay RSS \(Table.format(Double(now) / 1e6)) MB"))
      previous = now
      previousCount = target
    }
    for client in clients { client.channel.close(promise: nil) }
    return rows
  }

  // MARK: - Codec and screen model

  func codec() -> [Row] {
    let text = String(repeating: "c", count: 64)
    let frame = Frame.text(TextMessage(sequence: 1, text: text))
    let count = quick ? 200_000 : 2_000_000
    var buffer = ByteBuffer()
    let encodeStart = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count {
      buffer.clear()
      frame.encode(into: &buffer)
    }
    let encodeNanoseconds = Double(DispatchTime.now().uptimeNanoseconds - encodeStart) / Double(count)
    // Decode as a connection does: 64 KiB reads of back-to-back frames, one after another.
    // (Slicing more than 16 MiB into one ByteBuffer copies, which a socket never does.)
    var read = ByteBuffer()
    while read.readableBytes + frame.wireLength <= 64 << 10 { frame.encode(into: &read) }
    let framesPerRead = read.readableBytes / frame.wireLength
    var decoder = FrameDecoder()
    var decoded = 0
    let allocationsBefore = chat_allocation_count()
    let decodeStart = DispatchTime.now().uptimeNanoseconds
    while decoded < count {
      var chunk = read
      while let next = try? decoder.decode(&chunk) {
        if case .text = next { decoded += 1 }
      }
    }
    let decodeNanoseconds = Double(DispatchTime.now().uptimeNanoseconds - decodeStart) / Double(decoded)
    let allocations = Double(chat_allocation_count() - allocationsBefore) / Double(decoded)
    return [
      Row(
        name: "encode a 64 B text frame", unit: "ns", chat: encodeNanoseconds, reference: "", referenceValue: nil,
        target: "", met: nil),
      Row(
        name: "decode a 64 B text frame", unit: "ns", chat: decodeNanoseconds, reference: "", referenceValue: nil,
        target: "", met: nil, note: "\(framesPerRead) frames per 64 KiB read"),
      Row(
        name: "heap allocations per decoded 64 B frame", unit: "allocations", chat: allocations, reference: "",
        referenceValue: nil, target: "≤ 1 (the text itself)", met: allocations <= 1.01),
    ]
  }

  func screen() -> [Row] {
    var model = ScreenModel(localName: "me")
    let lines = quick ? 2_000 : 10_000
    for index in 0..<lines {
      let text =
        index % 2 == 0
        ? "message \(index): 这是一条很长的中文消息，用来测试换行和宽字符的显示是否正确 mixed with English words"
        : "message \(index): the quick brown fox jumps over the lazy dog, 你好世界, and keeps going for a while"
      model.apply(
        .messageReceived(
          from: "peer", message: TextMessage(sequence: UInt64(index + 1), text: text), payloadBytes: 100, wireBytes: 105
        ),
        time: "12:00:00")
    }
    _ = model.layout(width: 120, height: 40)
    _ = model.handle(.pageUp, time: "t")
    _ = model.handle(.pageUp, time: "t")
    let resizes = 50
    let resizeStart = DispatchTime.now().uptimeNanoseconds
    for index in 0..<resizes { _ = model.layout(width: index % 2 == 0 ? 80 : 120, height: index % 2 == 0 ? 24 : 40) }
    let resize = Double(DispatchTime.now().uptimeNanoseconds - resizeStart) / Double(resizes) / 1e6
    let keys = 2_000
    let keyStart = DispatchTime.now().uptimeNanoseconds
    for index in 0..<keys {
      _ = model.handle(index % 50 == 49 ? .control("u") : .text("字"), time: "t")
      _ = model.layout(width: 120, height: 40)
    }
    let keystroke = Double(DispatchTime.now().uptimeNanoseconds - keyStart) / Double(keys) / 1e6
    return [
      Row(
        name: "screen: re-layout \(lines)-line scrollback after a resize", unit: "ms", chat: resize, reference: "",
        referenceValue: nil, target: "< 10 ms", met: resize < 10),
      Row(
        name: "screen: one keystroke and its redraw", unit: "ms", chat: keystroke, reference: "", referenceValue: nil,
        target: "< 1 ms", met: keystroke < 1),
    ]
  }
}
