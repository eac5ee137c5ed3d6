/// One thing the shell must do on the session machine's behalf, in order.
public enum SessionAction: Hashable, Sendable {
  /// Write this frame (header and payload in one write).
  case send(Frame)
  /// From now on, seal everything written with this sealer, in order (the handshake is
  /// done on this side; frames sent before this action go out as they are).
  case beginSealing(RecordSealer)
  /// Pass this on to the front end.
  case report(SessionReport)
  /// Flush what was sent and close the connection.
  case close
}
