/// Every event of an endpoint, in order, for its front end: `for await event in events`.
///
/// Reading them is what lets the endpoint read its sockets: a front end that stops taking
/// events stops the endpoint reading (see ``SessionEventBuffer``). One consumer only.
public struct SessionEvents: AsyncSequence, Sendable {
  public typealias Element = SessionEvent
  public typealias Failure = Never

  let buffer: SessionEventBuffer

  /// Events from `buffer`.
  public init(_ buffer: SessionEventBuffer) {
    self.buffer = buffer
  }

  public func makeAsyncIterator() -> Iterator {
    Iterator(buffer: buffer)
  }

  /// Hands out one batch taken from the buffer event by event, so the buffer's lock is
  /// taken once per batch.
  public struct Iterator: AsyncIteratorProtocol {
    let buffer: SessionEventBuffer
    private var batch: [SessionEvent] = []
    private var index = 0
    private var ended = false

    init(buffer: SessionEventBuffer) {
      self.buffer = buffer
    }

    /// Whether events already taken from the buffer wait to be handed out: ``next()`` will
    /// return one without waiting. A front end that buffers its output flushes when this is
    /// false.
    public var hasTakenEvents: Bool { index < batch.count }

    public mutating func next() async -> SessionEvent? {
      if index == batch.count {
        guard !ended else { return nil }
        batch = await buffer.take()
        index = 0
        if batch.isEmpty {
          ended = true
          return nil
        }
      }
      defer { index += 1 }
      return batch[index]
    }
  }
}
