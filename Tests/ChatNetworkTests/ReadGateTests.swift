import ChatEvents
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import ChatNetwork

@Suite("The read gate holds reads back while the front end is behind")
struct ReadGateTests {
  /// Counts the reads that reach the socket (it sits next to the head).
  final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var reads = 0
    func read(context: ChannelHandlerContext) {
      reads += 1
      context.read()
    }
  }

  @Test func aReadAskedForWhileClosedIsPassedOnWhenItOpens() throws {
    let channel = EmbeddedChannel()
    let counter = ReadCounter()
    try channel.pipeline.syncOperations.addHandler(counter)
    let gate = ReadGate()
    try gate.track(channel)
    channel.read()
    #expect(counter.reads == 1)
    gate.set(open: false)
    channel.read()
    channel.read()
    #expect(counter.reads == 1)
    gate.set(open: true)
    // One read held back, passed on once.
    #expect(counter.reads == 2)
    gate.set(open: true)
    #expect(counter.reads == 2)
    #expect(try channel.finish().isClean)
  }

  /// A real loopback connection (EmbeddedChannel ignores `autoRead`): the accepted side.
  func acceptedChannel() async throws -> (accepted: any Channel, close: @Sendable () async -> Void) {
    let group = MultiThreadedEventLoopGroup.singleton
    let accepted = group.any().makePromise(of: (any Channel).self)
    // The accept is awaited, with a deadline (a second completion of the promise is ignored).
    let deadline = group.any().scheduleTask(in: .seconds(30)) {
      accepted.fail(ChannelError.connectTimeout(.seconds(30)))
    }
    let server = try await ServerBootstrap(group: group)
      .childChannelInitializer { channel in
        accepted.succeed(channel)
        return channel.eventLoop.makeSucceededVoidFuture()
      }
      .bind(host: "127.0.0.1", port: 0).get()
    let client = try await ClientBootstrap(group: group)
      .connect(host: "127.0.0.1", port: server.localAddress!.port!).get()
    let channel = try await accepted.futureResult.get()
    deadline.cancel()
    return (
      channel,
      {
        try? await client.close()
        try? await server.close()
      }
    )
  }

  @Test func aChannelPacedMeanwhileIsNotReadWhenTheGateOpens() async throws {
    let (channel, close) = try await acceptedChannel()
    let reads = try await channel.eventLoop.submit {
      let counter = ReadCounter()
      try channel.pipeline.syncOperations.addHandler(counter)
      let gate = ReadGate()
      try gate.track(channel)
      gate.set(open: false)
      let before = counter.reads
      channel.read()
      // The room paces this member: it stops reading for a reason of its own.
      try channel.syncOptions!.setOption(.autoRead, value: false)
      gate.set(open: true)
      return counter.reads - before
    }.get()
    #expect(reads == 0)
    await close()
  }
}
