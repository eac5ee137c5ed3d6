/// `--socket-mode`: the permissions of a listener's Unix socket file, in octal as chmod
/// takes them (`0600`, `660`).
///
/// Connecting to a Unix socket needs write permission on its file, so the mode decides who
/// may connect: 0600 (the default) only the owner, 0660 the owner's group too. The owner's
/// read and write bits are required: without them the owner could not connect to their own
/// room. Execute bits mean nothing on a socket and are refused, as is anything that is not
/// 3 or 4 octal digits.
enum SocketMode {
  static func parse(_ text: String) throws(UsageError) -> UInt16 {
    let digits = text.utf8.count == 4 && text.hasPrefix("0") ? String(text.dropFirst()) : text
    guard digits.utf8.count == 3, digits.allSatisfy({ ("0"..."7").contains($0) }),
      let mode = UInt16(digits, radix: 8)
    else {
      throw .outOfRange(option: "--socket-mode", allowed: "an octal mode such as 0600 or 0660")
    }
    guard mode & 0o600 == 0o600 else {
      throw .outOfRange(option: "--socket-mode", allowed: "a mode that lets the owner read and write (0600 at least)")
    }
    guard mode & 0o111 == 0 else {
      throw .outOfRange(option: "--socket-mode", allowed: "a mode without execute bits (they mean nothing on a socket)")
    }
    return mode
  }
}
