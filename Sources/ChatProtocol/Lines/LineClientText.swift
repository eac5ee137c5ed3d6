/// What a line client sees and what its lines mean: the pure part of the room's line
/// clients (`--lines`, see PROTOCOL.md §8).
public enum LineClientText {
  /// One line a line client sent, as the room takes it.
  public enum Input: Hashable, Sendable {
    /// A message for the room.
    case message(String)
    /// `/nick NAME`: the client asks to be called NAME.
    case nick(String)
    /// A blank line, or `/nick` without a name: nothing to pass on.
    case nothing
  }

  /// The one command: `/nick NAME`. Every other line, one starting with `/` included, is
  /// a message, so a line client can't be surprised by commands it never heard of.
  public static func parse(_ line: String) -> Input {
    if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return .nothing }
    let command = "/nick"
    guard line.hasPrefix(command) else { return .message(line) }
    let rest = line.dropFirst(command.count)
    guard rest.isEmpty || rest.first == " " else { return .message(line) }
    let name = rest.drop { $0 == " " }
    // Trailing blanks are what a terminal leaves, not part of the name.
    let trimmed = name.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
    return trimmed.isEmpty ? .nothing : .nick(String(trimmed))
  }

  /// A room message as a line client sees it: `name: text` and a newline, with control
  /// characters (newlines included) escaped, so one message is always one line and
  /// nothing in it acts on the client's terminal.
  public static func message(_ text: String, from sender: String) -> String {
    "\(SafeText.escaped(sender)): \(SafeText.escaped(text))\n"
  }

  /// A line from the room itself (joins, leaves, notices): `* ` and the text.
  public static func notice(_ text: String) -> String {
    "* \(SafeText.escaped(text))\n"
  }

  /// The line of a room event, as peers without the `room` capability get it; nil for
  /// events they don't get (the answer to WHO).
  public static func event(_ event: RoomEvent) -> String? {
    switch event.kind {
    case .joined: notice(event.detail.isEmpty ? "\(event.name) joined" : "\(event.name) joined (\(event.detail))")
    case .left: notice("\(event.name) left: \(event.detail)")
    case .notice, .welcome: notice(event.detail)
    case .who: nil
    }
  }

  /// The name a line client has until it picks one: `nc-` and where it connects from,
  /// `nc-127.0.0.1-53122` or `nc-::1-53122` (a colon before the port would read as the
  /// `name: text` separator). Falls back to `nc` if that would not be a valid name.
  public static func defaultName(host: String, port: Int?) -> String {
    let name = "nc-\(host)" + (port.map { "-\($0)" } ?? "")
    return Hello.problem(withName: name) == nil ? name : "nc"
  }
}
