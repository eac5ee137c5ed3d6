import ChatProtocol
import ChatRoom
import Testing

@Suite("Look-alike names: a newcomer can't pass for a member already present")
struct LookAlikeNameTests {
  func room(host: String = "host") -> RoomState {
    RoomState(limits: RoomLimits(), host: (name: host, since: "12:00:00"))
  }

  /// The name the room gave and the welcome's detail.
  func welcome(_ state: inout RoomState, _ id: Int, _ requested: String) -> (name: String, detail: String) {
    for action in state.join(ParticipantID(id), requestedName: requested, address: "a", authenticated: true, since: "t")
    {
      if case .announce(_, let event) = action, event.kind == .welcome { return (event.name, event.detail) }
    }
    Issue.record("no welcome for \(requested)")
    return ("", "")
  }

  /// The issue's examples that a hello can carry (the others are refused by the hello's
  /// rules: see HelloNameTests), and more.
  @Test(arguments: [
    "ｂｏｂ",  // full-width
    "b\u{43E}b",  // Cyrillic о
    "B\u{41E}B",  // Cyrillic О, upper case
    "\u{1D41B}ob",  // mathematical bold b
  ])
  func aLookAlikeOfAPresentNameIsRenamed(_ lookAlike: String) {
    var state = room()
    #expect(welcome(&state, 1, "bob").name == "bob")
    let (name, detail) = welcome(&state, 2, lookAlike)
    #expect(name == "\(lookAlike)-2", "\(lookAlike)")
    #expect(detail.contains("(\(lookAlike) was taken)") || detail.contains("looks like bob"), "\(detail)")
  }

  @Test func theIssuesLookAlikesAllClashWithBob() {
    for name in ["ｂｏｂ", "b\u{43E}b", "BOB", "Bob", "\u{1D41B}\u{1D428}\u{1D41B}"] {
      #expect(NameKey(name).looksLike(NameKey("bob")), "\(name)")
    }
    #expect(NameKey("rnallory").looksLike(NameKey("mallory")))
    #expect(NameKey("aIice").looksLike(NameKey("alice")))
    #expect(NameKey("STRASSE").looksLike(NameKey("straße")))
    #expect(!NameKey("bobby").looksLike(NameKey("bob")))
    #expect(!NameKey("小明").looksLike(NameKey("小红")))
  }

  /// A diacritic added to a name (underline, dot below, an enclosing circle) doesn't make it
  /// another name: names are also compared with the combining diacritical marks removed.
  @Test(arguments: [
    "bob\u{332}",  // combining low line
    "b\u{323}ob",  // combining dot below
    "\u{1E05}ob",  // ḅ, precomposed: its NFD is b + U+0323
    "bob\u{20DD}",  // combining enclosing circle (Me)
    "BO\u{308}B",  // diaeresis, upper case
  ])
  func aNameWithADiacriticAddedClashes(_ marked: String) {
    #expect(NameKey(marked).looksLike(NameKey("bob")), "\(marked.unicodeScalars.map { String($0.value, radix: 16) })")
    var state = room()
    _ = welcome(&state, 1, "bob")
    let (name, detail) = welcome(&state, 2, marked)
    #expect(name == "\(marked)-2")
    #expect(detail.contains("looks like bob") || detail.contains("was taken"), "\(detail)")
  }

  /// Only the generic diacritics are removed: a script's own marks make another name
  /// (Japanese voicing marks, Devanagari and Thai vowel signs).
  @Test func aScriptsOwnMarksStillMakeAnotherName() {
    #expect(!NameKey("がんばる").looksLike(NameKey("かんばる")))  // が = か + U+3099
    #expect(!NameKey("अंकित").looksLike(NameKey("अकित")))  // U+0902 anusvara
    #expect(!NameKey("มิตร").looksLike(NameKey("มตร")))  // U+0E34 sara i (Mn)
  }

  @Test func theWelcomeSaysWhyTheNameChanged() {
    var state = room()
    _ = welcome(&state, 1, "bob")
    let cyrillic = welcome(&state, 2, "b\u{43E}b")
    #expect(cyrillic.name == "b\u{43E}b-2")
    #expect(cyrillic.detail.contains("looks like bob"))
    let upper = welcome(&state, 3, "BOB")
    #expect(upper.name == "BOB-2" || upper.name == "BOB-3")
    #expect(upper.detail.contains("BOB was taken"))
  }

  @Test func theSuffixedNameDoesNotClashEither() {
    var state = room()
    _ = welcome(&state, 1, "bob")
    _ = welcome(&state, 2, "bob-2")
    // bоb-2 (Cyrillic) would pass for the bob-2 present: it gets -3.
    #expect(welcome(&state, 3, "b\u{43E}b").name == "b\u{43E}b-3")
  }

  @Test func theHostsNameIsProtected() {
    var state = room(host: "alice")
    #expect(welcome(&state, 1, "\u{430}lice").name == "\u{430}lice-2")  // Cyrillic а
    // ＡＬＩＣＥ-2 would pass for the аlice-2 just named: -3.
    #expect(welcome(&state, 2, "ＡＬＩＣＥ").name == "ＡＬＩＣＥ-3")
  }

  @Test func aNameIsFreeAgainWhenItsHolderLeaves() {
    var state = room()
    _ = welcome(&state, 1, "bob")
    _ = state.leave(ParticipantID(1), reason: "bye")
    #expect(welcome(&state, 2, "b\u{43E}b").name == "b\u{43E}b")
  }

  /// A name kept for a session that may still resume is protected from look-alikes too.
  @Test func aReservedNameIsProtectedFromLookAlikes() {
    var state = room()
    _ = welcome(&state, 1, "bob")
    _ = state.depart(ParticipantID(1), reason: "connection reset by peer")
    _ = state.awayExpired(ParticipantID(1), now: 0)
    #expect(state.participants[ParticipantID(1)] == nil)
    let lookAlike = state.join(
      ParticipantID(2), requestedName: "b\u{43E}b", address: "a", authenticated: true, since: "t", now: 1)
    #expect(lookAlike.contains { if case .announce(_, let event) = $0 { event.name == "b\u{43E}b-2" } else { false } })
    // Once the reservation is over, the name (and its look-alikes) is free.
    let later = UInt64(RoomLimits().nameReservation * 1e9) + 1
    let free = state.join(
      ParticipantID(3), requestedName: "BOB", address: "a", authenticated: true, since: "t", now: later)
    #expect(free.contains { if case .announce(_, let event) = $0 { event.name == "BOB" } else { false } })
  }
}
