import NIOCore

/// The sockets an endpoint reads, stopped together while its front end is behind and
/// started again when it catches up (see ``SessionEventBuffer``). Confined to the
/// endpoint's event loop.
///
/// Stopping is `autoRead` off: nothing more is read, the kernel's receive buffer fills,
/// TCP's window closes, and the peer's writes wait; the peer sees a slow reader.
final class ReadGate {
  /// Whether the front end keeps up, so sockets may be read.
  private(set) var isOpen = true
  private var channels: [ObjectIdentifier: any Channel] = [:]

  /// Reads `channel` while the gate is open, until it closes.
  func track(_ channel: any Channel) {
    let id = ObjectIdentifier(channel)
    channels[id] = channel
    if !isOpen { try? channel.syncOptions?.setOption(.autoRead, value: false) }
    let gate = NIOLoopBound(self, eventLoop: channel.eventLoop)
    channel.closeFuture.whenComplete { _ in gate.value.channels[id] = nil }
  }

  /// Opens or closes the gate for every socket tracked.
  func set(open: Bool) {
    guard open != isOpen else { return }
    isOpen = open
    for channel in channels.values { try? channel.syncOptions?.setOption(.autoRead, value: open) }
  }
}
