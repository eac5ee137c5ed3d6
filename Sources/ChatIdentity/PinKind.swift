/// What a pinned key is pinned to. The raw value is the word used in known_peers and in
/// `chat --forget-key '<kind> <subject>'`.
public enum PinKind: String, Sendable, Hashable, CaseIterable {
  /// A connector pins the `host:port` it dialled, as typed: "127.0.0.1:9090", "[::1]:9090".
  case address
  /// A listener pins a peer's display name.
  case name
}
