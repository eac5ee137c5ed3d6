import ChatProtocol

/// The names present in a room, by what they look like, so that no one can join under a
/// name that passes for someone else's.
///
/// Two names clash when their ``NameKey`` skeletons match: the same name in another case or
/// width (`BOB`, `ｂｏｂ`) or a look-alike in another script (`bоb` with a Cyrillic о). A
/// newcomer whose name clashes gets the first free `name-2`, `name-3`, … and is told why
/// (the suffix shows everyone that this is not the member already present). The host's name
/// is registered first and protected the same way. A name can also be reserved for a while
/// (for a session that may still resume): it clashes like a present name until then.
public struct NameRegistry: Sendable {
  /// Skeleton → the name of the member holding it (each name holds its ``NameKey`` skeletons).
  private var holders: [String: String] = [:]
  /// Skeleton → a reserved name and until when (monotonic nanoseconds).
  private var reservations: [String: (name: String, until: UInt64)] = [:]

  public init() {}

  /// The name `requested` gets in the room, registered as taken, and why it differs from
  /// what was asked for (nil when it doesn't): `bob was taken`, `bоb looks like bob`.
  public mutating func claim(_ requested: String, now: UInt64 = 0) -> (name: String, note: String?) {
    reservations = reservations.filter { $0.value.until > now }
    let key = NameKey(requested)
    guard let holder = holderOf(key) else {
      register(requested, key)
      return (requested, nil)
    }
    let note =
      NameKey(holder).folded == key.folded
      ? "\(requested) was taken" : "\(requested) looks like \(holder)"
    let base = String(requested.utf8.prefix(Hello.maximumNameLength - 6)) ?? "guest"
    var suffix = 2
    while true {
      let candidate = "\(base)-\(suffix)"
      let candidateKey = NameKey(candidate)
      if holderOf(candidateKey) == nil {
        register(candidate, candidateKey)
        return (candidate, note)
      }
      suffix += 1
    }
  }

  /// `name` (as returned by ``claim(_:)``) left the room and is free again.
  public mutating func release(_ name: String) {
    for skeleton in NameKey(name).skeletons where holders[skeleton] == name { holders[skeleton] = nil }
  }

  /// Keeps `name` from being claimed, by it or a look-alike, until `until`.
  public mutating func reserve(_ name: String, until: UInt64) {
    for skeleton in NameKey(name).skeletons { reservations[skeleton] = (name, until) }
  }

  /// `name` is no longer reserved (its session came back).
  public mutating func unreserve(_ name: String) {
    for skeleton in NameKey(name).skeletons where reservations[skeleton]?.name == name {
      reservations[skeleton] = nil
    }
  }

  /// The name present (or reserved) that `name` would clash with, if any.
  public func holder(clashingWith name: String) -> String? {
    holderOf(NameKey(name))
  }

  private func holderOf(_ key: NameKey) -> String? {
    key.skeletons.lazy.compactMap { holders[$0] ?? self.reservations[$0]?.name }.first
  }

  private mutating func register(_ name: String, _ key: NameKey) {
    for skeleton in key.skeletons { holders[skeleton] = name }
  }
}
