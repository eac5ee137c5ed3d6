import ChatProtocol

/// What an endpoint asks of a connection's ``SessionHandler``, written into the channel.
enum SessionCommand: Sendable {
  case send(String)
  /// Ask the relay who is in the room.
  case who
  case close(Goodbye)
}
