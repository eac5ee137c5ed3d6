import ChatEvents
import ChatNetwork
import ChatProtocol
import NIOCore
import Testing

@Suite("UDP chat's peer table, without sockets")
struct DatagramPeersTests {
  let alice = try! SocketAddress(ipAddress: "127.0.0.1", port: 9090)
  let bob = try! SocketAddress(ipAddress: "127.0.0.1", port: 5001)
  let carol = try! SocketAddress(ipAddress: "127.0.0.1", port: 5002)

  func datagram(_ kind: ChatDatagram.Kind, _ sequence: UInt64, _ name: String, _ text: String = "") -> [UInt8] {
    ChatDatagram(kind: kind, sequence: sequence, name: name, text: text).encode(key: nil)
  }

  func sends(_ actions: [DatagramPeers.Action]) -> [(ChatDatagram, SocketAddress)] {
    actions.compactMap { action in
      guard case .send(let bytes, let address) = action else { return nil }
      return (try! ChatDatagram.decode(bytes, key: nil).get(), address)
    }
  }

  @Test func theListenerAnswersHelloAndRelaysToTheOthersRenumbered() {
    var room = DatagramPeers(role: .listener, localName: "alice", key: nil)
    let answer = sends(room.receive(datagram(.hello, 1, "bob"), from: bob))
    #expect(answer.map(\.0) == [ChatDatagram(kind: .hello, sequence: 1, name: "alice")])
    _ = room.receive(datagram(.hello, 1, "carol"), from: carol)
    let relay = room.receive(datagram(.text, 2, "bob", "你好"), from: bob)
    #expect(
      relay.contains(
        .event(
          .messageReceived(from: "bob", message: TextMessage(sequence: 2, text: "你好"), textBytes: 6, wireBytes: 20))
      ))
    let relayed = sends(relay)
    #expect(relayed.count == 1 && relayed[0].1 == carol)
    #expect(relayed[0].0 == ChatDatagram(kind: .text, sequence: 2, name: "bob", text: "你好"))
    let own = sends(room.send("大家好"))
    #expect(Set(own.map(\.1)) == [bob, carol])
    #expect(own.first { $0.1 == bob }?.0.sequence == 2)
    #expect(own.first { $0.1 == carol }?.0.sequence == 3)
  }

  @Test func aPeerUsingOurNameIsShownWithItsAddress() {
    var room = DatagramPeers(role: .listener, localName: "alice", key: nil)
    let actions = room.receive(datagram(.text, 1, "alice", "it's me"), from: bob)
    #expect(
      actions.contains(
        .event(
          .messageReceived(
            from: "alice 127.0.0.1:5001", message: TextMessage(sequence: 1, text: "it's me"), textBytes: 7,
            wireBytes: 23))))
  }

  @Test func tooLargeOrNobodyToSendToIsNotSent() {
    var room = DatagramPeers(role: .listener, localName: "alice", key: nil)
    #expect(room.send("hi") == [.event(.messageNotSent(text: "hi", reason: "no UDP peer has said hello yet"))])
    _ = room.receive(datagram(.hello, 1, "bob"), from: bob)
    let big = String(repeating: "x", count: 1201)
    guard case .event(.messageNotSent(_, let reason)) = room.send(big).first else {
      Issue.record("a 1201-byte text must be refused")
      return
    }
    #expect(reason.contains("larger than one safe datagram"))
    #expect(sends(room.send(String(repeating: "x", count: 1200))).count == 1)
  }

  @Test func countsAreReportedOnChangeOnlyAndGarbageIsSummarised() {
    var room = DatagramPeers(role: .listener, localName: "alice", key: nil)
    _ = room.receive(datagram(.hello, 1, "bob"), from: bob)
    _ = room.receive(datagram(.text, 3, "bob", "x"), from: bob)
    _ = room.receive(datagram(.text, 3, "bob", "x"), from: bob)
    var expected = DatagramCounts()
    (expected.received, expected.lost, expected.duplicated) = (2, 1, 1)
    #expect(room.tick() == [.event(.datagramStats(peer: "bob 127.0.0.1:5001", counts: expected))])
    #expect(room.tick().isEmpty)
    let warning = room.receive([0x1B, 0x5B, 0x32, 0x4A], from: carol)
    #expect(
      warning == [
        .event(
          .warning(
            "udp: rejected a datagram from 127.0.0.1:5002 (4 bytes, starting 1b 5b 32 4a): not a chat datagram (first byte 0x1b, expected 0xc1)"
          ))
      ])
    var strangers = DatagramCounts()
    strangers.rejected = 1
    #expect(room.tick() == [.event(.datagramStats(peer: "strangers", counts: strangers))])
  }

  @Test func theTableIsBoundedAndForgetsTheOldest() {
    var room = DatagramPeers(role: .listener, localName: "alice", key: nil, capacity: 2)
    _ = room.receive(datagram(.hello, 1, "bob"), from: bob)
    _ = room.receive(datagram(.hello, 1, "carol"), from: carol)
    _ = room.receive(datagram(.text, 2, "bob", "still here"), from: bob)
    let dave = try! SocketAddress(ipAddress: "127.0.0.1", port: 5003)
    let actions = room.receive(datagram(.hello, 1, "dave"), from: dave)
    #expect(
      actions.contains(.event(.log("udp: forgot carol 127.0.0.1:5002, heard from longest ago (at most 2 peers)"))))
    #expect(Set(sends(room.send("hi")).map(\.1)) == [bob, dave])
  }

  @Test func aConnectorTakesOnlyTheListenersDatagrams() {
    var client = DatagramPeers(role: .connector(alice), localName: "bob", key: nil)
    #expect(sends(client.start()).map(\.0) == [ChatDatagram(kind: .hello, sequence: 1, name: "bob")])
    let stranger = client.receive(datagram(.text, 1, "mallory", "hi"), from: carol)
    #expect(stranger.count == 1)
    guard case .event(.warning(let text)) = stranger.first else {
      Issue.record("a stranger's datagram is a warning")
      return
    }
    #expect(text.hasSuffix("not from the listener"))
    let answer = client.receive(datagram(.hello, 1, "alice"), from: alice)
    #expect(
      answer == [
        .event(.connected(to: "udp 127.0.0.1:9090")), .event(.log("udp: the listener at 127.0.0.1:9090 is alice")),
      ])
    #expect(client.receive(datagram(.hello, 1, "alice"), from: alice).isEmpty, "a duplicate hello is dropped")
    let message = client.receive(datagram(.text, 2, "alice", "你好"), from: alice)
    #expect(
      message == [
        .event(
          .messageReceived(from: "alice", message: TextMessage(sequence: 2, text: "你好"), textBytes: 6, wireBytes: 22))
      ])
  }
}
