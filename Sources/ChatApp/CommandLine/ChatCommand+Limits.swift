import ChatNetwork
import ChatProtocol
import ChatScreen

/// Option values checked and turned into what the front ends and the listener take.
extension ChatCommand {
  /// The mode of a listener's Unix socket file: `--socket-mode`, else 0600.
  func unixSocketMode() throws(UsageError) -> UInt16 {
    guard let socketMode else { return ChatListener.defaultUnixSocketMode }
    return try SocketMode.parse(socketMode)
  }

  /// Limits on `/run`: `--run-timeout` and `--run-max-output`, else the defaults.
  func commandLimits() throws(UsageError) -> CommandLimits {
    var limits = CommandLimits()
    if let runTimeout {
      guard runTimeout >= 0.1, runTimeout <= 3600 else {
        throw .outOfRange(option: "--run-timeout", allowed: "between 0.1 and 3600 seconds")
      }
      limits.timeout = runTimeout
    }
    if let runMaxOutput {
      guard (1024...(1 << 20)).contains(runMaxOutput) else {
        throw .outOfRange(option: "--run-max-output", allowed: "between 1024 and 1048576 bytes")
      }
      limits.outputLimit = runMaxOutput
    }
    return limits
  }

  /// The --framing given.
  func wireFraming() throws(UsageError) -> WireFraming {
    guard let wire = WireFraming(rawValue: framing.lowercased()) else {
      throw .badChoice(option: "--framing", value: framing, choices: WireFraming.allCases.map(\.rawValue))
    }
    return wire
  }

  /// The --encoding given (UTF-8 when none); only the tutorials' framing takes one.
  func textEncoding(for wire: WireFraming) throws(UsageError) -> TutorialTextEncoding {
    guard let encoding else { return .utf8 }
    guard wire == .tutorial else {
      throw .framing("--encoding applies to --framing tutorial only (chat's own protocol is always UTF-8)")
    }
    guard let chosen = TutorialTextEncoding(name: encoding) else {
      throw .badChoice(option: "--encoding", value: encoding, choices: ["utf-8", "gbk", "gb18030"])
    }
    return chosen
  }
}
