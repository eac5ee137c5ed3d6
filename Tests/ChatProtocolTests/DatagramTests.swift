import ChatFuzzing
import ChatProtocol
import Testing

@Suite("UDP datagrams: the codec and the receive window")
struct DatagramTests {
  let key = DatagramKey(secret: SharedSecret(bytes: Array("sesame".utf8))!)
  let otherKey = DatagramKey(secret: SharedSecret(bytes: Array("other".utf8))!)

  @Test func aDatagramRoundTripsWithAndWithoutATag() throws {
    let datagram = ChatDatagram(kind: .text, sequence: 0x0102_0304_0506_0708, name: "小明", text: "你好, world")
    let plain = datagram.encode(key: nil)
    #expect(Array(plain.prefix(11)) == [0xC1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 6])
    #expect(plain.count == 11 + 6 + "你好, world".utf8.count)
    #expect(try ChatDatagram.decode(plain, key: nil).get() == datagram)
    let tagged = datagram.encode(key: key)
    #expect(tagged[1] == 0x81)
    #expect(tagged.count == plain.count + 32)
    #expect(try ChatDatagram.decode(tagged, key: key).get() == datagram)
  }

  @Test func aBadTagAWrongKeyOrAMissingTagIsRejected() {
    let datagram = ChatDatagram(kind: .text, sequence: 1, name: "bob", text: "hi").encode(key: key)
    #expect(ChatDatagram.decode(datagram, key: otherKey) == .failure(.badTag))
    for index in datagram.indices {
      var altered = datagram
      altered[index] ^= 0x01
      let result = ChatDatagram.decode(altered, key: key)
      #expect((try? result.get()) == nil, "byte \(index) altered must not pass")
    }
    #expect(ChatDatagram.decode(datagram, key: nil) == .failure(.unexpectedTag))
    let plain = ChatDatagram(kind: .text, sequence: 1, name: "bob", text: "hi").encode(key: nil)
    #expect(ChatDatagram.decode(plain, key: key) == .failure(.missingTag))
  }

  @Test func truncatedAndForeignBytesAreRejected() {
    let datagram = ChatDatagram(kind: .hello, sequence: 9, name: "bob").encode(key: nil)
    for length in 0..<datagram.count {
      #expect((try? ChatDatagram.decode(datagram.prefix(length), key: nil).get()) == nil, "\(length) bytes")
    }
    #expect(ChatDatagram.decode([0xC1, 0x01, 0x00], key: nil) == .failure(.truncated(3)))
    #expect(ChatDatagram.decode(Array("hello, world".utf8), key: nil) == .failure(.badMagic(0x68)))
    var badKind = datagram
    badKind[1] = 9
    #expect(ChatDatagram.decode(badKind, key: nil) == .failure(.unknownKind(9)))
    var badText = ChatDatagram(kind: .text, sequence: 1, name: "bob", text: "x").encode(key: nil)
    badText[badText.count - 1] = 0xFF
    #expect(ChatDatagram.decode(badText, key: nil) == .failure(.badText))
    let badName = ChatDatagram(kind: .text, sequence: 1, name: "a\u{1B}[2J", text: "x").encode(key: nil)
    #expect(ChatDatagram.decode(badName, key: nil) == .failure(.badName))
    #expect(
      ChatDatagram.decode([UInt8](repeating: 0xC1, count: ChatDatagram.maximumLength + 1), key: nil)
        == .failure(.tooLong(ChatDatagram.maximumLength + 1)))
  }

  @Test func randomBytesNeverCrashTheDecoder() {
    var generator = SystemRandomNumberGenerator()
    let seed = ChatDatagram(kind: .text, sequence: 3, name: "bob", text: "你好").encode(key: key)
    for round in 0..<20_000 {
      var bytes =
        round % 2 == 0 ? seed : (0..<Int.random(in: 0..<80, using: &generator)).map { _ in UInt8.random(in: 0...255) }
      if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count)] = UInt8.random(in: 0...255) }
      _ = ChatDatagram.decode(bytes, key: round % 3 == 0 ? nil : key)
    }
  }

  @Test func inOrderDatagramsAreAllReceivedWithNoLoss() {
    var window = DatagramWindow()
    for sequence in UInt64(1)...100 { #expect(window.receive(sequence) == .accepted(gap: 0)) }
    #expect(window.counts.received == 100 && window.counts.lost == 0 && window.counts.reordered == 0)
  }

  @Test func gapsAreLossesUntilTheLateDatagramArrives() {
    var window = DatagramWindow()
    #expect(window.receive(1) == .accepted(gap: 0))
    #expect(window.receive(4) == .accepted(gap: 2))
    #expect(window.counts.lost == 2)
    #expect(window.receive(3) == .reordered)
    #expect(window.counts.lost == 1 && window.counts.reordered == 1 && window.counts.received == 3)
    #expect(window.receive(3) == .duplicate)
    #expect(window.receive(4) == .duplicate)
    #expect(window.counts.duplicated == 2 && window.counts.received == 3)
  }

  @Test func aLateFirstDatagramCountsTheEarlierOnesLost() {
    var window = DatagramWindow()
    #expect(window.receive(5) == .accepted(gap: 4))
    #expect(window.counts.lost == 4)
  }

  @Test func replaysAreDuplicatesOrStaleNeverAcceptedTwice() {
    var window = DatagramWindow()
    for sequence in UInt64(1)...200 { _ = window.receive(sequence) }
    // The highest and the 64 below it are remembered; anything older can't be told apart.
    for sequence in UInt64(136)...200 { #expect(window.receive(sequence) == .duplicate) }
    for sequence in UInt64(1)...135 { #expect(window.receive(sequence) == .stale) }
    #expect(window.counts.received == 200 && window.counts.duplicated == 65 && window.counts.stale == 135)
  }

  @Test func aBigJumpForgetsTheOldWindow() {
    var window = DatagramWindow()
    _ = window.receive(1)
    #expect(window.receive(1000) == .accepted(gap: 998))
    #expect(window.receive(999) == .reordered)
    #expect(window.receive(936) == .reordered)
    #expect(window.receive(935) == .stale)
    #expect(window.counts.lost == 996)
  }

  @Test func anyArrivalOrderKeepsTheCountsConsistent() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      let sent = UInt64(Int.random(in: 1...150, using: &generator))
      var arrivals = (UInt64(1)...sent).filter { _ in Int.random(in: 0..<10, using: &generator) != 0 }
      arrivals += arrivals.filter { _ in Int.random(in: 0..<10, using: &generator) == 0 }
      // Reorder only nearby: swap neighbours, so nothing falls out of the window.
      for index in stride(from: 0, to: arrivals.count - 1, by: 3) where Bool.random(using: &generator) {
        arrivals.swapAt(index, index + 1)
      }
      var window = DatagramWindow()
      for sequence in arrivals { _ = window.receive(sequence) }
      let distinct = Set(arrivals)
      let highest = distinct.max() ?? 0
      #expect(window.counts.received == distinct.count)
      #expect(window.counts.lost == Int(highest) - distinct.count)
      // A copy that arrives far behind is stale rather than a duplicate: dropped either way.
      #expect(window.counts.duplicated + window.counts.stale == arrivals.count - distinct.count)
    }
  }
}

@Suite("UDP datagrams: fuzzed")
struct DatagramFuzzTests {
  @Test func mutatedDatagramsKeepEveryProperty() {
    var fuzzer = MutationFuzzer(seed: 15, corpus: DatagramFuzzHarness.seedCorpus)
    for _ in 0..<20_000 {
      let input = fuzzer.next()
      let violations = DatagramFuzzHarness.run(input)
      #expect(violations.isEmpty, "\(input): \(violations)")
      if !violations.isEmpty { return }
    }
  }
}
