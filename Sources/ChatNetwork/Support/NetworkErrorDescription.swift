import NIOCore
import NIOPosix

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns the errors people meet with sockets into one clear line each, never a dump.
enum NetworkErrorDescription {
  /// One line for `error`; `target` names the address involved, when there is one.
  static func describe(_ error: any Error, target: String? = nil) -> String {
    let at = target.map { " (\($0))" } ?? ""
    if let connection = error as? NIOConnectionError {
      if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
        return "host not found: \(connection.host)"
      }
      if let first = connection.connectionErrors.first {
        return describe(first.error, target: target ?? "\(connection.host):\(connection.port)")
      }
      return "could not connect to \(connection.host):\(connection.port)"
    }
    if let socketError = error as? SocketAddressError {
      switch socketError {
      case .unknown(let host, _): return "host not found: \(host)"
      default: return "invalid address\(at): \(socketError)"
      }
    }
    if let channelError = error as? ChannelError {
      switch channelError {
      case .connectTimeout(let amount): return "connection timed out after \(formatDuration(amount))\(at)"
      case .ioOnClosedChannel, .alreadyClosed, .eof: return "the connection is closed"
      default: return "\(channelError)\(at)"
      }
    }
    if let io = error as? IOError {
      return describe(errno: io.errnoCode, target: target)
    }
    return "\(error)\(at)"
  }

  static func describe(errno code: CInt, target: String?) -> String {
    let at = target.map { " \($0)" } ?? ""
    if let target, target.hasPrefix(ChatAddress.unixPrefix) {
      switch code {
      case ENOENT: return "no socket at \(target): is the listener running, and is the path right?"
      case EACCES, EPERM:
        return "permission denied: \(target) (the socket's mode, or a folder on its path, keeps you out)"
      case ENOTDIR: return "not a folder on the way to \(target)"
      default: break
      }
    }
    switch code {
    case ECONNREFUSED: return "connection refused: nothing is listening on\(at.isEmpty ? " that port" : at)"
    case ECONNRESET: return "connection reset by peer"
    case EPIPE: return "connection broken: the peer is gone"
    case EADDRINUSE: return "address already in use:\(at) (another program is listening there)"
    case EADDRNOTAVAIL: return "address not available on this machine:\(at)"
    case EACCES: return "permission denied:\(at) (ports below 1024 need privileges)"
    case EHOSTUNREACH: return "no route to host\(at)"
    case ENETUNREACH: return "network unreachable\(at)"
    case ETIMEDOUT: return "connection timed out\(at)"
    default:
      return "\(String(cString: strerror(code)).lowercased())\(at)"
    }
  }
}
