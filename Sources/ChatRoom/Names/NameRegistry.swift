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
///
/// A claim costs O(1) amortised however many names are present or reserved: reservations
/// expire from a queue ordered by time, and the search for a free suffix starts where the
/// last one for the same base ended, or at a suffix freed since (``SuffixIndex``). The names
/// given are exactly those of trying every suffix from 2. (One case costs more: a freed
/// suffix that is still taken under a look-alike, `X-5` freed while a member named `x-5` is
/// present, is tried again by each claim of `X` until it is free; it takes one member per
/// such suffix.)
public struct NameRegistry: Sendable {
  /// Skeleton → the name of the member holding it (each name holds its ``NameKey`` skeletons).
  private var holders: [String: String] = [:]
  /// Skeleton → a reserved name and until when (monotonic nanoseconds).
  private var reservations: [String: (name: String, until: UInt64)] = [:]
  /// Every reservation made, soonest expiry first (entries since replaced are skipped).
  private var expiries = MinHeap<Expiry>()
  /// Which suffixes of which bases are known to be held.
  private var suffixes = SuffixIndex()

  /// What claims have cost so far, counted so that tests can bound it without timing.
  public struct Work: Sendable, Equatable {
    /// Suffixed candidates (`bob-2`, `bob-3`, …) whose NameKey a claim computed.
    public var candidates = 0
    /// Reservations looked at to expire them.
    public var expiryChecks = 0
  }

  public private(set) var work = Work()

  public init() {}

  /// The name `requested` gets in the room, registered as taken, and why it differs from
  /// what was asked for (nil when it doesn't): `bob was taken`, `bоb looks like bob`.
  public mutating func claim(_ requested: String, now: UInt64 = 0) -> (name: String, note: String?) {
    expireReservations(now: now)
    let key = NameKey(requested)
    guard let holder = holderOf(key) else {
      register(requested, key)
      return (requested, nil)
    }
    let note =
      NameKey(holder).folded == key.folded
      ? "\(requested) was taken" : "\(requested) looks like \(holder)"
    // Room for "-" and up to five digits within the longest name, cut between characters.
    let base = String(requested.prefix(utf8Bytes: Hello.maximumNameLength - 6))
    // `base-N` holds the skeletons b + skeleton(`-N`), for each skeleton b of base.
    let bases = base == requested ? key.skeletons : NameKey(base).skeletons
    // The first free suffix is a freed one below where the suffixes of these bases are
    // known to be held, or the first free from there on.
    let known = suffixes.firstUnknown(of: bases)
    var chosen: (suffix: Int, key: NameKey)?
    var tried: [Int] = []
    while let freed = suffixes.takeSmallestFreed(of: bases) {
      tried.append(freed)
      if let free = freeKey(base, freed) {
        chosen = (freed, free)
        break
      }
    }
    suffixes.putBack(tried, of: bases)
    var suffix = known
    while chosen == nil {
      chosen = freeKey(base, suffix).map { (suffix, $0) }
      suffix += 1
    }
    guard let chosen else { preconditionFailure("a free suffix is always found") }
    let candidate = "\(base)-\(chosen.suffix)"
    register(candidate, chosen.key)
    return (candidate, note)
  }

  /// `name` (as returned by ``claim(_:)``) left the room and is free again.
  public mutating func release(_ name: String) {
    for skeleton in NameKey(name).skeletons where holders[skeleton] == name {
      holders[skeleton] = nil
      if reservations[skeleton] == nil { suffixes.freed(skeleton) }
    }
  }

  /// Keeps `name` from being claimed, by it or a look-alike, until `until`.
  public mutating func reserve(_ name: String, until: UInt64) {
    for skeleton in NameKey(name).skeletons {
      reservations[skeleton] = (name, until)
      expiries.push(Expiry(until: until, skeleton: skeleton))
      noteHeld(skeleton)
    }
  }

  /// `name` is no longer reserved (its session came back).
  public mutating func unreserve(_ name: String) {
    for skeleton in NameKey(name).skeletons where reservations[skeleton]?.name == name {
      reservations[skeleton] = nil
      if holders[skeleton] == nil { suffixes.freed(skeleton) }
    }
  }

  /// The name present (or reserved) that `name` would clash with, if any.
  public func holder(clashingWith name: String) -> String? {
    holderOf(NameKey(name))
  }

  private func holderOf(_ key: NameKey) -> String? {
    key.skeletons.lazy.compactMap { holders[$0] ?? self.reservations[$0]?.name }.first
  }

  private func isHeld(_ skeleton: String) -> Bool {
    holders[skeleton] != nil || reservations[skeleton] != nil
  }

  /// The key of `base-suffix` if that name clashes with no one (counted in ``work``).
  private mutating func freeKey(_ base: String, _ suffix: Int) -> NameKey? {
    let candidateKey = NameKey("\(base)-\(suffix)")
    work.candidates += 1
    return holderOf(candidateKey) == nil ? candidateKey : nil
  }

  private mutating func register(_ name: String, _ key: NameKey) {
    for skeleton in key.skeletons {
      holders[skeleton] = name
      noteHeld(skeleton)
    }
  }

  /// Tells the suffix index that `skeleton` is held, and moves its mark past the suffixes
  /// held after it.
  private mutating func noteHeld(_ skeleton: String) {
    guard let base = suffixes.held(skeleton) else { return }
    while let next = suffixes.reached(base), isHeld(base + SuffixIndex.suffixSkeleton(next)) {
      suffixes.advance(base)
    }
  }

  /// Ends every reservation due by `now`, soonest first: each entry is looked at once.
  private mutating func expireReservations(now: UInt64) {
    while let next = expiries.peek, next.until <= now {
      _ = expiries.pop()
      work.expiryChecks += 1
      // The entry may have been replaced (reserved again, later) or unreserved since.
      guard let reservation = reservations[next.skeleton], reservation.until <= now else { continue }
      reservations[next.skeleton] = nil
      if holders[next.skeleton] == nil { suffixes.freed(next.skeleton) }
    }
  }
}

/// A reservation's skeleton and when it ends, ordered by the end.
struct Expiry: Comparable, Sendable {
  var until: UInt64
  var skeleton: String
  static func < (lhs: Expiry, rhs: Expiry) -> Bool { lhs.until < rhs.until }
}

/// For each base skeleton b that suffixed names have been given under: how far the
/// skeletons b-2, b-3, … (b + the skeleton of `-N`) are known to be held, and which below
/// that were freed since.
///
/// Invariant, for each entry: every N with 2 ≤ N < `reached` that is not in `freed` has
/// b-N held. So for a base whose skeletons are B, every suffix below the greatest `reached`
/// of B that is in no `freed` of B is taken, and the first free suffix is a freed one or
/// at or after that `reached`. `reached` passes each suffix once as names are given, and a
/// suffix enters `freed` once per release, so searches are O(1) amortised. An entry goes
/// when nothing below its `reached` is held any more.
struct SuffixIndex: Sendable {
  struct Entry: Sendable {
    var reached: Int
    var freed: Set<Int> = []
    /// `freed` in increasing order, lazily: a value no longer in `freed` is dropped when met.
    var order = MinHeap<Int>()

    /// Drops from the top of `order` the values no longer freed.
    mutating func dropStale() {
      while let top = order.peek, !freed.contains(top) { _ = order.pop() }
    }

    /// Suffix `suffix` below `reached` is held by no one now.
    mutating func free(_ suffix: Int) {
      if suffix == reached - 1 {
        reached = suffix
        while freed.remove(reached - 1) != nil { reached -= 1 }
      } else if freed.insert(suffix).inserted {
        order.push(suffix)
      }
      if order.count > 2 * freed.count + 16 { order = MinHeap(freed) }
    }
  }

  private var entries: [String: Entry] = [:]

  /// Where to look on beyond the freed suffixes: the greatest `reached` among `bases`.
  func firstUnknown(of bases: Set<String>) -> Int {
    bases.map { entries[$0]?.reached ?? 2 }.max() ?? 2
  }

  /// `reached` of base `base`, if it has an entry.
  func reached(_ base: String) -> Int? { entries[base]?.reached }

  /// b-`reached` is held: move past it.
  mutating func advance(_ base: String) { entries[base]?.reached += 1 }

  /// The smallest suffix freed under any of `bases`, taken out of the order (not out of
  /// `freed`): the next call gives the next one. ``putBack(_:of:)`` undoes it.
  mutating func takeSmallestFreed(of bases: Set<String>) -> Int? {
    var smallest: Int?
    for base in bases {
      entries[base]?.dropStale()
      if let top = entries[base]?.order.peek, top < smallest ?? Int.max { smallest = top }
    }
    guard let smallest else { return nil }
    for base in bases {
      while entries[base]?.order.peek == smallest { _ = entries[base]?.order.pop() }
    }
    return smallest
  }

  /// Puts the suffixes taken by ``takeSmallestFreed(of:)`` back in order, those still freed.
  mutating func putBack(_ suffixes: [Int], of bases: Set<String>) {
    for base in bases {
      for suffix in suffixes where entries[base]?.freed.contains(suffix) == true {
        entries[base]?.order.push(suffix)
      }
    }
  }

  /// `skeleton` is held now (given or reserved). Returns its base when that base's
  /// `reached` moved to just past it: the caller then advances it past the suffixes held
  /// after it (``advance(_:)``).
  mutating func held(_ skeleton: String) -> String? {
    guard let (base, suffix) = Self.split(skeleton) else { return nil }
    guard let reached = entries[base]?.reached else {
      guard suffix == 2 else { return nil }
      entries[base] = Entry(reached: 3)
      return base
    }
    if suffix < reached {
      entries[base]?.freed.remove(suffix)
    } else if suffix == reached {
      entries[base]?.reached += 1
      return base
    }
    return nil
  }

  /// `skeleton` is held by no one now.
  mutating func freed(_ skeleton: String) {
    guard let (base, suffix) = Self.split(skeleton), let reached = entries[base]?.reached, suffix < reached else {
      return
    }
    entries[base]?.free(suffix)
    if let reached = entries[base]?.reached, reached <= 2 { entries[base] = nil }
  }

  /// The skeleton of `-N`: `-` and the digits, each by its prototype (1 looks like l, 0 like O).
  static func suffixSkeleton(_ suffix: Int) -> String {
    ConfusableSkeleton.of("-\(suffix)")
  }

  /// b and N when `skeleton` is b + the skeleton of `-N`, N ≥ 2.
  static func split(_ skeleton: String) -> (base: String, suffix: Int)? {
    guard let dash = skeleton.lastIndex(of: "-") else { return nil }
    let digits = String(
      skeleton[skeleton.index(after: dash)...].map { character -> Character in
        switch character {
        case "O": "0"
        case "l": "1"
        default: character
        }
      })
    guard (1...9).contains(digits.count), !digits.hasPrefix("0"), let suffix = Int(digits), suffix >= 2,
      suffixSkeleton(suffix) == skeleton[dash...]
    else { return nil }
    return (String(skeleton[..<dash]), suffix)
  }
}

/// A binary min-heap: the smallest element first.
struct MinHeap<Element: Comparable & Sendable>: Sendable {
  private var items: [Element] = []

  init() {}
  init(_ elements: some Sequence<Element>) {
    for element in elements { push(element) }
  }

  var count: Int { items.count }
  var peek: Element? { items.first }

  mutating func push(_ element: Element) {
    items.append(element)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard items[child] < items[parent] else { break }
      items.swapAt(child, parent)
      child = parent
    }
  }

  mutating func pop() -> Element? {
    guard !items.isEmpty else { return nil }
    items.swapAt(0, items.count - 1)
    let smallest = items.removeLast()
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smaller = parent
      if left < items.count, items[left] < items[smaller] { smaller = left }
      if right < items.count, items[right] < items[smaller] { smaller = right }
      if smaller == parent { break }
      items.swapAt(parent, smaller)
      parent = smaller
    }
    return smallest
  }
}
