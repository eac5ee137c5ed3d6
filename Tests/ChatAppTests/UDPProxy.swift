import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A UDP proxy on 127.0.0.1 between one client and a server that does to the client's
/// datagrams what `plan` says, by their chat sequence number (bytes 2 to 9): pass, drop,
/// hold until the next one has passed (a swap), or send twice. The server's datagrams go
/// back to the client untouched. Plain sockets on its own thread, so the test knows
/// exactly what the network did.
final class UDPProxy: @unchecked Sendable {
  enum Fate: Sendable {
    case drop
    case swapWithNext
    case duplicate
  }

  let port: Int
  private let socket: Int32
  private let server: sockaddr_in
  private let plan: [UInt64: Fate]
  private let stopped = NSLock()
  private var isStopped = false

  init(serverPort: Int, plan: [UInt64: Fate]) throws {
    self.plan = plan
    let descriptor = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    var local = Self.loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &local) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    _ = withUnsafeMutablePointer(to: &local) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    socket = descriptor
    port = Int(UInt16(bigEndian: local.sin_port))
    server = Self.loopback(port: serverPort)
    let thread = Thread { [self] in run() }
    thread.start()
  }

  static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
  }

  func stop() {
    stopped.withLock { isStopped = true }
  }

  private func run() {
    var client: sockaddr_in?
    var held: [UInt8]?
    var buffer = [UInt8](repeating: 0, count: 65536)
    while !stopped.withLock({ isStopped }) {
      var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 100) > 0 else { continue }
      var from = sockaddr_in()
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let count = withUnsafeMutablePointer(to: &from) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket, &buffer, buffer.count, 0, $0, &length) }
      }
      guard count > 0 else { continue }
      let bytes = Array(buffer[0..<count])
      if from.sin_port == server.sin_port {
        if let client { send(bytes, to: client) }
        continue
      }
      client = from
      let sequence = bytes.count >= 10 ? bytes[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : 0
      switch plan[sequence] {
      case .drop:
        break
      case .swapWithNext:
        held = bytes
      case .duplicate:
        send(bytes, to: server)
        send(bytes, to: server)
      case nil:
        send(bytes, to: server)
        if let waiting = held {
          send(waiting, to: server)
          held = nil
        }
      }
    }
    close(socket)
  }

  private func send(_ bytes: [UInt8], to address: sockaddr_in) {
    var target = address
    _ = withUnsafePointer(to: &target) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
  }

  /// Sends `bytes` to 127.0.0.1:`port` from a fresh socket: a stranger's datagram.
  static func sendOnce(_ bytes: [UInt8], toPort port: Int) {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    var target = loopback(port: port)
    _ = withUnsafePointer(to: &target) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    close(socket)
  }
}
