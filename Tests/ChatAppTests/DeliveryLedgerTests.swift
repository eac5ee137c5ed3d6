import ChatApp
import ChatEvents
import ChatNetwork
import ChatProtocol
import Testing

@Suite("The ledger of lines given and their fate")
struct DeliveryLedgerTests {
  func sent(_ sequence: UInt64, _ text: String) -> SessionEvent {
    .messageSent(message: TextMessage(sequence: sequence, text: text), textBytes: 0, wireBytes: 0)
  }

  @Test func aLineIsOutstandingUntilItsReceipt() {
    var ledger = DeliveryLedger()
    ledger.give("a")
    ledger.give("a")
    #expect(!ledger.isSettled)
    ledger.observe(.messagePending(text: "a", reason: "waiting"))
    ledger.observe(sent(1, "a"))
    ledger.observe(sent(2, "a"))
    ledger.observe(.delivered(sequences: [1]))
    #expect(ledger.outstandingCount == 1)
    ledger.observe(.delivered(sequences: [2]))
    #expect(ledger.isSettled)
    #expect(ledger.deliveredCount == 2)
    #expect(ledger.undelivered.isEmpty)
  }

  @Test func refusalsSettleAsUndeliveredWithTheirReason() {
    var ledger = DeliveryLedger()
    ledger.give("x")
    ledger.give("y")
    ledger.observe(.messageNotSent(text: "x", reason: "too many waiting"))
    ledger.observe(sent(1, "y"))
    ledger.observe(.notDelivered(message: TextMessage(sequence: 1, text: "y"), reason: "no one else is in the room"))
    #expect(ledger.isSettled)
    #expect(
      ledger.undelivered == [
        .init(text: "x", reason: "too many waiting"), .init(text: "y", reason: "no one else is in the room"),
      ])
  }

  @Test func eventsForLinesNotGivenChangeNothing() {
    var ledger = DeliveryLedger()
    ledger.give("mine")
    ledger.observe(.messageNotSent(text: "/who", reason: "not connected"))
    ledger.observe(.delivered(sequences: [7]))
    #expect(ledger.outstandingCount == 1)
    #expect(ledger.undelivered.isEmpty)
  }

  @Test func givingUpSettlesEveryOutstandingLine() {
    var ledger = DeliveryLedger()
    ledger.give("sent")
    ledger.give("queued")
    ledger.observe(sent(1, "sent"))
    ledger.abandon(reason: "no receipt")
    #expect(ledger.isSettled)
    #expect(ledger.undelivered.map(\.text) == ["sent", "queued"])
    // A late receipt for a line given up on does not count it twice.
    ledger.observe(.delivered(sequences: [1]))
    #expect(ledger.deliveredCount == 0)
  }
}
