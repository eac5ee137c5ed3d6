import CMallocCounter
import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatScreen
import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

extension Benchmarks {
  func codec() -> [Row] {
    let text = String(repeating: "c", count: 64)
    let frame = Frame.text(TextMessage(sequence: 1, text: text))
    let count = quick ? 200_000 : 2_000_000
    var buffer = ByteBuffer()
    let encodeStart = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count {
      buffer.clear()
      frame.encode(into: &buffer)
    }
    let encodeNanoseconds = Double(DispatchTime.now().uptimeNanoseconds - encodeStart) / Double(count)
    // Decode as a connection does: 64 KiB reads of back-to-back frames, one after another.
    // (Slicing more than 16 MiB into one ByteBuffer copies, which a socket never does.)
    var read = ByteBuffer()
    while read.readableBytes + frame.wireLength <= 64 << 10 { frame.encode(into: &read) }
    let framesPerRead = read.readableBytes / frame.wireLength
    var decoder = FrameDecoder()
    var decoded = 0
    let allocationsBefore = chat_allocation_count()
    let decodeStart = DispatchTime.now().uptimeNanoseconds
    while decoded < count {
      var chunk = read
      while let next = try? decoder.decode(&chunk) {
        if case .text = next { decoded += 1 }
      }
    }
    let decodeNanoseconds = Double(DispatchTime.now().uptimeNanoseconds - decodeStart) / Double(decoded)
    let allocations = Double(chat_allocation_count() - allocationsBefore) / Double(decoded)
    return [
      Row(
        name: "encode a 64 B text frame", unit: "ns", chat: encodeNanoseconds, reference: "", referenceValue: nil,
        target: "", met: nil),
      Row(
        name: "decode a 64 B text frame", unit: "ns", chat: decodeNanoseconds, reference: "", referenceValue: nil,
        target: "", met: nil, note: "\(framesPerRead) frames per 64 KiB read"),
      Row(
        name: "heap allocations per decoded 64 B frame", unit: "allocations", chat: allocations, reference: "",
        referenceValue: nil, target: "≤ 1 (the text itself)", met: allocations <= 1.01),
    ]
  }

  func screen() -> [Row] {
    var model = ScreenModel(localName: "me")
    let lines = quick ? 2_000 : 10_000
    for index in 0..<lines {
      let text =
        index % 2 == 0
        ? "message \(index): 这是一条很长的中文消息，用来测试换行和宽字符的显示是否正确 mixed with English words"
        : "message \(index): the quick brown fox jumps over the lazy dog, 你好世界, and keeps going for a while"
      model.apply(
        .messageReceived(
          from: "peer", message: TextMessage(sequence: UInt64(index + 1), text: text), textBytes: 100, wireBytes: 105
        ),
        time: "12:00:00")
    }
    _ = model.layout(width: 120, height: 40)
    _ = model.handle(.pageUp, time: "t")
    _ = model.handle(.pageUp, time: "t")
    let resizes = 50
    let resizeStart = DispatchTime.now().uptimeNanoseconds
    for index in 0..<resizes { _ = model.layout(width: index % 2 == 0 ? 80 : 120, height: index % 2 == 0 ? 24 : 40) }
    let resize = Double(DispatchTime.now().uptimeNanoseconds - resizeStart) / Double(resizes) / 1e6
    let keys = 2_000
    let keyStart = DispatchTime.now().uptimeNanoseconds
    for index in 0..<keys {
      _ = model.handle(index % 50 == 49 ? .control("u") : .text("字"), time: "t")
      _ = model.layout(width: 120, height: 40)
    }
    let keystroke = Double(DispatchTime.now().uptimeNanoseconds - keyStart) / Double(keys) / 1e6
    return [
      Row(
        name: "screen: re-layout \(lines)-line scrollback after a resize", unit: "ms", chat: resize, reference: "",
        referenceValue: nil, target: "< 10 ms", met: resize < 10),
      Row(
        name: "screen: one keystroke and its redraw", unit: "ms", chat: keystroke, reference: "", referenceValue: nil,
        target: "< 1 ms", met: keystroke < 1),
    ]
  }
}
