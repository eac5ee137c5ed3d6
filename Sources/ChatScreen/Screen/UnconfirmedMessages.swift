/// Our messages that are queued or sent and not yet confirmed, oldest first: what would be
/// left undelivered if the program quit now. Kept apart from the scrollback, which `/clear`
/// empties and which drops old lines.
public struct UnconfirmedMessages: Hashable, Sendable {
  /// One message and where it stands.
  public struct Message: Hashable, Sendable {
    public var text: String
    /// Whether it went on the wire (`[sent]`) or is still waiting for a connection.
    public var sent: Bool
    var own: ScrollbackEntry.OwnMessage
  }

  public private(set) var messages: [Message] = []

  public init() {}

  /// How many messages are outstanding.
  public var count: Int { messages.count }
  /// Whether every message is confirmed (or known not delivered).
  public var isEmpty: Bool { messages.isEmpty }

  mutating func queued(_ text: String, session: Int) {
    messages.append(Message(text: text, sent: false, own: .init(session: session, sequence: nil)))
  }

  /// A message went on the wire: the oldest queued copy of it if there is one, else a new one.
  mutating func sent(_ text: String, as own: ScrollbackEntry.OwnMessage) {
    if let index = messages.firstIndex(where: { !$0.sent && $0.own.sequence == nil && $0.text == text }) {
      messages[index].sent = true
      messages[index].own = own
    } else {
      messages.append(Message(text: text, sent: true, own: own))
    }
  }

  /// Confirmed, or reported not delivered: either way no longer outstanding.
  mutating func settled(_ own: ScrollbackEntry.OwnMessage) {
    if let index = messages.lastIndex(where: { $0.own == own }) { messages.remove(at: index) }
  }

  /// A queued message was given up before it was sent.
  mutating func notSent(_ text: String) {
    if let index = messages.firstIndex(where: { !$0.sent && $0.text == text }) { messages.remove(at: index) }
  }

  /// Lines for the real terminal after the screen has closed, one per message. The text is
  /// as typed: whoever prints the lines escapes them once (`SafeText.escaped`), so a pasted
  /// line break shows as `\n` and a control character as `\u{XX}`.
  public var report: [String] {
    guard !messages.isEmpty else { return [] }
    let count = messages.count
    return ["\(count) message\(count == 1 ? " was" : "s were") not confirmed as delivered:"]
      + messages.map { "  \($0.sent ? "[sent, no receipt]" : "[queued, not sent]") \($0.text)" }
  }
}
