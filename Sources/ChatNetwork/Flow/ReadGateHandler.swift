import NIOCore

/// Passes a channel's reads on while its ``ReadGate`` is open, and holds one back while it
/// is closed, to pass on when it opens.
final class ReadGateHandler: ChannelOutboundHandler {
  typealias OutboundIn = NIOAny

  private let gate: ReadGate
  private var context: ChannelHandlerContext?
  private var holding = false

  init(gate: ReadGate) {
    self.gate = gate
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  func read(context: ChannelHandlerContext) {
    if gate.isOpen {
      context.read()
    } else {
      holding = true
    }
  }

  func gateClosed() {
    context?.fireUserInboundEventTriggered(ReadGate.Event.held)
  }

  /// The gate opened: pass on the read held back, unless the channel stopped reading
  /// meanwhile for a reason of its own (the room pacing it).
  func gateOpened() {
    guard let context else { return }
    context.fireUserInboundEventTriggered(ReadGate.Event.released)
    guard holding else { return }
    holding = false
    let autoRead = (try? context.channel.syncOptions?.getOption(.autoRead)) ?? true
    if autoRead { context.read() }
  }
}
