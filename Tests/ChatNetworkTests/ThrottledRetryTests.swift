import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("A client the relay throttles tries again after the block")
struct ThrottledRetryTests {
  /// A relay that turns every connection away: too many failed authentications, try again
  /// in 1 s, as RoomState says it.
  final class ThrottlingRelay: Sendable {
    let port: Int
    private let channel: any Channel

    private final class TurnAway: ChannelInboundHandler, Sendable {
      typealias InboundIn = ByteBuffer
      func channelActive(context: ChannelHandlerContext) {
        let refusal = Frame.error(
          ErrorReport(
            code: .authThrottled, message: "too many failed authentications from 127.0.0.1; try again in 1 s"))
        let channel = context.channel
        context.writeAndFlush(NIOAny(refusal.encoded()), promise: nil)
        context.close(mode: .output).whenComplete { _ in channel.close(promise: nil) }
      }
      func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    init() async throws {
      channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
          channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(TurnAway()) }
        }
        .bind(host: "127.0.0.1", port: 0).get()
      port = channel.localAddress!.port!
    }

    func close() async { try? await channel.close() }
  }

  @Test func theConnectorWaitsOutTheBlockAndTriesAgain() async throws {
    let relay = try await ThrottlingRelay()
    let connector = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: relay.port), options: SessionOptions(name: "bob"),
      reconnect: ReconnectPolicy(initialDelay: 20_000_000, maximumDelay: 200_000_000),
      group: MultiThreadedEventLoopGroup.singleton)
    let log = AwaitableLog<SessionEvent>()
    Task {
      for await event in connector.events { await log.append(event) }
      await log.finish()
    }
    let retry = try await log.first("a retry") { if case .reconnecting = $0 { true } else { false } }
    let (delay, reason) = try #require(retry.reconnecting)
    // Not the policy's 20 ms: the second the relay asked for.
    #expect(delay >= 1_000_000_000)
    #expect(reason.contains("try again in 1 s"))
    try await log.wait("a second attempt", seconds: 10) { events, _ in
      events.filter { if case .connecting = $0 { true } else { false } }.count >= 2
    }
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await relay.close()
  }
}
