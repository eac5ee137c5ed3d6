#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension KnownPeers {
  /// Larger than 10,000 pins of the longest subjects plus comments; a bigger file is not one
  /// chat wrote, and the bound keeps a wrong path from being read whole.
  public static let maximumFileSize = 16 << 20

  /// `$XDG_CONFIG_HOME/chat/known_peers` if XDG_CONFIG_HOME is set to an absolute path, else
  /// `$HOME/.config/chat/known_peers`.
  public static func defaultPath(environment: [String: String]) -> String {
    ConfigDirectory.path(of: "known_peers", environment: environment)
  }

  /// The pins in the file at `path`; no file means no pins yet.
  ///
  /// Throws for a line that can't be read (naming its number), a pin given twice, more than
  /// `maximumEntries` pins, a symbolic link, or a file group or others can write (they could
  /// replace a pinned key).
  public static func load(from path: String) throws(KnownPeersError) -> KnownPeers {
    let found: SecureFile.Found
    do {
      found = try SecureFile.read(at: path, limit: maximumFileSize)
    } catch {
      throw KnownPeersError(path: path, failure: error)
    }
    switch found {
    case .missing:
      return KnownPeers()
    case .symbolicLink:
      throw KnownPeersError(path: path, reason: .symbolicLink)
    case .notRegularFile:
      throw KnownPeersError(path: path, reason: .notRegularFile)
    case .tooLarge:
      throw KnownPeersError(path: path, reason: .tooLarge)
    case .contents(let bytes, let mode):
      // Readable by others is allowed (ssh's known_hosts usually is, and chat writes it 0600
      // anyway); writable is not: a pin anyone can edit protects nothing.
      if mode & 0o022 != 0 {
        throw KnownPeersError(path: path, reason: .writableByOthers(mode: mode))
      }
      do {
        return try parse(bytes)
      } catch {
        throw error.at(path)
      }
    }
  }

  /// Replaces the file at `path` with these pins: written to a temporary file (mode 0600) in
  /// the same directory, fsync-ed, then renamed over the old file, so a reader or a crash
  /// sees the old file or the new one, never a mix. The directory is created (mode 0700) if
  /// needed.
  public func save(to path: String) throws(KnownPeersError) {
    let directory = SecureFile.directory(of: path)
    do throws(FileFailure) {
      try SecureFile.makeDirectories(directory)
      let temporary = try SecureFile.writeTemporary(near: path, bytes: Array(fileContents.utf8))
      guard rename(temporary, path) == 0 else {
        let code = errno
        unlink(temporary)
        throw FileFailure(operation: "rename \(temporary) to", path: path, code: code)
      }
    } catch {
      throw KnownPeersError(path: path, failure: error)
    }
    SecureFile.syncDirectory(directory)
  }
}
