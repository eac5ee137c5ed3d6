import Synchronization

/// One known_peers file shared by all the connections of a process: every change is saved
/// at once, and changes made meanwhile by other chat processes are picked up.
///
/// Each change re-reads the file, applies the change and writes the file atomically (see
/// `KnownPeers.save(to:)`), under this object's lock and an flock on the file's directory, so
/// concurrent changes from threads or processes to different pins are all kept. Two processes
/// that both see a peer as `.new` and then pin different keys for it leave the key of the one
/// that pinned last: last writer wins on the same line.
public final class KnownPeersFile: Sendable {
  /// The file's path.
  public let path: String

  private struct State: Sendable {
    var peers: KnownPeers
    /// The file as last read or written, to notice another process's change cheaply.
    var stamp: FileStamp?
  }

  private let state: Mutex<State>

  /// Reads the file at `path` (no file means no pins yet); throws as `KnownPeers.load(from:)`.
  public init(path: String) throws(KnownPeersError) {
    self.path = path
    // Stamp first: if the file changes between the two, the next look reads it again.
    let stamp = FileStamp.of(path)
    let peers = try KnownPeers.load(from: path)
    state = Mutex(State(peers: peers, stamp: stamp))
  }

  /// The pins as last read or written.
  public var peers: KnownPeers {
    state.withLock { $0.peers }
  }

  /// Whether `publicKey` is the key pinned for this address or name, after re-reading the file
  /// if it changed on disk: a `chat --forget-key` run in another terminal takes effect for
  /// the next connection. Throws if the changed file can't be read, since a pin that can't be
  /// read must not be taken as "no pin".
  public func verdict(kind: PinKind, subject: String, publicKey: [UInt8]) throws(KnownPeersError) -> PinVerdict {
    try state.withLock { (state: inout State) throws(KnownPeersError) -> PinVerdict in
      let stamp = FileStamp.of(path)
      if stamp != state.stamp {
        state.peers = try KnownPeers.load(from: path)
        state.stamp = stamp
      }
      return state.peers.verdict(kind: kind, subject: subject, publicKey: publicKey)
    }
  }

  /// Pins `publicKey` for this address or name (replacing any pin it had) and saves the file;
  /// throws as `KnownPeers.pin` (with the path) or when the file can't be read or written.
  public func pin(kind: PinKind, subject: String, publicKey: [UInt8], verified: Bool) throws(KnownPeersError) {
    try modify { (peers: inout KnownPeers) throws(KnownPeersError) -> (Void, changed: Bool) in
      try peers.pin(kind: kind, subject: subject, publicKey: publicKey, verified: verified)
      return ((), true)
    }
  }

  /// Removes the pin for this address or name and saves the file; false if there was none.
  @discardableResult
  public func forget(kind: PinKind, subject: String) throws(KnownPeersError) -> Bool {
    try modify { (peers: inout KnownPeers) -> (Bool, changed: Bool) in
      let forgotten = peers.forget(kind: kind, subject: subject)
      return (forgotten, forgotten)
    }
  }

  /// Marks the pin verified if `publicKey` is the pinned key, and saves the file; false,
  /// changing nothing, otherwise (see `KnownPeers.markVerified`).
  @discardableResult
  public func markVerified(kind: PinKind, subject: String, publicKey: [UInt8]) throws(KnownPeersError) -> Bool {
    try modify { (peers: inout KnownPeers) -> (Bool, changed: Bool) in
      let marked = peers.markVerified(kind: kind, subject: subject, publicKey: publicKey)
      return (marked, marked)
    }
  }

  /// Re-reads the file, applies `change`, and writes the file if `change` says it changed
  /// anything, all under the lock and the directory's flock.
  private func modify<Result: Sendable>(
    _ change: (inout KnownPeers) throws(KnownPeersError) -> (Result, changed: Bool)
  ) throws(KnownPeersError) -> Result {
    try state.withLock { (state: inout State) throws(KnownPeersError) -> Result in
      let directory = SecureFile.directory(of: path)
      do throws(FileFailure) {
        try SecureFile.makeDirectories(directory)
      } catch {
        throw KnownPeersError(path: path, failure: error)
      }
      return try DirectoryLock.holding(directory) { () throws(KnownPeersError) -> Result in
        // Re-read under the flock, not from memory: another process may have pinned a peer
        // since, and writing the old copy back would lose that pin.
        var stamp = FileStamp.of(path)
        var peers = try KnownPeers.load(from: path)
        let outcome: (Result, changed: Bool)
        do throws(KnownPeersError) {
          outcome = try change(&peers)
        } catch {
          throw error.at(path)
        }
        if outcome.changed {
          try peers.save(to: path)
          stamp = FileStamp.of(path)
        }
        state.peers = peers
        state.stamp = stamp
        return outcome.0
      }
    }
  }
}
