import ChatProtocol
import ChatTestSupport
import NIOCore
import NIOPosix

/// A plain TCP line client, like nc: writes bytes as given, and logs each line it
/// receives (split by the same ``LineBuffer`` the room uses).
final class TextLineClient: Sendable {
  let lines = AwaitableLog<String>()
  private let channel: any Channel

  private final class Reader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let lines: AwaitableLog<String>
    // Only touched on the channel's event loop.
    var buffer = LineBuffer(maximumLineBytes: 1 << 24)

    init(lines: AwaitableLog<String>) { self.lines = lines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      let received = buffer.append(unwrapInboundIn(data).readableBytesView).map(\.text)
      let lines = lines
      Task { for line in received { await lines.append(line) } }
    }

    func channelInactive(context: ChannelHandlerContext) {
      let lines = lines
      Task { await lines.finish() }
    }
  }

  init(port: Int) async throws {
    let lines = lines
    channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton.next())
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(Reader(lines: lines))
        }
      }
      .connect(host: "127.0.0.1", port: port).get()
  }

  var localPort: Int { channel.localAddress?.port ?? 0 }

  func send(_ text: String) async throws {
    try await channel.writeAndFlush(channel.allocator.buffer(string: text)).get()
  }

  func close() async {
    try? await channel.close()
  }
}
