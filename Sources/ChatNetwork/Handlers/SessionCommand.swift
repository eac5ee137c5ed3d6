import ChatProtocol

/// What an endpoint asks of a connection's ``SessionHandler``, written into the channel.
enum SessionCommand: Sendable {
  case send(String)
  /// Each of these, in order, as `send` would: one trip through the pipeline for a block of
  /// piped lines.
  case sendAll([String])
  /// Ask the relay who is in the room.
  case who
  case close(Goodbye)
}
