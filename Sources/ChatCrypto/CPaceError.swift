/// Why CPace stopped.
public enum CPaceError: Error, Equatable, Sendable {
  /// The peer's share can't be used: it isn't 32 bytes, or it is a low-order point (the shared
  /// point K came out as the neutral element, all zeros), and the draft says the party MUST
  /// abort. The string says which, for logs; it holds no secret.
  case invalidShare(String)
}
