import ChatProtocol
import ChatRoom
import Testing

@Suite("Host receipts: a message missed on resume is not delivered by later receipts")
struct HostReceiptsTests {
  let ann = SessionID(bytes: [UInt8](repeating: 1, count: SessionID.length))
  let ben = SessionID(bytes: [UInt8](repeating: 2, count: SessionID.length))

  @Test func aMemberThatCameBackAfterTheMessageWasForgottenNeverHadIt() {
    var receipts = HostReceipts()
    let message = TextMessage(sequence: 5, text: "hello")
    #expect(receipts.sent(message, to: [ann], others: 1) == nil)
    // ann resumes after the room's messages up to 10 were no longer kept.
    let missed = receipts.missed(by: ann, through: 10)
    #expect(
      missed == [.notDelivered(message, reason: "it was no longer kept when the members it was for came back")])
    #expect(receipts.acknowledged(by: ann, through: 20).isEmpty, "a later receipt covers nothing it never got")
    #expect(receipts.count == 0)
  }

  @Test func anotherMembersReceiptStillCounts() {
    var receipts = HostReceipts()
    let message = TextMessage(sequence: 5, text: "hello")
    _ = receipts.sent(message, to: [ann, ben], others: 2)
    #expect(receipts.missed(by: ann, through: 10).isEmpty, "ben may still confirm it")
    #expect(receipts.acknowledged(by: ben, through: 5) == [.delivered([5])])
  }

  @Test func onlyTheMessagesMissedAreAffected() {
    var receipts = HostReceipts()
    _ = receipts.sent(TextMessage(sequence: 5, text: "old"), to: [ann], others: 1)
    _ = receipts.sent(TextMessage(sequence: 15, text: "new"), to: [ann], others: 1)
    _ = receipts.missed(by: ann, through: 10)
    #expect(receipts.acknowledged(by: ann, through: 15) == [.delivered([15])])
  }
}
