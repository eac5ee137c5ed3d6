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
  /// 64 KiB messages one way through the session layer, against raw TCP with the same bytes.
  func largeMessageStream() async throws -> Row {
    let messageSize = 64 << 10
    let count = quick ? 256 : 4096
    let text = String(repeating: "a", count: messageSize - 8)
    let frames = (1...count).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)).encoded() }
    // One message to a buffer, so one record each: as a client sending 64 KiB messages seals them.
    let chatSeconds = try await sessionStream(frames, expecting: count, security: .default())
    let total = frames.reduce(0) { $0 + $1.readableBytes }
    let rawSeconds = try await rawStream(bytes: total, chunk: messageSize + FrameHeader.size)
    let chat = Double(total) / chatSeconds / 1e6
    let raw = Double(total) / rawSeconds / 1e6
    return Row(
      name: "one-way stream, 64 KiB messages", unit: "MB/s", chat: chat, reference: "raw TCP, same bytes, no framing",
      referenceValue: raw, target: "≥ 70% of raw TCP", met: chat >= 0.7 * raw,
      note: "sealed, \(CPUFeatures.hasAESInstructions ? "AESGCM" : "ChaChaPoly"), one record per message")
  }

  /// 64 B messages one way through the session layer, against the tutorials' design.
  func smallMessageStream() async throws -> Row {
    let count = quick ? 100_000 : 2_000_000
    let text = String(repeating: "m", count: 64)
    // 64 messages to a buffer, sealed together into one record (as the old client wrote
    // 64 frames per flush).
    let frames = encodedBatches(
      (1...count).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)) }, perBuffer: 64)
    let chatSeconds = try await sessionStream(frames, expecting: count, security: .default())
    let chat = Double(count) / chatSeconds
    let pythonCount = quick ? 20_000 : 200_000
    let python = try tutorialStream(count: pythonCount, size: 64)
    return Row(
      name: "one-way stream, 64 B messages", unit: "msg/s", chat: chat,
      reference: "tutorials' design (Python socketserver, 4-byte header)", referenceValue: python,
      target: "≥ 1,000,000 msg/s", met: chat >= 1_000_000, note: "sealed, 64 messages to a record")
  }

  /// Sends `frames` from a chat client to a session server (the product's pipeline);
  /// seconds until all arrived. The server offers AESGCM; `security` decides. With
  /// `cipher`, checks the handshake agreed on it.
  func sessionStream(
    _ frames: [ByteBuffer], expecting count: Int, security: BenchClient.Security, cipher: ChannelCipher? = nil
  ) async throws -> Double {
    let received = NIOLockedValueBox(0)
    let finished = group.next().makePromise(of: Void.self)
    var options = SessionOptions(name: "sink", maximumPayloadLength: 1 << 20)
    options.offersAESGCM = true
    let server = try await SessionServer.bind(
      host: "127.0.0.1", port: 0, options: options, group: group
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
    let client = try await BenchClient.connect(
      port: server.localAddress!.port!, name: "source", security: security, group: group)
    defer { client.channel.close(promise: nil) }
    if let cipher, try await client.cipher() != cipher {
      throw BenchError("the handshake did not agree on \(cipher)")
    }
    return try await seconds {
      try await writeAll(frames, to: client.channel)
      try await finished.futureResult.get()
    }
  }

  /// Raw TCP: `bytes` in `chunk`-sized writes to a server that only counts them.
  func rawStream(bytes: Int, chunk: Int) async throws -> Double {
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

  func tutorialStream(count: Int, size: Int) throws -> Double {
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
}
