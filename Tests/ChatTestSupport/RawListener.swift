import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
  import Glibc
#endif

/// A blocking listener on `127.0.0.1`, an ephemeral port: stands in for a hostile relay that
/// a real `chat --connect` connects to.
public final class RawListener: Sendable {
  public let port: Int
  private let descriptor: NIOLockedValueBox<Int32?>

  public init() throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = RawSocket.address("127.0.0.1", port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let listening = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
        bind(descriptor, generic, length) == 0 && listen(descriptor, 16) == 0
          && getsockname(descriptor, generic, &length) == 0
      }
    }
    guard listening else {
      Glibc.close(descriptor)
      throw RawSocket.Failure(description: "listen: errno \(errno)")
    }
    self.descriptor = NIOLockedValueBox(descriptor)
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  /// The next connection, waiting at most `timeout` seconds.
  public func accept(timeout: Double = 10) throws -> RawSocket {
    guard let descriptor = descriptor.withLockedValue({ $0 }) else {
      throw RawSocket.Failure(description: "the listener is closed")
    }
    var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else {
      throw RawSocket.Failure(description: "no connection within \(timeout) s")
    }
    let connection = Glibc.accept(descriptor, nil, nil)
    guard connection >= 0 else { throw RawSocket.Failure(description: "accept: errno \(errno)") }
    return RawSocket(descriptor: connection, timeout: timeout)
  }

  public func close() {
    descriptor.withLockedValue { descriptor in
      if let open = descriptor { Glibc.close(open) }
      descriptor = nil
    }
  }

  deinit {
    close()
  }
}

/// Runs blocking work (an `accept`, a read until the peer closes) on a thread of its own,
/// not on the concurrency pool: a test that blocked the pool's few threads would stall every
/// other test running beside it.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    let thread = Thread {
      do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
    }
    thread.start()
  }
}
