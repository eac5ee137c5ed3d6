import NIOCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How the room names a Unix socket client for its per-address limits and its log: by the
/// user id the kernel vouches for (SO_PEERCRED), `unix uid 1000`. A Unix socket peer has
/// no address of its own, so without this every local client would share one budget; by
/// user, one local user can't use up the room's limits for the others, and the auth
/// throttle slows a guessing user without slowing the rest.
enum UnixPeer {
  /// The peer's label, `unix uid N`, or `unix` where the user id can't be read (a system
  /// without SO_PEERCRED): then every Unix client counts as one local address.
  static func label(of channel: any Channel) -> EventLoopFuture<String> {
    #if os(Linux)
      guard let provider = channel as? any SocketOptionProvider else {
        return channel.eventLoop.makeSucceededFuture("unix")
      }
      let credentials: EventLoopFuture<Credentials> = provider.unsafeGetSocketOption(
        level: SocketOptionLevel(SOL_SOCKET), name: peerCredentials)
      return credentials.map { "unix uid \($0.uid)" }.recover { _ in "unix" }
    #else
      return channel.eventLoop.makeSucceededFuture("unix")
    #endif
  }

  #if os(Linux)
    /// Linux's `struct ucred` (pid, uid, gid: three 32-bit fields), which Swift's Glibc
    /// module doesn't export (it is a GNU extension); the same layout.
    struct Credentials: Sendable {
      var pid: Int32 = 0
      var uid: UInt32 = 0
      var gid: UInt32 = 0
    }

    /// SO_PEERCRED (asm-generic/socket.h), not exported either.
    static let peerCredentials = SocketOptionName(17)
  #endif
}
