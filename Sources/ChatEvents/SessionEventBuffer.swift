import Synchronization

/// The queue between an endpoint's event loop and its front end, bounded by flow control:
/// when more than ``highWatermark`` bytes of events wait for the front end (its stdout is
/// a pipe nobody reads, say), the endpoint is told to stop reading its sockets, and told to
/// read again once the front end takes what waits. Memory then stays bounded, and the peer
/// sees a slow reader, which it handles as such (a relay drops it as too slow).
///
/// Cheap on the hot path: one lock per event put in (as `AsyncStream` takes), one per batch
/// taken out, since the front end takes every waiting event at once.
public final class SessionEventBuffer: Sendable {
  private struct State {
    var waiting: [SessionEvent] = []
    var waitingBytes = 0
    var finished = false
    var consumer: CheckedContinuation<[SessionEvent], Never>?
    var paused = false
    var changed: (@Sendable () -> Void)?
  }

  private let state = Mutex(State())
  /// Bytes of events waiting above which reading stops.
  public let highWatermark: Int

  /// 1 MiB of waiting events by default: many screens' worth, and a bounded amount.
  public init(highWatermark: Int = 1 << 20) {
    self.highWatermark = highWatermark
  }

  /// Sets what to do when ``isPaused`` changes: called on the producer's thread when the
  /// front end falls behind, on the consumer's when it catches up. Two such calls can
  /// reach the event loop in either order, so `changed` must not carry the news: it should
  /// hop to the loop and apply ``isPaused`` as it is then, so the last one applied is right.
  public func setFlowControl(_ changed: @escaping @Sendable () -> Void) {
    state.withLock { $0.changed = changed }
  }

  /// Whether the front end is behind: the endpoint should not read now.
  public var isPaused: Bool { state.withLock { $0.paused } }

  /// Puts `event` in for the front end. Returns whether reading was paused by it.
  @discardableResult
  public func yield(_ event: SessionEvent) -> Bool {
    let (consumer, pause) = state.withLock {
      state -> (CheckedContinuation<[SessionEvent], Never>?, (@Sendable () -> Void)?) in
      guard !state.finished else { return (nil, nil) }
      if let consumer = state.consumer {
        state.consumer = nil
        return (consumer, nil)
      }
      state.waiting.append(event)
      state.waitingBytes += Self.weight(of: event)
      guard !state.paused, state.waitingBytes > highWatermark else { return (nil, nil) }
      state.paused = true
      return (nil, state.changed)
    }
    consumer?.resume(returning: [event])
    pause?()
    return pause != nil
  }

  /// No more events: the front end gets what waits, then the end.
  public func finish() {
    let consumer = state.withLock { state -> CheckedContinuation<[SessionEvent], Never>? in
      state.finished = true
      defer { state.consumer = nil }
      return state.consumer
    }
    consumer?.resume(returning: [])
  }

  /// Every event waiting, oldest first, waiting for one if there is none; empty at the end.
  func take() async -> [SessionEvent] {
    await withCheckedContinuation { continuation in
      let (batch, resume) = state.withLock { state -> ([SessionEvent]?, (@Sendable () -> Void)?) in
        guard state.waiting.isEmpty else {
          let batch = state.waiting
          state.waiting = []
          state.waitingBytes = 0
          guard state.paused else { return (batch, nil) }
          state.paused = false
          return (batch, state.changed)
        }
        if state.finished { return ([], nil) }
        state.consumer = continuation
        return (nil, nil)
      }
      resume?()
      if let batch { continuation.resume(returning: batch) }
    }
  }

  /// What an event costs to keep: its text, plus a little for the rest.
  static func weight(of event: SessionEvent) -> Int {
    switch event {
    case .messageReceived(_, let message, _, _), .messageSent(let message, _, _), .messageResent(let message, _, _),
      .datagramSent(let message, _, _),
      .notDelivered(let message, _):
      64 + message.text.utf8.count
    case .messageNotSent(let text, _), .messagePending(let text, _):
      64 + text.utf8.count
    default:
      64
    }
  }
}
