import ChatEvents
import NIOCore

/// The sockets an endpoint reads, held back together while its front end is behind and
/// let go when it catches up (see ``SessionEventBuffer``). Confined to the endpoint's
/// event loop.
///
/// Holding back is withholding the `read` each socket asks for (``ReadGateHandler``): the
/// kernel's receive buffer fills, TCP's window closes, and the peer's writes wait; the peer
/// sees a slow reader. It does not touch `autoRead`, which the room uses to pace a sender
/// over its rate, so the two never undo each other.
final class ReadGate {
  /// Told to the channels' inbound handlers when the gate closes and opens, so that the
  /// session does not take the peer's unread frames for the peer's silence.
  enum Event: Sendable {
    case held
    case released
  }

  /// Whether the front end keeps up, so sockets may be read.
  private(set) var isOpen = true
  private var handlers: [ObjectIdentifier: ReadGateHandler] = [:]

  /// Puts `channel`'s reads behind the gate, until it closes.
  func track(_ channel: any Channel) throws {
    let handler = ReadGateHandler(gate: self)
    try channel.pipeline.syncOperations.addHandler(handler)
    let id = ObjectIdentifier(channel)
    handlers[id] = handler
    let gate = NIOLoopBound(self, eventLoop: channel.eventLoop)
    channel.closeFuture.whenComplete { _ in gate.value.handlers[id] = nil }
  }

  /// Opens or closes the gate for every socket tracked.
  func set(open: Bool) {
    guard open != isOpen else { return }
    isOpen = open
    for handler in handlers.values { open ? handler.gateOpened() : handler.gateClosed() }
  }
}
