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
  /// 64 B messages echoed by a room (the sender gets its own message back in room order).
  func roundTrip() async throws -> [Row] {
    let count = quick ? 2_000 : 20_000
    let (p50, p99, p999) = try await roomRoundTrips(count: count, security: .default())
    let oneWrite = try tutorialRoundTrip(count: count, writes: "one")
    let twoWrites = try tutorialRoundTrip(count: quick ? 5 : 25, writes: "two")
    return [
      Row(
        name: "round trip 64 B, p50", unit: "µs", chat: p50, reference: "tutorials' design, one write",
        referenceValue: oneWrite.0, target: "≤ 25 µs", met: p50 <= 25,
        note: "sealed, \(CPUFeatures.hasAESInstructions ? "AESGCM" : "ChaChaPoly")"),
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

  /// 64 B messages echoed by a room (`ChatListener`, the product's relay): the sender gets
  /// its own message back in room order. Percentiles in µs: p50, p99, p99.9.
  func roomRoundTrips(count: Int, security: BenchClient.Security) async throws -> (Double, Double, Double) {
    var limits = RoomLimits()
    limits.messagesPerSecond = 1e9
    limits.messageBurst = 1e9
    limits.bytesPerSecond = 1e12
    limits.byteBurst = 1e12
    var options = SessionOptions(name: "relay")
    options.offersAESGCM = true
    let room = try await ChatListener.start(
      on: HostAndPort(host: "127.0.0.1", port: 0), options: options, limits: limits, hostName: nil, group: group)
    let drain = Task { for await _ in room.events {} }
    defer { drain.cancel() }
    let result = try await roundTrips(count: count, port: room.port, security: security)
    await room.close(Goodbye(code: .shuttingDown, reason: ""))
    return result
  }

  /// A bench client sends a 64 B TEXT, waits for the message to come back, sends the next:
  /// `count` round trips after 100 warm-up ones. Percentiles in µs: p50, p99, p99.9.
  func roundTrips(count: Int, port: Int, security: BenchClient.Security) async throws -> (Double, Double, Double) {
    let client = try await BenchClient.connect(port: port, name: "pinger", security: security, group: group)
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
        handler.send(frames[sent])
        sent += 1
      }
      handler.onMessage = { now in
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
    return histogram.withLockedValue {
      (
        Double($0.valueAtPercentile(50)) / 1000, Double($0.valueAtPercentile(99)) / 1000,
        Double($0.valueAtPercentile(99.9)) / 1000
      )
    }
  }

  func tutorialRoundTrip(count: Int, writes: String) throws -> (Double, Double, Double) {
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
}
