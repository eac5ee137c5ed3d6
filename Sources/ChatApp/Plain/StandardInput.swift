import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines from standard input, read on a thread of their own (a blocking read must not
/// hold up the event loops) in blocks of 64 KiB, and delivered a block's lines at a time
/// as an async sequence that ends at end of input.
///
/// The read-ahead is bounded: the thread reads a block only while fewer than
/// ``blocksAhead`` blocks' lines wait to be taken, so a huge pipe is read as fast as its
/// lines are used, never into memory all at once.
public struct StandardInput: AsyncSequence, Sendable {
  public typealias Element = [InputLine]
  public typealias Failure = Never

  /// Blocks read but not yet taken, at most.
  static let blocksAhead = 4
  static let blockSize = 64 << 10

  private let stream: AsyncStream<[InputLine]>
  private let taken: DispatchSemaphore

  /// Starts reading standard input.
  public static func lines() -> StandardInput {
    let (stream, continuation) = AsyncStream.makeStream(of: [InputLine].self)
    let taken = DispatchSemaphore(value: blocksAhead)
    let thread = Thread {
      var splitter = LineSplitter()
      var buffer = [UInt8](repeating: 0, count: blockSize)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        let lines = splitter.push(buffer[0..<count])
        guard !lines.isEmpty else { continue }
        taken.wait()
        continuation.yield(lines)
      }
      if let last = splitter.finish() {
        taken.wait()
        continuation.yield([last])
      }
      continuation.finish()
    }
    thread.name = "chat stdin"
    thread.start()
    return StandardInput(stream: stream, taken: taken)
  }

  /// No input at all (sending files from a terminal, which is not a script's input).
  public static func none() -> StandardInput {
    let (stream, continuation) = AsyncStream.makeStream(of: [InputLine].self)
    continuation.finish()
    return StandardInput(stream: stream, taken: DispatchSemaphore(value: blocksAhead))
  }

  public func makeAsyncIterator() -> Iterator {
    Iterator(base: stream.makeAsyncIterator(), taken: taken)
  }

  public struct Iterator: AsyncIteratorProtocol {
    var base: AsyncStream<[InputLine]>.Iterator
    let taken: DispatchSemaphore

    public mutating func next() async -> [InputLine]? {
      guard let lines = await base.next() else { return nil }
      taken.signal()
      return lines
    }
  }
}
