import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import NIOCore
import NIOPosix

/// Collects an endpoint's events into a log that tests await on.
func collect(_ endpoint: any ChatEndpoint) -> AwaitableLog<SessionEvent> {
  let log = AwaitableLog<SessionEvent>()
  Task {
    for await event in endpoint.events { await log.append(event) }
    await log.finish()
  }
  return log
}

func startListener(
  _ options: SessionOptions,
  limits: RoomLimits = RoomLimits(),
  host: Bool = true
) async throws -> (ChatListener, AwaitableLog<SessionEvent>) {
  let listener = try await ChatListener.start(
    on: HostAndPort(host: "127.0.0.1", port: 0),
    options: options,
    limits: limits,
    hostName: host ? options.name : nil,
    group: MultiThreadedEventLoopGroup.singleton
  )
  return (listener, collect(listener))
}

func connect(to listener: ChatListener, _ options: SessionOptions) -> (ChatConnector, AwaitableLog<SessionEvent>) {
  let connector = ChatConnector.connect(
    to: HostAndPort(host: "127.0.0.1", port: listener.port),
    options: options,
    group: MultiThreadedEventLoopGroup.singleton
  )
  return (connector, collect(connector))
}

func secret(_ text: String) -> SharedSecret? { SharedSecret(bytes: text.utf8) }

extension SessionEvent {
  var isEstablished: Bool { if case .established = self { true } else { false } }
  var end: SessionEnd? { if case .disconnected(_, let end) = self { end } else { nil } }
  var receivedText: String? { if case .messageReceived(_, let message, _, _) = self { message.text } else { nil } }
  var isListening: Bool { if case .listening = self { true } else { false } }
  var receivedFrom: String? { if case .messageReceived(let from, _, _, _) = self { from } else { nil } }
  var roomEvent: RoomEvent? { if case .room(let event) = self { event } else { nil } }
  func isRoom(_ kind: RoomEvent.Kind, _ name: String) -> Bool {
    roomEvent.map { $0.kind == kind && $0.name == name } ?? false
  }
  var refusal: String? { if case .refused(_, let reason) = self { reason } else { nil } }
  var peer: PeerIdentity? { if case .established(let peer, _, _) = self { peer } else { nil } }
  var reconnecting: (delay: UInt64, reason: String)? {
    if case .reconnecting(_, let delay, let reason) = self { (delay, reason) } else { nil }
  }
}

extension SessionEnd {
  /// The code and reason of a `failed` end.
  var failure: (code: ErrorCode, reason: String)? {
    if case .failed(let code, let reason) = self { (code, reason) } else { nil }
  }
  /// The reason of an `authFailed` end.
  var authFailure: String? { if case .authFailed(let reason) = self { reason } else { nil } }
}

extension Frame {
  /// The report of an ERROR frame.
  var errorReport: ErrorReport? { if case .error(let report) = self { report } else { nil } }
  /// The hello of a HELLO frame.
  var hello: Hello? { if case .hello(let hello) = self { hello } else { nil } }
}
