import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

/// The guarantees of the encrypted channel (PROTOCOL.md §3), checked with real sockets:
/// a frame-aware proxy between a connector and a listener alters, replays, reorders, drops
/// or cuts SEALED records, and reads everything that crosses.
@Suite("The encrypted channel under attack, over loopback")
struct EncryptedChannelTests {
  static let faults: [TamperingProxy.Fault] = [
    .shortenLength, .lengthenLength, .hugeLength, .flipType(0x01), .flipType(0x08), .flipType(0x80),
    .flipCiphertext, .flipTag, .replay, .swap, .drop, .truncate,
  ]

  /// One fault on a record in one direction, after three messages: the side that receives
  /// it ends the session as tampered with (the other side is told so with ERROR `tampered`), except a
  /// cut, which is a lost connection; and what the receiver was given is exactly a prefix
  /// of what was sent: nothing altered, nothing out of order.
  @Test(arguments: faults, [TamperingProxy.Direction.toListener, .toConnector])
  func aTamperedRecordEndsTheSessionAndNothingAlteredArrives(
    fault: TamperingProxy.Fault, direction: TamperingProxy.Direction
  ) async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice", secret: secret("tamper")))
    let proxy = try await TamperingProxy(targetPort: listener.port, plan: .init(fault, direction))
    // The connector would reconnect after a drop (and does after a cut, to resume), but
    // not after tampering.
    let (connector, bobLog) = connect(
      through: proxy, SessionOptions(name: "bob", secret: secret("tamper")),
      reconnect: fault == .truncate ? .never : ReconnectPolicy(initialDelay: 1_000_000, maximumDelay: 10_000_000))
    try await bobLog.first("bob established") { $0.isEstablished }
    try await hostLog.first("bob joined") { $0.isRoom(.joined, "bob") }

    let toListener = direction == .toListener
    let (receiverLog, senderName) = toListener ? (hostLog, "bob") : (bobLog, "alice")
    func send(_ text: String) { toListener ? connector.send(text) : listener.send(text) }
    var sent: [String] = []
    // Three messages get through untouched...
    for index in 1...3 {
      let text = "message \(index) 消息"
      send(text)
      sent.append(text)
      try await receiverLog.first("message \(index)") { $0.receivedText == text }
    }
    // ...then the proxy alters the next record: one message at a time, each awaited at the
    // proxy, until the fault is applied.
    proxy.arm()
    for index in 4...30 {
      let seen = await proxy.events.entries.count(where: { $0.hasPrefix("SEALED \(direction) ") })
      let text = "message \(index) 消息"
      send(text)
      sent.append(text)
      let events = try await proxy.events.wait("message \(index) at the proxy") { lines, _ in
        lines.contains { $0.hasPrefix("fault: ") }
          || lines.count(where: { $0.hasPrefix("SEALED \(direction) ") }) > seen
      }
      if events.contains(where: { $0.hasPrefix("fault: ") }) { break }
    }
    #expect(proxy.faultsApplied.count == 1, "the fault was applied once: \(proxy.faultsApplied)")
    // More records after the fault: a dropped, held back or lengthened record shows with the next.
    for index in 1...10 {
      let text = "after the fault \(index), with some padding to fill the records: 0123456789abcdef"
      send(text)
      sent.append(text)
    }

    let hostEnd = try await hostLog.first("bob's session over at the listener") { $0.endOfBob != nil }.endOfBob!
    let bobEnd = try #require(try await bobLog.first("bob's session over") { $0.end != nil }.end)
    let received = await receiverLog.entries.filter { $0.receivedFrom == senderName }.compactMap(\.receivedText)
    #expect(received == Array(sent.prefix(received.count)), "received exactly a prefix of what was sent")
    #expect(received.count >= 3, "what was sent before the fault arrived")
    #expect(received.count < sent.count, "nothing after the fault arrived")

    if fault == .truncate {
      // A cut connection: lost, on both sides, and never a clean goodbye.
      guard case .connectionLost(let reason) = bobEnd else {
        Issue.record("bob's end is not a lost connection: \(bobEnd)")
        await listener.close(Goodbye(code: .shuttingDown, reason: ""))
        return
      }
      if toListener {
        #expect(hostEnd.contains("closed in the middle of a frame"), "\(hostEnd)")
      } else {
        #expect(reason.contains("closed in the middle of a frame"), "\(reason)")
      }
      #expect(!hostEnd.contains("tampered"), "\(hostEnd)")
    } else if toListener {
      // The listener found it and said so; bob read its sealed ERROR 20.
      #expect(hostEnd.contains("the connection was tampered with"), "\(hostEnd)")
      #expect(bobEnd.failure?.code == .tampered, "\(bobEnd)")
      #expect(bobEnd.failure?.reason.contains("the peer ended it (tampered)") == true, "\(bobEnd)")
    } else {
      #expect(bobEnd.failure?.code == .tampered, "\(bobEnd)")
      #expect(bobEnd.failure?.reason.contains("the connection was tampered with") == true, "\(bobEnd)")
      #expect(hostEnd.contains("the peer ended it (tampered)"), "\(hostEnd)")
    }
    // The connector does not try again after tampering: its events end.
    try await bobLog.waitForFinish()
    #expect(!(await bobLog.entries).contains { $0.reconnecting != nil })
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// An eavesdropper's recording of a whole session, both directions, holds neither the
  /// messages nor the shared secret.
  @Test func aRecordingOfASessionHoldsNoMessageTextAndNoSecret() async throws {
    let secretText = "a shared secret, 共享秘密, 0xC0FFEE"
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice", secret: secret(secretText)))
    let proxy = try await TamperingProxy(targetPort: listener.port)
    let (connector, bobLog) = connect(through: proxy, SessionOptions(name: "bob", secret: secret(secretText)))
    let marker = "MARKER-秘密-12345"
    let long = String(repeating: "LONG-MARKER-長い秘密-\(marker)-", count: 400)
    connector.send(marker)  // typed during the handshake
    try await bobLog.first("bob established") { $0.isEstablished }
    try await hostLog.first("bob joined") { $0.isRoom(.joined, "bob") }
    connector.send(long)
    listener.send(marker)
    listener.send(long)
    let hostGot = try await hostLog.wait("bob's two messages") { events, _ in
      events.filter { $0.receivedFrom == "bob" }.count >= 2
    }
    #expect(hostGot.filter { $0.receivedFrom == "bob" }.compactMap(\.receivedText) == [marker, long])
    let bobGot = try await bobLog.wait("alice's two messages") { events, _ in
      events.filter { $0.receivedFrom == "alice" }.count >= 2
    }
    #expect(bobGot.filter { $0.receivedFrom == "alice" }.compactMap(\.receivedText) == [marker, long])
    try await bobLog.wait("bob's messages confirmed") { events, _ in events.deliveredSequences == [1, 2] }
    await connector.close(Goodbye(code: .userQuit, reason: "bye"))
    try await hostLog.first("bob left") { $0.isRoom(.left, "bob") }
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()

    for direction in [TamperingProxy.Direction.toListener, .toConnector] {
      let recording = proxy.captured(direction)
      #expect(recording.count > long.utf8.count, "the recording \(direction) holds the whole session")
      #expect(proxy.frameTypes(direction).contains(FrameType.sealed.rawValue))
      #expect(!proxy.frameTypes(direction).contains(FrameType.text.rawValue), "no TEXT frame in the clear")
      // (Booleans first: a failed expectation would print the whole recording.)
      let markerCrossed = recording.containsBytes(Array(marker.utf8))
      #expect(!markerCrossed, "the marker crossed in the clear \(direction)")
      let partCrossed = recording.containsBytes(Array("秘密".utf8))
      #expect(!partCrossed, "part of the marker crossed in the clear \(direction)")
      // Not even a 24-byte piece of the long message.
      let longBytes = Array(long.utf8)
      for start in stride(from: 0, to: longBytes.count - 24, by: 24) {
        let piece = Array(longBytes[start..<start + 24])
        if recording.containsBytes(piece) {
          Issue.record("bytes \(start)..<\(start + 24) of the long message crossed in the clear \(direction)")
          break
        }
      }
      let secretCrossed = recording.containsBytes(Array(secretText.utf8))
      #expect(!secretCrossed, "the secret crossed \(direction)")
      let partOfSecretCrossed = recording.containsBytes(Array("共享秘密".utf8))
      #expect(!partOfSecretCrossed, "part of the secret crossed \(direction)")
    }
    // The search itself finds what is there.
    #expect((Array("xx".utf8) + Array(marker.utf8) + [0]).containsBytes(Array(marker.utf8)))
  }
}

func connect(through proxy: TamperingProxy, _ options: SessionOptions, reconnect: ReconnectPolicy = .never) -> (
  ChatConnector, AwaitableLog<SessionEvent>
) {
  let connector = ChatConnector.connect(
    to: HostAndPort(host: "127.0.0.1", port: proxy.port), options: options, reconnect: reconnect,
    group: MultiThreadedEventLoopGroup.singleton)
  return (connector, collect(connector))
}

extension SessionEvent {
  /// How bob's session ended, as the host sees it: the reason he left, or why his
  /// connection dropped.
  var endOfBob: String? {
    guard let event = roomEvent, event.name == "bob", event.kind == .left || event.kind == .notice else { return nil }
    return event.detail
  }
}

extension Array where Element == UInt8 {
  /// Whether `needle` occurs in these bytes.
  func containsBytes(_ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
    let first = needle[0]
    var index = 0
    while index <= count - needle.count {
      if self[index] == first, self[index..<index + needle.count].elementsEqual(needle) { return true }
      index += 1
    }
    return false
  }
}
