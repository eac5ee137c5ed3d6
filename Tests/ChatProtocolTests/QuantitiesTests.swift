import ChatProtocol
import Testing

@Suite("Quantities: durations, sizes and plain numbers, written one way everywhere")
struct QuantitiesTests {
  @Test func durationsInMessages() {
    #expect(Quantities.duration(nanoseconds: 30_000_000_000) == "30 s")
    #expect(Quantities.duration(nanoseconds: 1_500_000_000) == "1.5 s")
    #expect(Quantities.duration(nanoseconds: 800_000_000) == "800 ms")
  }

  @Test func measuredTimesKeepTheirPrecision() {
    #expect(Quantities.measured(nanoseconds: 85_000) == "85 µs")
    #expect(Quantities.measured(nanoseconds: 340_000) == "0.34 ms")
    #expect(Quantities.measured(nanoseconds: 1_050_000) == "1.05 ms")
    #expect(Quantities.measured(nanoseconds: 12_000_000) == "12 ms")
    #expect(Quantities.measured(nanoseconds: 1_240_000_000) == "1.2 s")
  }

  @Test func sizesInBinaryUnits() {
    #expect(Quantities.bytes(512) == "512 B")
    #expect(Quantities.bytes(1536) == "1.5 KiB")
    #expect(Quantities.bytes(3_355_443) == "3.2 MiB")
    #expect(Quantities.bytes(1 << 30) == "1.0 GiB")
    // A peer's announced file size can be anything: no overflow (it crashed chat).
    #expect(Quantities.bytes(Int.max) == "8.0 EiB")
    #expect(Quantities.bytes(1 << 62) == "4.0 EiB")
    #expect(Quantities.bytes(5 << 40) == "5.0 TiB")
    #expect(Quantities.seconds(nanoseconds: .max) == "18446744073.7")
  }

  @Test func plainOutputNumbers() {
    #expect(Quantities.seconds(nanoseconds: 4_240_000_000) == "4.2")
    #expect(Quantities.microseconds(nanoseconds: 123_449) == "123.4")
    #expect(Quantities.microseconds(nanoseconds: 123_450) == "123.5")
    #expect(Quantities.wholeSeconds(nanoseconds: 12_600_000_000) == "13 s")
  }
}

@Suite("Cutting text to a byte budget")
struct UTF8PrefixTests {
  @Test func cutsBetweenCharactersNeverInside() {
    #expect("你好世界".prefix(utf8Bytes: 7) == "你好")
    #expect("你好世界".prefix(utf8Bytes: 6) == "你好")
    #expect("👨‍👩‍👧 family".prefix(utf8Bytes: 10) == "")
    #expect("abc".prefix(utf8Bytes: 10) == "abc")
    #expect("abc".prefix(utf8Bytes: 0) == "")
  }
}
