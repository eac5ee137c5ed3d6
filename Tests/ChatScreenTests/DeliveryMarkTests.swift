import ChatEvents
import ChatProtocol
import ChatScreen
import Testing

@Suite("Screen model: delivery marks, silence and reconnection")
struct DeliveryMarkTests {
  func connectedBob() -> ScreenModel {
    var model = ScreenModel(localName: "bob")
    model.apply(.connecting(to: "127.0.0.1:9090"), time: "12:00:00")
    model.apply(
      .established(
        peer: PeerIdentity(name: "alice", maximumPayloadLength: 1 << 20), auth: .authenticated,
        address: "127.0.0.1:9090"),
      time: "12:00:01")
    model.apply(.room(RoomEvent(kind: .welcome, participantCount: 2, name: "bob", detail: "you are bob")), time: "t")
    return model
  }

  func screen(_ model: inout ScreenModel) -> (text: String, status: String) {
    let layout = model.layout(width: 120, height: 20)
    return (layout.text, layout.rows[layout.statusRow!].text)
  }

  @Test func aMessageGoesFromSentToDeliveredAndTheEchoIsNotShownTwice() {
    var model = connectedBob()
    model.apply(.messageSent(message: TextMessage(sequence: 1, text: "你好"), textBytes: 14, wireBytes: 19), time: "t")
    #expect(screen(&model).text.contains("bob: 你好  (14 B, 19 on wire)  [sent]"))
    #expect(screen(&model).status.contains("1 unconfirmed"))
    // The relay's echo of our own message, in the room's order.
    model.apply(
      .messageReceived(from: "bob", message: TextMessage(sequence: 7, text: "你好"), textBytes: 18, wireBytes: 23),
      time: "t")
    model.apply(.delivered(sequences: [1]), time: "t")
    let (text, status) = screen(&model)
    #expect(text.contains("bob: 你好  (14 B, 19 on wire)  ✓"))
    #expect(text.components(separatedBy: "你好").count == 2, "shown once: \(text)")
    #expect(!status.contains("unconfirmed"))
  }

  @Test func aMessageTypedWhileDisconnectedIsQueuedThenSentThenDelivered() {
    var model = connectedBob()
    model.apply(.reconnecting(attempt: 2, delay: 4_000_000_000, reason: "connection refused"), time: "t")
    #expect(screen(&model).status.contains("reconnecting in 4 s (attempt 2)"))
    model.apply(.messagePending(text: "still there?", reason: "not connected"), time: "t")
    #expect(screen(&model).text.contains("bob: still there?  [queued]"))
    model.apply(
      .messageSent(message: TextMessage(sequence: 3, text: "still there?"), textBytes: 20, wireBytes: 25), time: "t")
    #expect(screen(&model).text.contains("bob: still there?  (20 B, 25 on wire)  [sent]"))
    model.apply(.delivered(sequences: [3]), time: "t")
    #expect(screen(&model).text.contains("bob: still there?  (20 B, 25 on wire)  ✓"))
    #expect(screen(&model).text.components(separatedBy: "still there?").count == 2)
  }

  @Test func notDeliveredSaysWhyOnTheMessage() {
    var model = connectedBob()
    model.apply(
      .messageSent(message: TextMessage(sequence: 1, text: "spam"), textBytes: 12, wireBytes: 17), time: "t")
    model.apply(.notDelivered(message: TextMessage(sequence: 1, text: "spam"), reason: "refused: too fast"), time: "t")
    #expect(screen(&model).text.contains("bob: spam  (12 B, 17 on wire)  ✗ not delivered: refused: too fast"))
    model.apply(.messagePending(text: "later", reason: "not connected"), time: "t")
    model.apply(.messageNotSent(text: "later", reason: "you left"), time: "t")
    #expect(screen(&model).text.contains("bob: later  ✗ not delivered: not sent: you left"))
  }

  @Test func aNewSessionDoesNotConfuseOldAndNewNumbers() {
    var model = connectedBob()
    model.apply(
      .messageSent(message: TextMessage(sequence: 1, text: "old"), textBytes: 11, wireBytes: 16), time: "t")
    model.apply(.session(id: "abcd", start: .replaced(unconfirmed: 1)), time: "t")
    model.apply(
      .messageSent(message: TextMessage(sequence: 1, text: "new"), textBytes: 11, wireBytes: 16), time: "t")
    model.apply(.delivered(sequences: [1]), time: "t")
    let text = screen(&model).text
    #expect(text.contains("bob: old  (11 B, 16 on wire)  [sent]"))
    #expect(text.contains("bob: new  (11 B, 16 on wire)  ✓"))
    #expect(text.contains("did it restart?"))
  }

  @Test func aLatePeerShowsWhenItWasLastHeard() {
    var model = connectedBob()
    model.apply(.peerSilent(nanoseconds: 12_400_000_000), time: "t")
    #expect(screen(&model).status.contains("last heard 12 s ago"))
    model.apply(.peerResponsive, time: "t")
    #expect(!screen(&model).status.contains("last heard"))
  }
}
