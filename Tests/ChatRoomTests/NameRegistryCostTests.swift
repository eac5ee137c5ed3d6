import ChatProtocol
import ChatRoom
import Testing

/// A claim costs the same however many names are present or reserved: the registry neither
/// walks every reservation nor tries `x-2`, `x-3`, … from 2 on each claim. Counted, not
/// timed: ``NameRegistry/work`` counts the suffix candidates a claim computes a NameKey for
/// and the reservations it looks at to expire them.
@Suite("Name registry: a claim's cost doesn't grow with the room")
struct NameRegistryCostTests {
  /// 2,001 joins as `x`, none leaving (each dropped without goodbye keeps its name).
  @Test func theLastOfManyClashingClaimsTriesFewCandidates() {
    var registry = NameRegistry()
    for _ in 1..<2_001 { _ = registry.claim("x") }
    let before = registry.work
    let (name, note) = registry.claim("x")
    #expect(name == "x-2001")
    #expect(note == "x was taken")
    #expect(registry.work.candidates - before.candidates <= 2, "\(registry.work.candidates - before.candidates)")
    // And in all: a bounded number per claim.
    #expect(registry.work.candidates <= 2 * 2_001, "\(registry.work.candidates)")
  }

  /// The same with look-alikes of `x` and names already suffixed by hand mixed in.
  @Test func lookAlikesShareTheNextFreeSuffix() {
    var registry = NameRegistry()
    _ = registry.claim("x")
    _ = registry.claim("x-3")
    #expect(registry.claim("X").name == "X-2")
    #expect(registry.claim("\u{FF58}").name == "\u{FF58}-4")  // full-width ｘ
    for _ in 0..<1_000 { _ = registry.claim("x") }
    let before = registry.work.candidates
    #expect(registry.claim("X").name == "X-1005")
    #expect(registry.work.candidates - before <= 2)
  }

  /// A freed suffix is the one the next claim gets, as before.
  @Test func aFreedSuffixIsTakenAgainFirst() {
    var registry = NameRegistry()
    for _ in 0..<2_000 { _ = registry.claim("x") }
    registry.release("x-17")
    registry.release("x-900")
    let before = registry.work.candidates
    #expect(registry.claim("x").name == "x-17")
    #expect(registry.claim("x").name == "x-900")
    #expect(registry.claim("x").name == "x-2001")
    #expect(registry.work.candidates - before <= 6)
  }

  /// 2,000 reservations don't make each claim look at 2,000 reservations.
  @Test func reservationsAreNotAllExaminedOnEveryClaim() {
    var registry = NameRegistry()
    for index in 0..<2_000 { registry.reserve("r\(index)", until: 1_000 + UInt64(index)) }
    for index in 0..<2_000 { _ = registry.claim("c\(index)", now: UInt64(index)) }
    #expect(registry.work.expiryChecks <= 3 * 2_000, "\(registry.work.expiryChecks)")
    // Those due by then have expired, the others still hold their names.
    #expect(registry.holder(clashingWith: "r999") == nil)
    #expect(registry.holder(clashingWith: "r1000") == "r1000")
    #expect(registry.claim("R1500", now: 2_000).name == "R1500-2")
    #expect(registry.claim("r0", now: 2_000).name == "r0")
  }

  /// Identical behaviour: random claims, releases, reservations and expiries give the names
  /// the plain algorithm (every suffix from 2, every reservation filtered) gives.
  @Test(arguments: 0..<8)
  func behavesAsThePlainAlgorithm(seed: Int) {
    var random = SplitMix(seed: UInt64(seed))
    let bases = [
      "x", "X", "\u{FF58}", "x-2", "x-3", "X-2", "x-l2", "x-12", "bob", "b\u{43E}b", "BOB", "bob-2",
      "b\u{43E}b-3", "rn", "m", "m-2", "rn-2", "bob\u{332}", "\u{1E05}ob", "straße", "STRASSE-2",
    ]
    var registry = NameRegistry()
    var plain = PlainRegistry()
    var held: [String] = []
    var reserved: [String] = []
    var now: UInt64 = 0
    for step in 0..<3_000 {
      now += random.next(below: 3)
      switch random.next(below: 10) {
      case 0...4:
        let requested = bases[Int(random.next(below: UInt64(bases.count)))]
        let mine = registry.claim(requested, now: now)
        let theirs = plain.claim(requested, now: now)
        #expect(mine.name == theirs.name && mine.note == theirs.note, "step \(step): \(requested)")
        if mine.name != theirs.name { return }
        held.append(mine.name)
      case 5...6 where !held.isEmpty:
        let name = held.remove(at: Int(random.next(below: UInt64(held.count))))
        registry.release(name)
        plain.release(name)
      case 7 where !held.isEmpty:
        // What RoomState does when an away member's grace ends: release, then reserve.
        let name = held.remove(at: Int(random.next(below: UInt64(held.count))))
        let until = now + random.next(below: 40)
        registry.release(name)
        plain.release(name)
        registry.reserve(name, until: until)
        plain.reserve(name, until: until)
        reserved.append(name)
      case 8 where !reserved.isEmpty:
        let name = reserved.remove(at: Int(random.next(below: UInt64(reserved.count))))
        registry.unreserve(name)
        plain.unreserve(name)
      default:
        let probe = bases[Int(random.next(below: UInt64(bases.count)))]
        #expect(registry.holder(clashingWith: probe) == plain.holder(clashingWith: probe), "step \(step)")
      }
    }
  }
}

/// The registry as it was (PR "look-alike names"): the reference for identical behaviour.
struct PlainRegistry {
  var holders: [String: String] = [:]
  var reservations: [String: (name: String, until: UInt64)] = [:]

  mutating func claim(_ requested: String, now: UInt64) -> (name: String, note: String?) {
    reservations = reservations.filter { $0.value.until > now }
    let key = NameKey(requested)
    guard let holder = holderOf(key) else {
      register(requested, key)
      return (requested, nil)
    }
    let note =
      NameKey(holder).folded == key.folded ? "\(requested) was taken" : "\(requested) looks like \(holder)"
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

  mutating func release(_ name: String) {
    for skeleton in NameKey(name).skeletons where holders[skeleton] == name { holders[skeleton] = nil }
  }

  mutating func reserve(_ name: String, until: UInt64) {
    for skeleton in NameKey(name).skeletons { reservations[skeleton] = (name, until) }
  }

  mutating func unreserve(_ name: String) {
    for skeleton in NameKey(name).skeletons where reservations[skeleton]?.name == name {
      reservations[skeleton] = nil
    }
  }

  func holder(clashingWith name: String) -> String? { holderOf(NameKey(name)) }

  private func holderOf(_ key: NameKey) -> String? {
    key.skeletons.lazy.compactMap { holders[$0] ?? self.reservations[$0]?.name }.first
  }

  private mutating func register(_ name: String, _ key: NameKey) {
    for skeleton in key.skeletons { holders[skeleton] = name }
  }
}

/// A small deterministic generator (SplitMix64), so a failure can be replayed by its seed.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
  mutating func next(below bound: UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return (z ^ (z >> 31)) % bound
  }
}
