extension KnownPeers {
  /// The shell command that forgets this pin, for the message shown when a peer's key
  /// changed: `chat --forget-key 'address 127.0.0.1:9090'`, `chat --forget-key 'name bob'`.
  ///
  /// The argument is single-quoted for POSIX shells, each `'` written as `'\''`, so the
  /// command can be pasted as is whatever the name holds.
  public static func forgetCommandHint(kind: PinKind, subject: String) -> String {
    "chat --forget-key " + shellQuoted(kind.rawValue + " " + subject)
  }

  /// Reads `--forget-key`'s argument, `address <host:port>` or `name <name>`: the word, one
  /// space, and the subject (everything after it). Nil for anything else.
  public static func forgetTarget(parsing argument: String) -> (kind: PinKind, subject: String)? {
    let bytes = Array(argument.utf8)
    guard let space = bytes.firstIndex(of: UInt8(ascii: " ")),
      let kind = PinKind(rawValue: String(decoding: bytes[..<space], as: UTF8.self))
    else { return nil }
    let subject = String(decoding: bytes[(space + 1)...], as: UTF8.self)
    guard !subject.isEmpty else { return nil }
    return (kind, subject)
  }

  /// Single quotes keep everything literal in a POSIX shell except `'` itself, which is closed,
  /// escaped and reopened. Done on Unicode scalars, not Characters: a `'` followed by a
  /// combining mark is one Character but still a quote to the shell.
  static func shellQuoted(_ text: String) -> String {
    var quoted = "'"
    for scalar in text.unicodeScalars {
      if scalar == "'" {
        quoted += "'\\''"
      } else {
        quoted.unicodeScalars.append(scalar)
      }
    }
    return quoted + "'"
  }
}
