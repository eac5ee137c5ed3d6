#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed system call on one of chat's small files: what was being done, to which path, and
/// the errno, so the public errors can say all three in one line.
struct FileFailure: Error, Sendable, Equatable {
  /// What was being done, as a verb phrase: "create the directory", "read", "rename".
  var operation: String
  /// The path the call was about (the file, its directory, or a temporary file).
  var path: String
  var code: Int32

  /// "permission denied", "no space left on device": strerror, lowercased to fit mid-sentence.
  var reason: String {
    String(cString: strerror(code)).lowercased()
  }
}
