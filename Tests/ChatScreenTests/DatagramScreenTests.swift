import ChatEvents
import ChatProtocol
import ChatScreen
import Testing

@Suite("Screen model: UDP chat")
struct DatagramScreenTests {
  func udpListener() -> ScreenModel {
    var model = ScreenModel(localName: "alice")
    model.apply(.listening(address: "udp [::]:9090"), time: "12:00:00")
    return model
  }

  @Test func aDatagramSentIsShownSentAndNeverAwaitsAReceipt() {
    var model = udpListener()
    model.apply(
      .datagramSent(message: TextMessage(sequence: 1, text: "你好"), textBytes: 6, wireBytes: 22), time: "12:00:01")
    #expect(model.unconfirmed.isEmpty, "UDP gives no receipt: nothing waits for one")
    #expect(model.layout(width: 100, height: 20).text.contains("alice: 你好"))
  }

  @Test func eachPeersCountsUpdateItsOwnLineWhileItIsLast() {
    var model = udpListener()
    var counts = DatagramCounts()
    counts.received = 3
    model.apply(.datagramStats(peer: "bob 127.0.0.1:5001", counts: counts), time: "12:00:01")
    let before = model.scrollback.count
    counts.lost = 1
    model.apply(.datagramStats(peer: "bob 127.0.0.1:5001", counts: counts), time: "12:00:02")
    #expect(model.scrollback.count == before)
    model.apply(.datagramStats(peer: "carol 127.0.0.1:5002", counts: counts), time: "12:00:03")
    #expect(model.scrollback.count == before + 1)
    let text = model.layout(width: 120, height: 20).text
    #expect(
      text.contains(
        "UDP from bob 127.0.0.1:5001: 3 received, 1 lost, 0 duplicated, 0 reordered, 0 stale, 0 rejected"))
    #expect(text.contains("UDP from carol 127.0.0.1:5002: 3 received, 1 lost"))
  }
}
