public import ChatProtocol
import Foundation

/// Where the shared secret comes from: `--secret-file`, `--secret` (discouraged), or the
/// CHAT_SECRET environment variable, in that order.
public struct SecretSource: Sendable {
  public var file: String?
  public var commandLineValue: String?
  public var environment: [String: String]

  public init(file: String?, commandLineValue: String?, environment: [String: String]) {
    self.file = file
    self.commandLineValue = commandLineValue
    self.environment = environment
  }

  /// The secret, if any, and warnings to show; throws a one-line reason when a source is
  /// unusable (so the user's mistake is never silently turned into "no secret").
  public func load() throws(SecretError) -> (secret: SharedSecret?, warnings: [String]) {
    var warnings: [String] = []
    if file != nil, commandLineValue != nil {
      throw SecretError(description: "use either --secret-file or --secret, not both")
    }
    if let file {
      let url = URL(fileURLWithPath: file)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
        throw SecretError(description: "the secret file \(file) is a directory; give the path of a file")
      }
      let data: Data
      do {
        data = try Data(contentsOf: url)
      } catch {
        throw SecretError(description: "can't read the secret file \(file): \(Self.reason(error))")
      }
      if let attributes = try? FileManager.default.attributesOfItem(atPath: file),
        let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0
      {
        warnings.append(
          "the secret file \(file) can be read by other users (mode \(String(mode & 0o777, radix: 8))); run chmod 600 \(file)"
        )
      }
      guard let secret = SharedSecret(bytes: Self.trimmingFinalNewline(Array(data))) else {
        throw SecretError(description: "the secret file \(file) is empty")
      }
      return (secret, warnings)
    }
    if let commandLineValue {
      warnings.append(
        "--secret shows in the process list (ps) to every user on this machine; prefer --secret-file or CHAT_SECRET"
      )
      guard let secret = SharedSecret(bytes: Array(commandLineValue.utf8)) else {
        throw SecretError(description: "--secret can't be empty")
      }
      return (secret, warnings)
    }
    if let value = environment["CHAT_SECRET"] {
      // Set but empty is a mistake (CHAT_SECRET=$(cat missing-file)), not a wish for an
      // open room: say so rather than run without a secret.
      guard let secret = SharedSecret(bytes: Array(value.utf8)) else {
        throw SecretError(
          description: "CHAT_SECRET is set but empty: give it the secret, or unset it to run without one")
      }
      return (secret, warnings)
    }
    return (nil, warnings)
  }

  /// A file written by `echo secret > file` ends in a newline that is not part of the secret.
  static func trimmingFinalNewline(_ bytes: [UInt8]) -> [UInt8] {
    var bytes = bytes
    if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
    if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
    return bytes
  }

  private static func reason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(underlying.code))).lowercased()
    }
    if nsError.domain == NSCocoaErrorDomain {
      switch nsError.code {
      case NSFileReadNoSuchFileError: return "no such file"
      case NSFileReadNoPermissionError: return "permission denied"
      default: break
      }
    }
    return nsError.localizedDescription
  }
}

/// A secret source that can't be used, in one line.
public struct SecretError: Error, CustomStringConvertible, Sendable {
  public var description: String
}
