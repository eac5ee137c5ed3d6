public import ChatEvents
public import ChatProtocol

/// The line-oriented front end: each input line is one message, each event one output line
/// (see ``PlainLineFormat``). Used when standard input or output is not a terminal, or with
/// `--plain`; the end-to-end tests drive chat this way.
///
/// End of input means "deliver what I gave you, then say goodbye": every line read is kept
/// (sent once connected), and the goodbye waits until each has its receipt or its refusal,
/// or until ``linger`` has passed, as `nc` and `ssh` deliver what was piped into them.
public struct PlainFrontEnd: Sendable {
  public let endpoint: any ChatEndpoint
  public let localName: String
  public let write: @Sendable (String) -> Void
  /// How long, after end of input, to wait for the receipts of lines still unconfirmed.
  public let linger: Duration
  /// Files to send (`--send`), and the room member they are for (`--to`).
  public let files: [String]
  public let fileRecipient: String?

  public init(
    endpoint: any ChatEndpoint, localName: String, linger: Duration = .seconds(30),
    files: [String] = [], fileRecipient: String? = nil,
    write: @escaping @Sendable (String) -> Void
  ) {
    self.endpoint = endpoint
    self.localName = localName
    self.linger = linger
    self.files = files
    self.fileRecipient = fileRecipient
    self.write = write
  }

  /// What the reader and the event loop share: the ledger, and whether input ended and the
  /// goodbye was begun (it is begun once).
  private struct Progress {
    var ledger = DeliveryLedger()
    var inputEnded = false
    var closing = false
    /// When the last message was sent, confirmed or refused: a paced sender's lines keep
    /// moving, so `linger` counts from the last step forward, not from the end of input.
    var lastProgress = ContinuousClock.now
    /// Files given with `--send` whose transfer has not ended yet.
    var sendsLeft = 0
    /// Transfers under way either way: the goodbye waits for them.
    var transfers: Set<TransferID> = []

    /// Whether the goodbye should be said now; claims it if so.
    mutating func claimCloseIfSettled() -> Bool {
      guard inputEnded, !closing, ledger.isSettled, sendsLeft == 0, transfers.isEmpty else { return false }
      closing = true
      return true
    }
  }

  /// Runs until the endpoint stops: at end of input it waits for the receipts (at most
  /// ``linger``), says goodbye and waits for the close. Returns how the conversation ended.
  public func run(input: AsyncStream<InputLine>) async -> ConversationOutcome {
    let endpoint = endpoint
    let write = write
    let linger = linger
    let progress = Shared(Progress())
    progress.withLock { $0.sendsLeft = files.count }
    for path in files { endpoint.offerFile(path: path, to: fileRecipient) }
    @Sendable func sayGoodbye() async {
      await endpoint.close(Goodbye(code: .userQuit, reason: "end of input"))
    }
    let reader = Task {
      for await line in input {
        switch line {
        case .text(let text):
          guard !text.isEmpty else { continue }
          // Recorded before sending, so its events always find it.
          progress.withLock { $0.ledger.give(text) }
          endpoint.send(text)
        case .invalidUTF8(let number):
          write(
            PlainLineFormat.line(
              time: PlainLineFormat.timestamp(),
              fields: ["not-sent", "input line \(number) is not valid UTF-8 (is the terminal set to UTF-8?)", ""]
            )
          )
        }
      }
      if Task.isCancelled { return }
      if progress.withLock({
        $0.inputEnded = true
        return $0.claimCloseIfSettled()
      }) {
        await sayGoodbye()
        return
      }
      // Waits while the lines are still moving; gives up after `linger` without progress.
      while true {
        let deadline = progress.withLock { $0.lastProgress } + linger
        try? await Task.sleep(until: deadline, clock: .continuous)
        if Task.isCancelled { return }
        let mustClose = progress.withLock { state -> Bool? in
          guard !state.closing else { return false }
          guard ContinuousClock.now >= state.lastProgress + linger else { return nil }
          state.closing = true
          state.ledger.abandon(reason: "no receipt within \(Quantities.duration(linger)) (--linger)")
          return true
        }
        guard let mustClose else { continue }
        if mustClose { await sayGoodbye() }
        return
      }
    }
    var outcome = ConversationOutcome()
    var closer: Task<Void, Never>?
    for await event in endpoint.events {
      outcome.observe(event)
      for fields in PlainLineFormat.lines(for: event, localName: localName) {
        write(PlainLineFormat.line(time: PlainLineFormat.timestamp(), fields: fields))
      }
      let settled = progress.withLock { state -> Bool in
        switch event {
        case .messageSent, .datagramSent, .delivered, .written, .notDelivered, .messageNotSent:
          state.lastProgress = .now
        case .file(let info, let update):
          state.lastProgress = .now
          switch update {
          case .offered, .offerReceived, .started:
            state.transfers.insert(info.id)
          case .finished:
            state.transfers.remove(info.id)
            if info.direction == .outgoing { state.sendsLeft = max(0, state.sendsLeft - 1) }
          case .progress, .interrupted:
            break
          }
        default: break
        }
        state.ledger.observe(event)
        return state.claimCloseIfSettled()
      }
      if settled { closer = Task { await sayGoodbye() } }
    }
    reader.cancel()
    _ = await closer?.value
    let ledger = progress.withLock { state -> DeliveryLedger in
      state.ledger.abandon(reason: "the session ended before it was confirmed")
      return state.ledger
    }
    outcome.undelivered = ledger.undelivered
    return outcome
  }
}

/// What the events of a run add up to, for the exit status.
public struct ConversationOutcome: Sendable, Hashable {
  /// The last session's end, if a session ended.
  public private(set) var lastEnd: SessionEnd?
  /// The endpoint's own failure (bind, connect), if any.
  public private(set) var failure: String?
  /// Lines given that were not confirmed delivered, and why (plain front end).
  public var undelivered: [DeliveryLedger.Undelivered] = []
  /// Files this side sent that did not arrive verified, each with the reason.
  public private(set) var failedSends: [String] = []

  public init() {}

  public mutating func observe(_ event: SessionEvent) {
    switch event {
    case .disconnected(_, let end): lastEnd = end
    case .failed(let reason): failure = reason
    case .file(let info, .finished(let outcome, _)) where info.direction == .outgoing && !outcome.isVerified:
      failedSends.append("\(info.name): \(outcome)")
    default: break
    }
  }

  /// 0 when the run ended in an orderly way (a goodbye from either side, or a listener
  /// closed at end of input) with every line delivered, 1 otherwise.
  public func exitStatus(listening: Bool) -> Int32 {
    if failure != nil || !undelivered.isEmpty || !failedSends.isEmpty { return 1 }
    if listening { return 0 }
    guard let lastEnd else { return 1 }
    return lastEnd.isOrderly ? 0 : 1
  }
}
