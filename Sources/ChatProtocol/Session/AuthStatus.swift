/// The outcome of the handshake once a session is established.
public enum AuthStatus: Hashable, Sendable, CustomStringConvertible {
  /// Both sides proved knowledge of the same shared secret.
  case authenticated
  /// Neither side has a secret: anyone who reaches the port can talk.
  case unauthenticated

  public var description: String {
    switch self {
    case .authenticated: "authenticated"
    case .unauthenticated: "unauthenticated"
    }
  }
}
