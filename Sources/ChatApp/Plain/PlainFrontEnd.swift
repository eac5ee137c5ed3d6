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
  /// Writes one event's line from its time stamp and fields: by default
  /// `write(PlainLineFormat.line(time:fields:))`; standard output formats it straight into
  /// its buffer.
  public let writeLine: @Sendable (_ time: String, _ fields: [String]) -> Void
  /// Called after a batch of events has been written with ``write``: output may be
  /// buffered until then (standard output is), so lines go out in one system call per batch.
  public let flush: @Sendable () -> Void
  /// How long, after end of input, to wait for the receipts of lines still unconfirmed.
  public let linger: Duration
  /// Files to send (`--send`), and the room member they are for (`--to`).
  public let files: [String]
  public let fileRecipient: String?

  public init(
    endpoint: any ChatEndpoint, localName: String, linger: Duration = .seconds(30),
    files: [String] = [], fileRecipient: String? = nil,
    write: @escaping @Sendable (String) -> Void, flush: @escaping @Sendable () -> Void = {},
    writeLine: (@Sendable (_ time: String, _ fields: [String]) -> Void)? = nil
  ) {
    self.writeLine = writeLine ?? { time, fields in write(PlainLineFormat.line(time: time, fields: fields)) }
    self.endpoint = endpoint
    self.localName = localName
    self.linger = linger
    self.files = files
    self.fileRecipient = fileRecipient
    self.write = write
    self.flush = flush
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

    /// The input reader, while it waits for the lines in flight to fall below the window.
    var windowWaiter: CheckedContinuation<Void, Never>?

    /// Whether the reader may give more lines now.
    var hasRoom: Bool {
      ledger.outstandingBytes < PlainFrontEnd.inputWindow && ledger.outstandingCount < PlainFrontEnd.inputWindowLines
    }

    /// Whether the goodbye should be said now; claims it if so.
    /// Whether files were given to send (`--send`): once they are all through, chat leaves
    /// without waiting for the end of its input, as `--send` promises.
    var sendsFiles = false

    mutating func claimCloseIfSettled() -> Bool {
      guard inputEnded || sendsFiles, !closing, ledger.isSettled, sendsLeft == 0, transfers.isEmpty else {
        return false
      }
      closing = true
      return true
    }
  }

  /// Bytes of lines given to the endpoint and not yet settled (confirmed or refused) above
  /// which input waits: what keeps a huge pipe from being read into memory far ahead of the
  /// network (with the bounded read-ahead of ``StandardInput``). Large enough that receipts
  /// come back long before the sender would wait, and below the connection's 8 MiB queue.
  static let inputWindow = 4 << 20
  /// The same in lines: half of what a connection keeps waiting for its handshake (or for
  /// the connection to come back) before it refuses lines, so piped lines are never refused
  /// for arriving faster than the handshake.
  static let inputWindowLines = Conversation.maximumQueued / 2

  /// Runs until the endpoint stops: at end of input it waits for the receipts (at most
  /// ``linger``), says goodbye and waits for the close. Returns how the conversation ended.
  /// `input` hands out lines a batch at a time (a block read from standard input); a batch
  /// goes to the endpoint in one call.
  public func run<Input: AsyncSequence & Sendable>(input: Input) async -> ConversationOutcome
  where Input.Element == [InputLine], Input.Failure == Never {
    let endpoint = endpoint
    let write = write
    let flush = flush
    let writeLine = writeLine
    let linger = linger
    let progress = Shared(Progress())
    progress.withLock {
      $0.sendsLeft = files.count
      $0.sendsFiles = !files.isEmpty
    }
    for path in files { endpoint.offerFile(path: path, to: fileRecipient) }
    @Sendable func sayGoodbye() async {
      await endpoint.close(Goodbye(code: .userQuit, reason: "end of input"))
    }
    /// Returns once the lines in flight are below the window (or the reader is cancelled).
    @Sendable func waitForRoom() async {
      while !Task.isCancelled, !progress.withLock({ $0.hasRoom }) {
        await withTaskCancellationHandler {
          await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let resumeNow = progress.withLock { state -> Bool in
              if state.hasRoom || Task.isCancelled { return true }
              state.windowWaiter = waiter
              return false
            }
            if resumeNow { waiter.resume() }
          }
        } onCancel: {
          progress.withLock { $0.windowWaiter.take() }?.resume()
        }
      }
    }
    let reader = Task {
      for await batch in input {
        var texts: [String] = []
        texts.reserveCapacity(batch.count)
        for line in batch {
          switch line {
          case .text(let text):
            if !text.isEmpty { texts.append(text) }
          case .invalidUTF8(let number):
            write(
              PlainLineFormat.line(
                time: PlainLineFormat.timestamp(),
                fields: ["not-sent", "input line \(number) is not valid UTF-8 (is the terminal set to UTF-8?)", ""]
              )
            )
            flush()
          }
        }
        guard !texts.isEmpty else { continue }
        await waitForRoom()
        if Task.isCancelled { return }
        // Recorded before sending, so their events always find them.
        progress.withLock { state in
          for text in texts { state.ledger.give(text) }
        }
        endpoint.send(contentsOf: texts)
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
        if progress.withLock({ !$0.transfers.isEmpty || $0.sendsLeft > 0 }) {
          // Files under way: a moment more, for the news a stop (Ctrl-Z, SIGSTOP) held back,
          // such as a connection to build again, to arrive before giving up on them.
          try? await Task.sleep(for: .seconds(2))
          if Task.isCancelled { return }
        }
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
    var events = endpoint.events.makeAsyncIterator()
    while let event = await events.next() {
      outcome.observe(event)
      for fields in PlainLineFormat.lines(for: event, localName: localName) {
        writeLine(PlainLineFormat.timestamp(), fields)
      }
      // Only these move the ledger, and so the goodbye and the input window: the rest (a
      // message received, most of all) take no lock here.
      switch event {
      case .messageSent, .datagramSent, .delivered, .written, .notDelivered, .messageNotSent:
        let (settled, waiter) = progress.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
          state.lastProgress = .now
          state.ledger.observe(event)
          return (state.claimCloseIfSettled(), state.hasRoom ? state.windowWaiter.take() : nil)
        }
        waiter?.resume()
        if settled { closer = Task { await sayGoodbye() } }
      case .file(let info, let update):
        let settled = progress.withLock { state -> Bool in
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
          return state.claimCloseIfSettled()
        }
        if settled { closer = Task { await sayGoodbye() } }
      case .connected, .established, .reconnecting, .disconnected:
        // While files are on their way, a connection coming back is progress too.
        progress.withLock { state in
          if !state.transfers.isEmpty || state.sendsLeft > 0 { state.lastProgress = .now }
        }
      default:
        break
      }
      // The batch taken from the endpoint is written: out with it before waiting for more.
      if !events.hasTakenEvents { flush() }
    }
    flush()
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
