public import ChatProtocol
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

/// The side that calls `connect`: one connection, one session.
public final class ChatConnector: ChatEndpoint {
  public let events: AsyncStream<SessionEvent>
  private let continuation: AsyncStream<SessionEvent>.Continuation
  private let state = NIOLockedValueBox(State.connecting(waiting: [], closeRequested: nil))

  private enum State {
    /// Messages typed before TCP is up wait here; the session queues them until auth is done.
    case connecting(waiting: [String], closeRequested: Goodbye?)
    case connected(any Channel)
    case finished
  }
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
          try SessionPipeline.configure(channel, role: .connector, options: options) { report in
            let remote = channel.remoteAddress?.displayString ?? target
            if let event = SessionPipeline.event(for: report, address: remote) { continuation.yield(event) }
          }
        }
      }
      .connect(host: host, port: address.port)
      .whenComplete { [self] result in
        switch result {
        case .success(let channel):
          continuation.yield(.connected(to: channel.remoteAddress?.displayString ?? target))
          let (waiting, closeRequested) = self.state.withLockedValue { state in
            guard case .connecting(let waiting, let closeRequested) = state else { return ([String](), Goodbye?.none) }
            state = .connected(channel)
            return (waiting, closeRequested)
          }
          channel.closeFuture.whenComplete { _ in self.finish() }
          for text in waiting { self.send(text, on: channel) }
          if let closeRequested { channel.writeAndFlush(SessionCommand.close(closeRequested), promise: nil) }
        case .failure(let error):
          continuation.yield(.failed(NetworkErrorDescription.describe(error, target: target)))
          let waiting = self.state.withLockedValue { state in
            guard case .connecting(let waiting, _) = state else { return [String]() }
            return waiting
          }
          for text in waiting { continuation.yield(.messageNotSent(text: text, reason: "not connected")) }
          self.finish()
        }
      }
  }

  public func send(_ text: String) {
    let channel = state.withLockedValue { state -> (any Channel)? in
      switch state {
      case .connecting(var waiting, let closeRequested):
        waiting.append(text)
        state = .connecting(waiting: waiting, closeRequested: closeRequested)
        return nil
      case .connected(let channel):
        return channel
      case .finished:
        return nil
      }
    }
    if let channel {
      send(text, on: channel)
    } else if case .finished = state.withLockedValue({ $0 }) {
      continuation.yield(.messageNotSent(text: text, reason: "the connection is closed"))
    }
  }

  public func who() {
    guard case .connected(let channel) = state.withLockedValue({ $0 }) else {
      continuation.yield(.messageNotSent(text: "/who", reason: "not connected"))
      return
    }
    channel.writeAndFlush(SessionCommand.who, promise: nil)
  }

  private func send(_ text: String, on channel: any Channel) {
    let promise = channel.eventLoop.makePromise(of: Void.self)
    let continuation = continuation
    promise.futureResult.whenFailure { _ in
      continuation.yield(.messageNotSent(text: text, reason: "the connection is closed"))
    }
    channel.writeAndFlush(SessionCommand.send(text), promise: promise)
  }

  public func close(_ goodbye: Goodbye) async {
    let channel = state.withLockedValue { state -> (any Channel)? in
      switch state {
      case .connecting(let waiting, _):
        state = .connecting(waiting: waiting, closeRequested: goodbye)
        return nil
      case .connected(let channel):
        return channel
      case .finished:
        return nil
      }
    }
    channel?.writeAndFlush(SessionCommand.close(goodbye), promise: nil)
    try? await finished.futureResult.get()
  }

  private func finish() {
    state.withLockedValue { $0 = .finished }
    continuation.finish()
    finished.succeed()
  }
}
