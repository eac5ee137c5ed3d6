public import ChatEvents
public import ChatProtocol
public import NIOCore
import NIOPosix

/// `--connect HOST:PORT --framing tutorial`: one connection to a program that speaks the
/// tutorials' format (their `struct.pack('i')` servers), answering their hmac challenge
/// when a secret is given.
///
/// No reconnecting and no resuming: the format has no sessions to resume, and no receipts
/// to tell what a lost connection took with it.
public final class TutorialConnector: ChatEndpoint {
  public let events: SessionEvents
  private let shell: NIOLoopBoundBox<TutorialHandlerBox>
  private let finished: EventLoopFuture<Void>

  private init(shell: NIOLoopBoundBox<TutorialHandlerBox>, events: SessionEvents, finished: EventLoopFuture<Void>) {
    self.shell = shell
    self.events = events
    self.finished = finished
  }

  /// Starts connecting to `address`; progress and outcome arrive as ``events``.
  public static func connect(
    to address: HostAndPort, options: TutorialOptions, group: any EventLoopGroup
  ) -> TutorialConnector {
    let loop = group.next()
    let continuation = SessionEventBuffer()
    let finished = loop.makePromise(of: Void.self)
    let target = address.description
    // Built here and handed to the event loop, which alone uses it from now on.
    let shell = NIOLoopBoundBox.makeBoxSendingValue(
      TutorialHandlerBox(
        TutorialHandler(
          configuration: options.configuration(role: .connector), challenge: [],
          handshakeTimeout: options.handshakeTimeout, address: target
        ) { _ = continuation.yield($0) }),
      eventLoop: loop)
    continuation.setFlowControl { [continuation] in
      loop.execute { shell.value.gate.set(open: !continuation.isPaused) }
    }
    loop.execute {
      continuation.yield(.connecting(to: target))
      ClientBootstrap(group: loop)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .connectTimeout(.seconds(10))
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try shell.value.gate.track(channel)
            try channel.pipeline.syncOperations.addHandler(shell.value.handler)
          }
        }
        .connect(host: address.host ?? "localhost", port: address.port)
        .whenComplete { result in
          switch result {
          case .success(let channel):
            channel.closeFuture.whenComplete { _ in
              continuation.finish()
              finished.succeed()
            }
          case .failure(let error):
            let reason = NetworkErrorDescription.describe(error, target: target)
            shell.value.handler.abandon(reason)
            continuation.yield(.failed(reason))
            continuation.finish()
            finished.succeed()
          }
        }
    }
    return TutorialConnector(shell: shell, events: SessionEvents(continuation), finished: finished.futureResult)
  }

  /// Sends `text`; lines given before the connection (and the check) are sent after it.
  public func send(_ text: String) {
    let shell = shell
    shell.eventLoop.execute { shell.value.handler.send(text) }
  }

  /// The format has no room: answered with a line saying so.
  public func who() {
    let shell = shell
    shell.eventLoop.execute { shell.value.handler.noRoom() }
  }

  /// Closes the connection once what was written has gone out (the format has no goodbye).
  public func close(_ goodbye: Goodbye) async {
    let shell = shell
    shell.eventLoop.execute { shell.value.handler.close(goodbye) }
    try? await finished.get()
  }
}

/// A connection's handler and the gate on its reads, kept on the event loop.
final class TutorialHandlerBox {
  let handler: TutorialHandler
  let gate = ReadGate()

  init(_ handler: TutorialHandler) {
    self.handler = handler
  }
}
