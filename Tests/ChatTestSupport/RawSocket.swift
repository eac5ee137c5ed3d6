import NIOConcurrencyHelpers

#if canImport(Glibc)
  import Glibc
#endif

/// A connection accepted by a ``RawListener``: blocking, sends whatever bytes a test gives
/// it (a hostile relay), with no protocol code of ours in the way. Every read has a time
/// limit. (The client side is ``RawClient``.)
public final class RawSocket: Sendable {
  private let descriptor: NIOLockedValueBox<Int32?>

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  init(descriptor: Int32, timeout: Double) {
    var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    self.descriptor = NIOLockedValueBox(descriptor)
  }

  static func address(_ ip: String, port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(ip)
    address.sin_port = UInt16(port).bigEndian
    return address
  }

  /// Writes all of `bytes` (a peer that stops reading may make this fail: errors are
  /// ignored, the hostile peer doesn't care).
  public func send(_ bytes: [UInt8]) {
    guard let descriptor = descriptor.withLockedValue({ $0 }) else { return }
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if sent < 0, errno == EINTR { continue }
      guard sent > 0 else { return }
      offset += sent
    }
  }

  /// Reads until the peer closes or the time limit passes; returns what arrived (at most
  /// `limit` bytes kept).
  @discardableResult
  public func readUntilClosed(limit: Int = 1 << 20) -> [UInt8] {
    guard let descriptor = descriptor.withLockedValue({ $0 }) else { return [] }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { return received }
      if received.count < limit { received += buffer[0..<min(count, limit - received.count)] }
    }
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
