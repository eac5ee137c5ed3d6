import ChatNetwork
import ChatProtocol
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What the encrypted channel costs (issue 13): the same frames sealed and in the clear, and
/// the same round trip through the room and through a plaintext framed echo, in one run.
extension Benchmarks {
  func channelRows() async throws -> [Row] {
    try await channelStreamRows() + channelRoundTripRows()
  }

  /// 64 KiB messages one way: sealed with each cipher into the product's session server,
  /// against the same frames unsealed into a plain frame reader, and raw TCP of the same
  /// bytes. Each figure is the median of `runs`, taken in turn.
  func channelStreamRows() async throws -> [Row] {
    let messageSize = 64 << 10
    let count = quick ? 256 : 4096
    let runs = quick ? 1 : 3
    let text = String(repeating: "a", count: messageSize - 8)
    // One message to a buffer, so one record each, as a client sending 64 KiB messages seals them.
    let frames = (1...count).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)).encoded() }
    let total = frames.reduce(0) { $0 + $1.readableBytes }
    var chaCha: [Double] = []
    var aesGCM: [Double] = []
    var plain: [Double] = []
    var raw: [Double] = []
    func rate(_ seconds: Double) -> Double { Double(total) / seconds / 1e6 }
    for _ in 0..<runs {
      chaCha.append(
        rate(
          try await sessionStream(
            frames, expecting: count, security: .sealed(secret: nil, aesGCM: false), cipher: .chaChaPoly)))
      aesGCM.append(
        rate(
          try await sessionStream(
            frames, expecting: count, security: .sealed(secret: nil, aesGCM: true), cipher: .aesGCM)
        ))
      plain.append(rate(try await plainStream(frames, expecting: count)))
      raw.append(rate(try await rawStream(bytes: total, chunk: messageSize + FrameHeader.size)))
    }
    let plainFramed = median(plain)
    func sealedRow(_ cipher: String, _ values: [Double]) -> Row {
      let value = median(values)
      return Row(
        name: "one-way stream, 64 KiB messages, sealed \(cipher)", unit: "MB/s", chat: value,
        reference: "plaintext framed stream (same frames, no sealing)", referenceValue: plainFramed,
        target: "≥ 1 GB/s and ≥ 60% of plaintext framed", met: value >= 1000 && value >= 0.6 * plainFramed,
        note: "median of \(runs): \(spread(values)); plaintext \(spread(plain))")
    }
    return [
      sealedRow("ChaChaPoly", chaCha),
      sealedRow("AESGCM", aesGCM),
      Row(
        name: "one-way stream, 64 KiB messages, plaintext framed", unit: "MB/s", chat: plainFramed,
        reference: "raw TCP, same bytes, no framing", referenceValue: median(raw), target: "", met: nil,
        note: "median of \(runs): \(spread(plain)); raw \(spread(raw))"),
    ]
  }

  /// 64 B round trips through the room, sealed with each cipher, against a plaintext framed
  /// echo (decodes each TEXT and answers it with the ROOM_TEXT the room would send).
  func channelRoundTripRows() async throws -> [Row] {
    let count = quick ? 2_000 : 20_000
    let (echo, echoChannel) = try await plainEchoRoundTrips(count: count)
    try? await echoChannel.close()
    let aesGCM = try await roomRoundTrips(count: count, security: .sealed(secret: nil, aesGCM: true))
    let chaCha = try await roomRoundTrips(count: count, security: .sealed(secret: nil, aesGCM: false))
    func rows(_ cipher: String, _ values: (Double, Double, Double)) -> [Row] {
      [
        Row(
          name: "round trip 64 B through the room, sealed \(cipher), p50", unit: "µs", chat: values.0,
          reference: "plaintext framed echo", referenceValue: echo.0, target: "≤ 1.15×",
          met: values.0 <= 1.15 * echo.0),
        Row(
          name: "round trip 64 B through the room, sealed \(cipher), p99", unit: "µs", chat: values.1,
          reference: "plaintext framed echo", referenceValue: echo.1, target: "≤ 1.15×",
          met: values.1 <= 1.15 * echo.1),
      ]
    }
    return rows("AESGCM", aesGCM) + rows("ChaChaPoly", chaCha)
  }

  func plainEchoRoundTrips(count: Int) async throws -> ((Double, Double, Double), any Channel) {
    let server = try await ServerBootstrap(group: group)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(PlainFramedEcho()) }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    do {
      return (try await roundTrips(count: count, port: server.localAddress!.port!, security: .plaintext), server)
    } catch {
      try? await server.close()
      throw error
    }
  }

  /// The same frames with no sealing, from a bench client in plaintext to a plain frame
  /// reader (decodes every frame, TEXT into its number and String, and reports each message
  /// as the session server's report does); seconds until all arrived.
  func plainStream(_ frames: [ByteBuffer], expecting count: Int) async throws -> Double {
    let received = NIOLockedValueBox(0)
    let finished = group.next().makePromise(of: Void.self)
    let server = try await ServerBootstrap(group: group)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            PlainFrameSink {
              let total = received.withLockedValue { value -> Int in
                value += 1
                return value
              }
              if total == count { finished.succeed() }
            })
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    defer { server.close(promise: nil) }
    let client = try await BenchClient.connect(
      port: server.localAddress!.port!, name: "source", security: .plaintext, group: group)
    defer { client.channel.close(promise: nil) }
    return try await seconds {
      try await writeAll(frames, to: client.channel)
      try await finished.futureResult.get()
    }
  }
}

extension Benchmarks {
  /// Repeats one of the channel's measurements for about `seconds`, printing each result:
  /// something steady for `perf record` to sample.
  func profile(_ what: String, seconds limit: Double) async throws {
    let messageSize = 64 << 10
    let text = String(repeating: "a", count: messageSize - 8)
    let frames = (1...4096).map { Frame.text(TextMessage(sequence: UInt64($0), text: text)).encoded() }
    let total = Double(frames.reduce(0) { $0 + $1.readableBytes })
    let start = DispatchTime.now().uptimeNanoseconds
    while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < limit {
      switch what {
      case "chacha-stream", "aesgcm-stream":
        let aesGCM = what == "aesgcm-stream"
        let elapsed = try await sessionStream(
          frames, expecting: frames.count, security: .sealed(secret: nil, aesGCM: aesGCM),
          cipher: aesGCM ? .aesGCM : .chaChaPoly)
        print("\(what): \(Table.format(total / elapsed / 1e6)) MB/s")
      case "plain-stream":
        let elapsed = try await plainStream(frames, expecting: frames.count)
        print("\(what): \(Table.format(total / elapsed / 1e6)) MB/s")
      case "room-rtt":
        let (p50, p99, _) = try await roomRoundTrips(count: 20_000, security: .default())
        print("\(what): p50 \(Table.format(p50)) µs, p99 \(Table.format(p99)) µs")
      case "echo-rtt":
        let ((p50, p99, _), server) = try await plainEchoRoundTrips(count: 20_000)
        try? await server.close()
        print("\(what): p50 \(Table.format(p50)) µs, p99 \(Table.format(p99)) µs")
      default:
        throw BenchError("nothing to profile called \(what)")
      }
    }
  }
}

/// "1210–1388": the range of a few runs.
func spread(_ values: [Double]) -> String {
  guard let low = values.min(), let high = values.max() else { return "–" }
  return values.count == 1 ? Table.format(low) : "\(Table.format(low))–\(Table.format(high))"
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return .nan }
  return sorted.count % 2 == 1
    ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Reads frames in the clear and reports each TEXT: the plaintext reference's reader.
final class PlainFrameSink: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer
  private var buffer = ByteBuffer()
  private var decoder = FrameDecoder(maximumPayloadLength: 1 << 20)
  private let onMessage: @Sendable () -> Void

  init(onMessage: @escaping @Sendable () -> Void) {
    self.onMessage = onMessage
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var incoming = unwrapInboundIn(data)
    buffer.writeBuffer(&incoming)
    while let frame = try? decoder.decode(&buffer) {
      if case .text = frame { onMessage() }
    }
    buffer.discardReadBytes()
  }
}

/// Answers each TEXT with the ROOM_TEXT a room would echo, in the clear: decoded, re-encoded
/// and flushed once per read.
final class PlainFramedEcho: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer
  private var buffer = ByteBuffer()
  private var decoder = FrameDecoder(maximumPayloadLength: 1 << 20)

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var incoming = unwrapInboundIn(data)
    buffer.writeBuffer(&incoming)
    var out: ByteBuffer?
    while let frame = try? decoder.decode(&buffer) {
      guard case .text(let message) = frame else { continue }
      if out == nil { out = context.channel.allocator.buffer(capacity: 128) }
      Frame.roomText(RoomText(sequence: message.sequence, sender: "pinger", text: message.text)).encode(into: &out!)
    }
    buffer.discardReadBytes()
    if let out { context.writeAndFlush(wrapOutboundOut(out), promise: nil) }
  }
}
