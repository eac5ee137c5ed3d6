import ChatEvents
import ChatProtocol
import ChatScreen
import Foundation
import Testing

@Suite("Screen model: leaving with messages outstanding, commands, small screens")
struct QuitAndCommandTests {
  func connected() -> ScreenModel {
    var model = ScreenModel(localName: "bob")
    model.apply(.connecting(to: "h:1"), time: "t")
    model.apply(
      .established(
        peer: PeerIdentity(name: "alice", maximumPayloadLength: 1 << 20), auth: .authenticated, address: "h:1"),
      time: "t")
    _ = model.layout(width: 80, height: 20)
    return model
  }

  func type(_ text: String, into model: inout ScreenModel) -> [ScreenCommand] {
    _ = model.handle(.text(text), time: "t")
    return model.handle(.enter, time: "t")
  }

  func inputRow(_ model: inout ScreenModel) -> String {
    model.layout(width: 80, height: 20).rows.last!.text
  }

  @Test func quittingWithUnconfirmedMessagesAsksFirst() {
    var model = connected()
    model.apply(
      .messageSent(message: TextMessage(sequence: 1, text: "one"), textBytes: 11, wireBytes: 16), time: "t")
    model.apply(.messagePending(text: "two", reason: "reconnecting"), time: "t")
    #expect(model.handle(.control("c"), time: "t").isEmpty)
    #expect(inputRow(&model).contains("2 messages not yet delivered: quit anyway? y/N"))
    #expect(model.handle(.text("n"), time: "t").isEmpty, "anything but y keeps chatting")
    #expect(!model.confirmingQuit)
    #expect(model.handle(.control("d"), time: "t").isEmpty)
    #expect(model.handle(.text("y"), time: "t") == [.quit])
    #expect(model.unconfirmed.messages.map(\.text) == ["one", "two"])
    #expect(model.unconfirmed.messages.map(\.sent) == [true, false])
  }

  /// A stranger's /quit at 12% of a 2 GiB transfer left at once: now it asks.
  @Test func quittingWhileAFileMovesAsksFirst() {
    var model = connected()
    let info = FileTransferInfo(
      id: TransferID(bytes: Array(repeating: 7, count: 16))!, name: "big.iso", size: 2 << 30, peer: "alice",
      direction: .incoming)
    model.apply(.file(info, .started(path: "/d/big.iso.part", resumedAt: 0)), time: "t")
    #expect(type("/quit", into: &model).isEmpty)
    #expect(inputRow(&model).contains("1 file still moving"), "\(inputRow(&model))")
    #expect(model.handle(.text("y"), time: "t") == [.quit])
    model.apply(.file(info, .finished(.verified(sha256: "00"), path: "/d/big.iso")), time: "t")
    #expect(type("/quit", into: &model) == [.quit], "nothing moving: no question")
  }

  @Test func slashQuitAsksAndSlashQuitBangForces() {
    var model = connected()
    model.apply(
      .messageSent(message: TextMessage(sequence: 1, text: "one"), textBytes: 11, wireBytes: 16), time: "t")
    #expect(type("/quit", into: &model).isEmpty)
    #expect(inputRow(&model).contains("1 message not yet delivered: quit anyway? y/N"))
    _ = model.handle(.escape, time: "t")
    #expect(type("/quit!", into: &model) == [.quit])
  }

  @Test func confirmedMessagesDontHoldQuittingUp() {
    var model = connected()
    model.apply(
      .messageSent(message: TextMessage(sequence: 1, text: "one"), textBytes: 11, wireBytes: 16), time: "t")
    model.apply(
      .messageSent(message: TextMessage(sequence: 2, text: "two"), textBytes: 11, wireBytes: 16), time: "t")
    model.apply(.delivered(sequences: [1]), time: "t")
    model.apply(.notDelivered(message: TextMessage(sequence: 2, text: "two"), reason: "refused"), time: "t")
    #expect(model.unconfirmed.isEmpty)
    #expect(model.handle(.control("c"), time: "t") == [.quit])
  }

  /// The report keeps the text as typed; the one printer of it (chat's stderr writer)
  /// escapes it, so the real terminal gets `\u{XX}` and nothing raw (see the tmux test).
  @Test func theReportAfterQuittingNamesTheTextAsTyped() {
    var model = connected()
    let hostile = "evil\u{1b}]0;pwned\u{7}\u{202e}txt\u{2028}\u{9b}2J\nline 2"
    model.apply(.messagePending(text: hostile, reason: "r"), time: "t")
    let report = model.unconfirmed.report
    #expect(report == ["1 message was not confirmed as delivered:", "  [queued, not sent] \(hostile)"])
    let printed = report.map { SafeText.escaped($0) }.joined()
    #expect(!printed.unicodeScalars.contains { SafeText.isUnsafe($0) })
    #expect(printed.contains("evil\\u{1b}]0;pwned\\u{7}\\u{202e}txt"))
  }

  @Test func commandsIgnoreCase() {
    var model = connected()
    #expect(type("/QUIT", into: &model) == [.quit])
    #expect(type("/Who", into: &model) == [.who])
  }

  @Test func aLoneSlashGetsAHint() {
    var model = connected()
    #expect(type("/", into: &model).isEmpty)
    let text = model.layout(width: 120, height: 20).text
    #expect(!text.contains("unknown command /"))
    #expect(text.contains("a lone / is not a command"))
  }

  @Test func aLineOfSpacesIsNotSent() {
    var model = connected()
    #expect(type("   ", into: &model).isEmpty)
    #expect(type(" \t ", into: &model).isEmpty)
  }

  @Test func reconnectAttemptsUpdateOneLine() {
    var model = connected()
    model.apply(.disconnected(address: "h:1", end: .connectionLost("connection reset by peer")), time: "t")
    for attempt in 1...5 {
      model.apply(.reconnecting(attempt: attempt, delay: UInt64(attempt) * 1_000_000_000, reason: "refused"), time: "t")
      model.apply(.connecting(to: "h:1"), time: "t")
    }
    let text = model.layout(width: 100, height: 30).text
    #expect(text.components(separatedBy: "attempt").count - 1 == 1, "one line for all attempts:\n\(text)")
    #expect(text.contains("connecting to h:1 (attempt 5)"))
  }

  @Test func neverReconnectingInZeroSeconds() {
    var model = connected()
    model.apply(.reconnecting(attempt: 1, delay: 200_000_000, reason: "connection refused"), time: "t")
    let layout = model.layout(width: 100, height: 20)
    #expect(!layout.text.contains("in 0 s"))
    #expect(layout.text.contains("connection refused: reconnecting now (attempt 1)"))
    #expect(layout.rows[layout.statusRow!].text.contains("reconnecting now (attempt 1)"))
  }

  @Test(arguments: [(20, 6), (12, 3), (29, 7), (5, 2)])
  func tooSmallFitsTheScreen(width: Int, height: Int) {
    var model = connected()
    let layout = model.layout(width: width, height: height)
    #expect(layout.rows.count == height)
    #expect(layout.rows.allSatisfy { $0.width <= width })
    let text = layout.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    #expect(text.contains("too small"), "\(text)")
    if width >= 20 { #expect(text.contains("need 30×8"), "\(text)") }
  }

  @Test func keysTypedWhileTooSmallAreNotSentBlind() {
    var model = connected()
    _ = model.layout(width: 20, height: 6)
    #expect(type("sent blind", into: &model).isEmpty)
    _ = model.layout(width: 80, height: 20)
    #expect(model.input.isEmpty)
    #expect(type("seen", into: &model) == [.send("seen")])
  }

  @Test func ctrlZSuspends() {
    var model = connected()
    #expect(model.handle(.control("z"), time: "t") == [.suspend])
  }
}
