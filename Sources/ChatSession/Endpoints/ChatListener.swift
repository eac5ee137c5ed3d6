public import ChatProtocol
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

/// The side that accepts connections: it talks with one peer at a time, turns away others
/// while busy, and keeps listening after each peer leaves or fails to authenticate.
public final class ChatListener: ChatEndpoint {
  public let events: AsyncStream<SessionEvent>
  /// Where the listener is bound, as `[::]:9090` or `127.0.0.1:9090`.
  public let address: String
  /// The bound port (useful when asked for port 0).
  public let port: Int

  private let continuation: AsyncStream<SessionEvent>.Continuation
  private let serverChannel: any Channel
  private let state: NIOLockedValueBox<State>

  private struct State {
    var peer: (channel: any Channel, address: String)?
    var stopping = false
  }

  private init(
    serverChannel: any Channel,
    state: NIOLockedValueBox<State>,
    events: AsyncStream<SessionEvent>,
    continuation: AsyncStream<SessionEvent>.Continuation
  ) {
    self.serverChannel = serverChannel
    self.state = state
    self.events = events
    self.continuation = continuation
    self.address = serverChannel.localAddress?.displayString ?? "?"
    self.port = serverChannel.localAddress?.port ?? 0
  }

  /// Binds `address` (all interfaces, IPv4 and IPv6, when it has no host) and starts
  /// accepting. Throws ``StartError`` with a one-line reason when binding fails.
  public static func start(
    on address: HostAndPort,
    options: SessionOptions,
    group: any EventLoopGroup
  ) async throws(StartError) -> ChatListener {
    let (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self)
    let state = NIOLockedValueBox(State())
    let listenAddress = NIOLockedValueBox("")
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .serverChannelOption(.backlog, value: 256)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(.writeBufferWaterMark, value: SessionPipeline.writeBufferWaterMark)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try accept(
            channel,
            state: state,
            options: options,
            continuation: continuation,
            listenAddress: listenAddress.withLockedValue { $0 }
          )
        }
      }
    let serverChannel: any Channel
    do {
      if let host = address.host {
        serverChannel = try await bootstrap.bind(host: host, port: address.port).get()
      } else {
        do {
          // "::" takes IPv4 too on Linux (IPV6_V6ONLY is off by default).
          serverChannel = try await bootstrap.bind(host: "::", port: address.port).get()
        } catch {
          serverChannel = try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
        }
      }
    } catch {
      continuation.finish()
      throw StartError(description: NetworkErrorDescription.describe(error, target: address.description))
    }
    let listener = ChatListener(
      serverChannel: serverChannel,
      state: state,
      events: events,
      continuation: continuation
    )
    listenAddress.withLockedValue { $0 = listener.address }
    if options.secret == nil {
      continuation.yield(
        .warning(
          "no shared secret: anyone who can reach port \(listener.port) can talk to you (set CHAT_SECRET or use --secret-file)"
        )
      )
    }
    continuation.yield(.listening(address: listener.address))
    return listener
  }

  /// Why a listener could not start.
  public struct StartError: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  private static func accept(
    _ channel: any Channel,
    state: NIOLockedValueBox<State>,
    options: SessionOptions,
    continuation: AsyncStream<SessionEvent>.Continuation,
    listenAddress: String
  ) throws {
    let remote = channel.remoteAddress?.displayString ?? "unknown address"
    let admitted = state.withLockedValue { state -> Bool in
      guard !state.stopping, state.peer == nil else { return false }
      state.peer = (channel, remote)
      return true
    }
    guard admitted else {
      let busyWith = state.withLockedValue { $0.peer?.address }
      let reason =
        busyWith.map { "busy: already in a conversation with \($0)" } ?? "busy: the listener is stopping"
      continuation.yield(.refused(address: remote, reason: reason))
      try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoderHandler()))
      try channel.pipeline.syncOperations.addHandler(
        BusyRefusalHandler(report: ErrorReport(code: .busy, message: reason), linger: options.lingerTimeout)
      )
      return
    }
    continuation.yield(.connected(to: remote))
    // The slot frees as soon as the session ends, not when the connection has finished
    // lingering, so that someone retrying right after a failure is not told "busy".
    @Sendable func release() {
      let released = state.withLockedValue { state -> Bool in
        guard state.peer?.channel === channel else { return false }
        state.peer = nil
        return !state.stopping
      }
      if released { continuation.yield(.listening(address: listenAddress)) }
    }
    channel.closeFuture.whenComplete { _ in release() }
    try SessionPipeline.configure(channel, role: .listener, options: options) { report in
      continuation.yield(SessionPipeline.event(for: report, address: remote))
      if case .ended = report { release() }
    }
  }

  public func send(_ text: String) {
    guard let peer = state.withLockedValue({ $0.peer?.channel }) else {
      continuation.yield(.messageNotSent(text: text, reason: "no peer is connected"))
      return
    }
    let promise = peer.eventLoop.makePromise(of: Void.self)
    let continuation = continuation
    promise.futureResult.whenFailure { _ in
      continuation.yield(.messageNotSent(text: text, reason: "the connection is closed"))
    }
    peer.writeAndFlush(SessionCommand.send(text), promise: promise)
  }

  public func close(_ goodbye: Goodbye) async {
    let peer = state.withLockedValue { state -> (any Channel)? in
      state.stopping = true
      return state.peer?.channel
    }
    try? await serverChannel.close()
    if let peer {
      peer.writeAndFlush(SessionCommand.close(goodbye), promise: nil)
      try? await peer.closeFuture.get()
    }
    continuation.finish()
  }
}
