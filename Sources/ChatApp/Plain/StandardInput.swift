import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines from standard input, read on a thread of their own (a blocking read must not
/// hold up the event loops) and delivered as an async stream that ends at end of input.
public enum StandardInput {
  public static func lines() -> AsyncStream<InputLine> {
    let (stream, continuation) = AsyncStream.makeStream(of: InputLine.self)
    let thread = Thread {
      var splitter = LineSplitter()
      var buffer = [UInt8](repeating: 0, count: 64 << 10)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        for line in splitter.push(buffer[0..<count]) { continuation.yield(line) }
      }
      if let last = splitter.finish() { continuation.yield(last) }
      continuation.finish()
    }
    thread.name = "chat stdin"
    thread.start()
    return stream
  }
}
