public import ChatProtocol
public import NIOCore
import NIOPosix
import NIOConcurrencyHelpers

/// The side that calls `connect`: one connection, one session.
public final class ChatConnector: ChatEndpoint {
  public let events: AsyncStream<SessionEvent>
  private let continuation: AsyncStream<SessionEvent>.Continuation
  private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
  private let closedBeforeConnect = NIOLockedValueBox(false)
  private let finished: EventLoopPromise<Void>

  private init(eventLoop: any EventLoop) {
    (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self)
    finished = eventLoop.makePromise()
  }

  /// Starts connecting to `address`; progress and outcome arrive as ``events``.
  public static func connect(
    to address: HostAndPort,
    options: SessionOptions,
    group: any EventLoopGroup
  ) -> ChatConnector {
    let connector = ChatConnector(eventLoop: group.next())
    connector.start(address, options: options, group: group)
    return connector
  }

  private func start(_ address: HostAndPort, options: SessionOptions, group: any EventLoopGroup) {
    let target = address.description
    let host = address.host ?? "localhost"
    continuation.yield(.connecting(to: target))
    let continuation = continuation
    ClientBootstrap(group: group)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelOption(.writeBufferWaterMark, value: SessionPipeline.writeBufferWaterMark)
      .connectTimeout(.seconds(10))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let remote = channel.remoteAddress?.displayString ?? target
          continuation.yield(.connected(to: remote))
          try SessionPipeline.configure(channel, role: .connector, options: options) { report in
            continuation.yield(SessionPipeline.event(for: report, address: remote))
          }
        }
      }
      .connect(host: host, port: address.port)
      .whenComplete { [self] result in
        switch result {
        case .success(let channel):
          self.channel.withLockedValue { $0 = channel }
          channel.closeFuture.whenComplete { _ in self.finish() }
          if closedBeforeConnect.withLockedValue({ $0 }) {
            channel.writeAndFlush(SessionCommand.close(Goodbye(code: .userQuit, reason: "")), promise: nil)
          }
        case .failure(let error):
          continuation.yield(.failed(NetworkErrorDescription.describe(error, target: target)))
          self.finish()
        }
      }
  }

  public func send(_ text: String) {
    guard let channel = channel.withLockedValue({ $0 }) else {
      continuation.yield(.messageNotSent(text: text, reason: "not connected"))
      return
    }
    channel.writeAndFlush(SessionCommand.send(text), promise: notSentOnFailure(text, on: channel))
  }

  private func notSentOnFailure(_ text: String, on channel: any Channel) -> EventLoopPromise<Void> {
    let promise = channel.eventLoop.makePromise(of: Void.self)
    let continuation = continuation
    promise.futureResult.whenFailure { _ in
      continuation.yield(.messageNotSent(text: text, reason: "the connection is closed"))
    }
    return promise
  }

  public func close(_ goodbye: Goodbye) async {
    closedBeforeConnect.withLockedValue { $0 = true }
    if let channel = channel.withLockedValue({ $0 }) {
      channel.writeAndFlush(SessionCommand.close(goodbye), promise: nil)
    }
    try? await finished.futureResult.get()
  }

  private func finish() {
    continuation.finish()
    finished.succeed()
  }
}
