/// What a listener does about the file already at its Unix socket path before it binds:
/// the rule, with no file system calls (``UnixSocketFile`` gathers the facts and acts).
///
/// A listener that dies without cleaning up (SIGKILL, a crash, a power cut) leaves its
/// socket file behind, and bind() then fails with "address in use" although nothing
/// listens. Connecting to the file tells the two apart: a stale socket refuses
/// (ECONNREFUSED), a live one accepts. Only a socket is ever removed: a regular file,
/// folder or link at the path is someone's data or a mistake, never ours to delete.
public enum SocketPathClaim: Hashable, Sendable {
  /// Nothing is at the path: bind.
  case bind
  /// A socket no one listens on: remove it, then bind.
  case replaceStale
  /// Don't bind; the one line says why.
  case refuse(String)

  /// What is at the path, as `lstat` sees it (a symbolic link is not followed).
  public enum Existing: Hashable, Sendable {
    case nothing
    case socket
    /// Anything else, by kind: "a regular file", "a folder", "a symbolic link", …
    case other(String)
  }

  /// How connecting to an existing socket went.
  public enum Probe: Hashable, Sendable {
    /// ECONNREFUSED: nothing listens; the file is left over.
    case refused
    /// The connection was made (or is queued: the listener's backlog is full): it is live.
    case accepted
    /// Some other failure (permission denied, …), described: it may be live, so it is
    /// left alone.
    case failed(String)
  }

  /// The decision for `existing` at `address` (`unix:/path`, for messages); `probe` is
  /// only consulted for a socket.
  public static func decide(address: String, existing: Existing, probe: () -> Probe) -> SocketPathClaim {
    switch existing {
    case .nothing:
      return .bind
    case .other(let kind):
      return .refuse(
        "\(address) exists and is \(kind), not a socket: chat will not remove it; choose another path")
    case .socket:
      switch probe() {
      case .refused:
        return .replaceStale
      case .accepted:
        return .refuse("address already in use: \(address) (a listener is running there)")
      case .failed(let reason):
        return .refuse(
          "\(address) is a socket chat can't check (\(reason)): it may be in use, so it is left alone")
      }
    }
  }
}
