import NIOConcurrencyHelpers

#if canImport(Glibc)
  import Glibc
#endif

/// A loopback port that is certainly closed: bound by this socket but never listening, so
/// a connection to it is refused and no other socket can take it meanwhile. (Closing a
/// listener to free its port is racy: the port can be reused, even by the very connect
/// that tests it, as TCP simultaneous open.)
public final class ClosedPort: Sendable {
  public let port: Int
  private let descriptor: NIOLockedValueBox<Int32?>

  public init() throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
        bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
      }
    }
    guard bound else {
      close(descriptor)
      throw Failure(errno: errno)
    }
    self.descriptor = NIOLockedValueBox(descriptor)
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  public struct Failure: Error {
    public var errno: Int32
  }

  /// Frees the port now, for a test that starts a listener on it (a connector waiting to
  /// reconnect, say).
  public func release() {
    descriptor.withLockedValue { descriptor in
      if let open = descriptor { close(open) }
      descriptor = nil
    }
  }

  deinit {
    release()
  }
}
