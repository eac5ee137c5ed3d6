import ChatEvents
import ChatProtocol
import ChatScreen
import Testing

@Suite("Screen model: events, keys, layout")
struct ScreenModelTests {
  func connected() -> ScreenModel {
    var model = ScreenModel(localName: "alice")
    model.apply(.listening(address: "[::]:9090"), time: "12:00:00")
    model.apply(.connected(to: "127.0.0.1:5000"), time: "12:00:01")
    model.apply(
      .established(
        peer: PeerIdentity(name: "bob", maximumPayloadLength: 1 << 20), auth: .authenticated, address: "127.0.0.1:5000"),
      time: "12:00:01")
    return model
  }

  func type(_ text: String, into model: inout ScreenModel) -> [ScreenCommand] {
    _ = model.handle(.text(text), time: "t")
    return model.handle(.enter, time: "t")
  }

  @Test func statusBarShowsStateAuthPeerAndCounters() {
    var model = connected()
    model.apply(
      .messageReceived(from: "bob", message: TextMessage(sequence: 1, text: "你好"), textBytes: 14, wireBytes: 19),
      time: "12:00:02")
    model.apply(.roundTrip(nanoseconds: 340_000), time: "12:00:02")
    let layout = model.layout(width: 100, height: 20)
    let status = layout.rows[layout.statusRow!].text
    #expect(status.contains("connected to 127.0.0.1:5000"))
    #expect(status.contains("bob"))
    #expect(status.contains("authenticated"))
    #expect(status.contains("↓1 19 B"))
    #expect(status.contains("rtt 0.34 ms"))
    #expect(layout.text.contains("12:00:02 bob: 你好  (14 B, 19 on wire)"))
  }

  /// A join says whether the newcomer authenticated: the host also sees where from.
  @Test func aJoinShowsTheAuthResult() {
    var model = connected()
    model.apply(.room(RoomEvent(kind: .joined, participantCount: 3, name: "carol", detail: "authenticated")), time: "t")
    model.apply(
      .room(RoomEvent(kind: .joined, participantCount: 4, name: "dave", detail: "10.0.0.4:5000, unauthenticated")),
      time: "t")
    let text = model.layout(width: 100, height: 20).text
    #expect(text.contains("carol joined (authenticated)"))
    #expect(text.contains("dave joined (10.0.0.4:5000, unauthenticated)"))
  }

  /// The front end, not the protocol, tells its user how to give it a secret.
  @Test func withoutASecretTheScreenSaysHowToSetOne() {
    var model = ScreenModel(localName: "alice", secretConfigured: false)
    model.apply(.listening(address: "[::]:9090"), time: "t")
    model.apply(
      .disconnected(address: "x", end: .authFailed("bob requires a shared secret, but none is set here")), time: "t")
    let text = model.layout(width: 120, height: 20).text
    #expect(
      text.components(separatedBy: "start chat with --secret-file PATH").count == 3, "once at start, once on failure")
    var withSecret = ScreenModel(localName: "alice", secretConfigured: true)
    withSecret.apply(.listening(address: "[::]:9090"), time: "t")
    #expect(!withSecret.layout(width: 120, height: 20).text.contains("--secret-file"))
  }

  /// The host's figures are true: no "authenticated" before anyone joined, /stats speaks
  /// of hosting, and a disconnect forgets the room's count.
  @Test func theHostsStatusAndStatsAreTrue() {
    var model = ScreenModel(localName: "alice", secretConfigured: false)
    model.apply(.listening(address: "[::]:9090"), time: "12:00:00")
    var status = model.layout(width: 120, height: 20).rows.last { $0.text.contains("listening on") }?.text ?? ""
    #expect(status.contains("OPEN: no secret"))
    #expect(!status.contains("authenticated"))
    _ = model.handle(.text("/stats"), time: "t")
    _ = model.handle(.enter, time: "t")
    let text = model.layout(width: 120, height: 30).text
    #expect(text.contains("hosting since 12:00:00"))
    #expect(text.contains("round trip: measured to each member: see /who"))
    #expect(!text.contains("not connected yet"))
    var member = ScreenModel(localName: "bob")
    member.apply(.room(RoomEvent(kind: .welcome, participantCount: 3, name: "bob", detail: "")), time: "t")
    member.apply(.disconnected(address: "x", end: .peerClosed(Goodbye(code: .userQuit, reason: "closed"))), time: "t")
    status = member.layout(width: 120, height: 20).text
    #expect(!status.contains("room: 3"), "out of the room, its count is stale")
  }

  @Test func authFailureIsShoutedInTheStatusBar() {
    var model = ScreenModel(localName: "bob")
    model.apply(.connecting(to: "h:1"), time: "t")
    model.apply(.disconnected(address: "h:1", end: .authFailed("the shared secrets differ")), time: "t")
    let layout = model.layout(width: 100, height: 10)
    #expect(layout.rows[layout.statusRow!].text.contains("AUTH FAILED: the shared secrets differ"))
  }

  @Test func enterSendsTheLineAndEmptyLinesSendNothing() {
    var model = connected()
    #expect(type("hi 你好", into: &model) == [.send("hi 你好")])
    #expect(model.handle(.enter, time: "t").isEmpty)
    #expect(model.input.isEmpty)
  }

  @Test func slashCommands() {
    var model = connected()
    #expect(type("/quit", into: &model) == [.quit])
    #expect(type("//not a command", into: &model) == [.send("/not a command")])
    #expect(type("/frobnicate", into: &model).isEmpty)
    #expect(model.layout(width: 100, height: 20).text.contains("unknown command /frobnicate"))
    #expect(type("/help", into: &model).isEmpty)
    #expect(model.layout(width: 100, height: 20).text.contains("commands: /help"))
    #expect(type("/stats", into: &model).isEmpty)
    #expect(model.layout(width: 100, height: 20).text.contains("sent 0 messages"))
    #expect(type("/nick carol", into: &model).isEmpty)
    #expect(type("/clear", into: &model).isEmpty)
    #expect(!model.layout(width: 100, height: 20).text.contains("commands:"))
  }

  @Test func controlDQuitsOnlyOnAnEmptyLine() {
    var model = connected()
    _ = model.handle(.text("ab"), time: "t")
    _ = model.handle(.home, time: "t")
    #expect(model.handle(.control("d"), time: "t").isEmpty)
    #expect(model.input.text == "b")
    _ = model.handle(.control("u"), time: "t")
    _ = model.handle(.control("k"), time: "t")
    #expect(model.handle(.control("d"), time: "t") == [.quit])
    #expect(model.handle(.control("c"), time: "t") == [.quit])
  }

  @Test func aBracketedPasteOfSeveralLinesIsOneMessage() {
    var model = connected()
    #expect(model.handle(.paste("line one\n第二行"), time: "t").isEmpty)
    #expect(model.input.text == "line one\n第二行")
    #expect(model.layout(width: 100, height: 20).text.contains("pasted 2 lines: Enter sends them as one message"))
    #expect(model.handle(.enter, time: "t") == [.send("line one\n第二行")])
  }

  @Test func incomingMessagesNeverTouchTheInputLine() {
    var model = connected()
    _ = model.handle(.text("half-typed 中"), time: "t")
    for index in 1...30 {
      model.apply(
        .messageReceived(
          from: "bob", message: TextMessage(sequence: UInt64(index), text: "spam \(index)"), textBytes: 1,
          wireBytes: 1),
        time: "t")
    }
    let layout = model.layout(width: 60, height: 10)
    #expect(layout.rows.last?.text == "> half-typed 中")
    #expect(layout.cursorColumn == 2 + DisplayWidth.of("half-typed 中"))
  }

  @Test func scrolledUpShowsHowManyNewMessagesAreBelow() {
    var model = connected()
    for index in 1...40 {
      model.apply(
        .messageReceived(
          from: "bob", message: TextMessage(sequence: UInt64(index), text: "m\(index)"), textBytes: 1, wireBytes: 1),
        time: "t")
    }
    _ = model.layout(width: 60, height: 10)
    _ = model.handle(.pageUp, time: "t")
    model.apply(
      .messageReceived(from: "bob", message: TextMessage(sequence: 41, text: "m41"), textBytes: 1, wireBytes: 1),
      time: "t")
    let layout = model.layout(width: 60, height: 10)
    #expect(layout.rows[7].text.contains("1 new message below"))
    _ = model.handle(.scrollBottom, time: "t")
    #expect(model.layout(width: 60, height: 10).text.contains("m41"))
  }

  @Test func everyRowFitsFromLargeToSmall() {
    var model = connected()
    model.apply(
      .messageReceived(
        from: "bob", message: TextMessage(sequence: 1, text: String(repeating: "很长的中文消息 ", count: 40)), textBytes: 1,
        wireBytes: 1),
      time: "t")
    for (width, height) in [(200, 60), (100, 30), (30, 8), (31, 9)] {
      let layout = model.layout(width: width, height: height)
      #expect(layout.rows.count == height)
      #expect(layout.rows.allSatisfy { $0.width <= width }, "\(width)x\(height)")
      #expect(layout.text.contains("很长"))
    }
    let tiny = model.layout(width: 29, height: 8)
    #expect(tiny.rows.first?.text.hasPrefix("terminal too small") == true)
    #expect(tiny.rows.count == 8)
  }
}
