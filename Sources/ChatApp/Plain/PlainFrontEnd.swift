public import ChatProtocol
public import ChatSession

/// The line-oriented front end: each input line is one message, each event one output line
/// (see ``PlainLineFormat``). Used when standard input or output is not a terminal, or with
/// `--plain`; the end-to-end tests drive chat this way.
public struct PlainFrontEnd: Sendable {
  public let endpoint: any ChatEndpoint
  public let localName: String
  public let write: @Sendable (String) -> Void

  public init(endpoint: any ChatEndpoint, localName: String, write: @escaping @Sendable (String) -> Void) {
    self.endpoint = endpoint
    self.localName = localName
    self.write = write
  }

  /// Runs until the endpoint stops: at end of input it says goodbye and waits for the
  /// close. Returns how the conversation ended.
  public func run(input: AsyncStream<InputLine>) async -> ConversationOutcome {
    let endpoint = endpoint
    let write = write
    let reader = Task {
      for await line in input {
        switch line {
        case .text(let text):
          if !text.isEmpty { endpoint.send(text) }
        case .invalidUTF8(let number):
          write(
            PlainLineFormat.line(
              time: PlainLineFormat.timestamp(),
              fields: ["not-sent", "input line \(number) is not valid UTF-8 (is the terminal set to UTF-8?)", ""]
            )
          )
        }
      }
      if !Task.isCancelled {
        await endpoint.close(Goodbye(code: .userQuit, reason: "end of input"))
      }
    }
    var outcome = ConversationOutcome()
    for await event in endpoint.events {
      outcome.observe(event)
      for fields in PlainLineFormat.lines(for: event, localName: localName) {
        write(PlainLineFormat.line(time: PlainLineFormat.timestamp(), fields: fields))
      }
    }
    reader.cancel()
    return outcome
  }
}

/// What the events of a run add up to, for the exit status.
public struct ConversationOutcome: Sendable, Hashable {
  /// The last session's end, if a session ended.
  public private(set) var lastEnd: SessionEnd?
  /// The endpoint's own failure (bind, connect), if any.
  public private(set) var failure: String?

  public init() {}

  public mutating func observe(_ event: SessionEvent) {
    switch event {
    case .disconnected(_, let end): lastEnd = end
    case .failed(let reason): failure = reason
    default: break
    }
  }

  /// 0 when the run ended in an orderly way (a goodbye from either side, or a listener
  /// closed at end of input), 1 when it failed.
  public func exitStatus(listening: Bool) -> Int32 {
    if failure != nil { return 1 }
    if listening { return 0 }
    guard let lastEnd else { return 1 }
    return lastEnd.isOrderly ? 0 : 1
  }
}
