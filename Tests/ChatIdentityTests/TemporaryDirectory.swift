import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A fresh directory under the system's temporary directory for one test, removed afterwards
/// whatever the test did to it.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("chat-identity-tests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url.path)
}

/// The permission bits of what is at `path` (not following a link), or nil if nothing is.
func permissions(of path: String) -> UInt32? {
  var status = stat()
  guard lstat(path, &status) == 0 else { return nil }
  return UInt32(status.st_mode) & 0o7777
}

/// Writes `contents` to `path` with exactly `mode`, whatever the umask.
func writeFile(_ path: String, _ contents: String, mode: mode_t = 0o600) throws {
  try writeFile(path, Array(contents.utf8), mode: mode)
}

func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
  guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
    throw CocoaError(.fileWriteUnknown)
  }
  guard chmod(path, mode) == 0 else { throw POSIXError(.EPERM) }
}

/// The names in a directory, to check that no temporary file was left behind.
func directoryListing(_ path: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}
