/// The outcome of the handshake once a session is established.
public enum AuthStatus: Hashable, Sendable, CustomStringConvertible {
  /// Both sides proved knowledge of the same shared secret.
  case authenticated
  /// Neither side has a secret: anyone who reaches the port can talk.
  case unauthenticated
  /// The tutorials' framing (`--framing tutorial`): nothing is encrypted. With `secret`, the
  /// tutorials' hmac check passed: weak (one-sided, open to offline guessing, nothing
  /// protected after it), and said so.
  case tutorial(secret: Bool)

  /// Whether the session is encrypted (chat's own protocol always is).
  public var isEncrypted: Bool {
    if case .tutorial = self { return false }
    return true
  }

  public var description: String {
    switch self {
    case .authenticated: "authenticated"
    case .unauthenticated: "unauthenticated"
    case .tutorial(let secret): secret ? "weak, tutorial-compatible auth" : "unauthenticated"
    }
  }
}
