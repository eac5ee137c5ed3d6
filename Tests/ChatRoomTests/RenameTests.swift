import ChatProtocol
import ChatRoom
import Testing

@Suite("Renaming a participant (a line client's /nick)")
struct RenameTests {
  private func room(_ names: [String]) -> RoomState {
    var state = RoomState(limits: RoomLimits(), host: nil)
    for (index, name) in names.enumerated() {
      _ = state.join(ParticipantID(index + 1), requestedName: name, address: "a", authenticated: false, since: "t")
    }
    return state
  }

  private func notice(_ actions: [RoomAction]) -> String? {
    for case .announce(_, let event) in actions { return event.detail }
    for case .announceAll(let event, _) in actions { return event.detail }
    return nil
  }

  @Test func aFreeNameIsTakenAndEveryoneIsTold() {
    var state = room(["nc-1", "alice"])
    let actions = state.rename(ParticipantID(1), to: "小明")
    #expect(state.participants[ParticipantID(1)]?.name == "小明")
    #expect(notice(actions) == "nc-1 is now 小明")
    #expect(actions.contains { if case .announceAll = $0 { true } else { false } })
    // The old name is free again; the new one is held.
    _ = state.join(ParticipantID(3), requestedName: "nc-1", address: "a", authenticated: false, since: "t")
    #expect(state.participants[ParticipantID(3)]?.name == "nc-1")
    _ = state.join(ParticipantID(4), requestedName: "小明", address: "a", authenticated: false, since: "t")
    #expect(state.participants[ParticipantID(4)]?.name == "小明-2")
  }

  @Test(arguments: [
    ("alice", "can't take the name alice: it is taken"),
    ("ALICE", "can't take the name ALICE: it is taken"),
    ("aIice", "can't take the name aIice: it looks like alice"),
    ("", "can't take that name: a name can't be empty"),
    ("nc-1", "you are already nc-1"),
  ])
  func refusedNamesAreSaidOnlyToTheAsker(_ requested: String, _ why: String) {
    var state = room(["nc-1", "alice"])
    let actions = state.rename(ParticipantID(1), to: requested)
    #expect(state.participants[ParticipantID(1)]?.name == "nc-1")
    #expect(actions.count == 1)
    guard case .announce(let to, let event) = actions.first else {
      Issue.record("expected a notice to the asker")
      return
    }
    #expect(to == ParticipantID(1))
    #expect(event.detail == why)
  }

  @Test func aNameWithControlCharactersIsRefused() {
    var state = room(["nc-1"])
    let actions = state.rename(ParticipantID(1), to: "a\u{1b}b")
    #expect(state.participants[ParticipantID(1)]?.name == "nc-1")
    #expect(notice(actions)?.hasPrefix("can't take that name:") == true)
  }

  @Test func changingOnlyTheCaseOfOnesOwnNameIsAllowed() {
    var state = room(["bob"])
    _ = state.rename(ParticipantID(1), to: "Bob")
    #expect(state.participants[ParticipantID(1)]?.name == "Bob")
  }
}
