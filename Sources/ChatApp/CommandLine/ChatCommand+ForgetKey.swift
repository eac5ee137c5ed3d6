import ArgumentParser
import ChatIdentity

extension ChatCommand {
  /// `--forget-key 'address HOST:PORT'` or `'name NAME'`: removes that pin, says so, and
  /// exits (1 when there was no such pin or the file can't be changed).
  static func forget(_ argument: String, environment: [String: String]) throws {
    guard let target = KnownPeers.forgetTarget(parsing: argument) else {
      Self.printError("--forget-key takes 'address HOST:PORT' or 'name NAME', not '\(argument)'")
      throw ExitCode(64)
    }
    let path = KnownPeers.defaultPath(environment: environment)
    do {
      let file = try KnownPeersFile(path: path)
      // A member's name is pinned as the room compares it (KeyPinning.subject(forName:)).
      var forgotten = try file.forget(kind: target.kind, subject: target.subject)
      if target.kind == .name {
        for form in KeyPinning.subjects(forName: target.subject) {
          forgotten = try file.forget(kind: .name, subject: form) || forgotten
        }
      }
      guard forgotten else {
        Self.printError("no key is pinned for \(target.kind.rawValue) \(target.subject) in \(path)")
        throw ExitCode(1)
      }
      print(
        "forgot the key pinned for \(target.kind.rawValue) \(target.subject); the next connection pins the key it meets"
      )
    } catch let error as KnownPeersError {
      Self.printError("\(error)")
      throw ExitCode(1)
    }
  }
}
