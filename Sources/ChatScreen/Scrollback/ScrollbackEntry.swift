/// One line of the conversation as the screen keeps it.
public struct ScrollbackEntry: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    /// A message from someone else.
    case incoming
    /// One of ours.
    case outgoing
    /// A state change, the auth result, a hint.
    case system
    /// Something that went wrong.
    case error
    /// A `/run` command's output, shown under its summary line.
    case output
  }

  /// Where one of our messages stands, shown as a mark after it.
  public enum Delivery: Hashable, Sendable {
    /// Typed while not connected; it goes out when the connection is back.
    case queued
    /// Handed to the connection; no receipt yet (or the peer sends none).
    case sent
    /// The peer acknowledged it.
    case delivered
    /// Written to a connection that gives no receipts (the tutorials' framing): as far as
    /// chat can know.
    case written
    /// Not delivered, or not confirmed, and why.
    case notDelivered(String)

    var mark: String {
      switch self {
      case .queued: "  [queued]"
      case .sent: "  [sent]"
      case .delivered: "  ✓"
      case .written: "  [written, no receipts]"
      case .notDelivered(let reason): "  ✗ not delivered: \(reason)"
      }
    }
  }

  /// One of our messages in a session: the session's number (counted by the screen) and
  /// the message's sequence number in it.
  public struct OwnMessage: Hashable, Sendable {
    public var session: Int
    public var sequence: UInt64?
  }

  public var time: String
  public var kind: Kind
  public var sender: String?
  public var text: String
  /// Payload and on-the-wire byte counts, for messages.
  public var textBytes: Int?
  public var wireBytes: Int?
  /// For our own messages: where it stands and which it is.
  public var delivery: Delivery?
  public var own: OwnMessage?
  /// The line that reconnect attempts update in place.
  public var isReconnectLine = false
  /// The file transfer (its whole id, in hex) whose one line this is, updated in place.
  public var transfer: String?

  public init(
    time: String,
    kind: Kind,
    sender: String? = nil,
    text: String,
    textBytes: Int? = nil,
    wireBytes: Int? = nil
  ) {
    self.time = time
    self.kind = kind
    self.sender = sender
    self.text = text
    self.textBytes = textBytes
    self.wireBytes = wireBytes
  }

  public var isMessage: Bool { kind == .incoming || kind == .outgoing }

  /// The entry as styled spans, before wrapping:
  /// `12:01:02 bob: 你好  (6 B, 19 on wire)` or `12:01:02 -- connected to …`.
  public var spans: [StyledSpan] {
    var spans = [StyledSpan(time + " ", .time)]
    switch kind {
    case .incoming, .outgoing:
      spans.append(StyledSpan((sender ?? "?").terminalSafe + ": ", kind == .outgoing ? .ownName : .peerName))
      spans.append(StyledSpan(text.terminalSafeKeepingLineBreaks, .plain))
      if let textBytes, let wireBytes {
        // The text's bytes (the same on every screen), and what its frame took on this
        // side's wire (nothing, when it went nowhere).
        let wire = wireBytes > 0 ? ", \(wireBytes) on wire" : ""
        spans.append(StyledSpan("  (\(textBytes) B\(wire))", .byteCount))
      }
      if let delivery {
        if case .notDelivered = delivery {
          spans.append(StyledSpan(delivery.mark.terminalSafe, .error))
        } else {
          spans.append(StyledSpan(delivery.mark, .byteCount))
        }
      }
    case .system:
      spans.append(StyledSpan("-- " + text.terminalSafe, .system))
    case .error:
      spans.append(StyledSpan("!! " + text.terminalSafe, .error))
    case .output:
      // Whatever the command printed (escape sequences, carriage returns, bells) is shown
      // as visible symbols, never passed to the terminal; tabs are laid out as 8 columns.
      spans.append(StyledSpan(text.expandingTabs.terminalSafeKeepingLineBreaks, .plain))
    }
    return spans
  }

  /// Continuation rows line up under the text, after the time stamp.
  var wrapIndent: Int { DisplayWidth.of(time) + 1 }
}

extension String {
  /// Each tab replaced by the spaces that reach the next multiple of 8 columns, counted by
  /// display width from the start of its line, as a terminal would place the text.
  var expandingTabs: String {
    guard contains("\t") else { return self }
    var result = ""
    var column = 0
    for character in self {
      switch character {
      case "\t":
        let spaces = 8 - column % 8
        result += String(repeating: " ", count: spaces)
        column += spaces
      case "\n":
        result.append(character)
        column = 0
      default:
        result.append(character)
        column += DisplayWidth.of(character)
      }
    }
    return result
  }

  /// Like `terminalSafe`, but a message's own line breaks stay line breaks.
  var terminalSafeKeepingLineBreaks: String {
    split(separator: "\n", omittingEmptySubsequences: false).map { String($0).terminalSafe }.joined(separator: "\n")
  }
}
