/// What known_peers says about a key a peer just presented.
public enum PinVerdict: Sendable, Equatable {
  /// Nothing is pinned for this address or name: first contact (trust on first use).
  case new
  /// The pinned key is this key; `verified` says whether its safety number was confirmed.
  case known(verified: Bool)
  /// A different key is pinned: someone may be in the middle, or the peer made a new
  /// identity. `pinnedKey` is the old key, `verified` whether the old one was confirmed.
  case changed(pinnedKey: [UInt8], verified: Bool)
}
