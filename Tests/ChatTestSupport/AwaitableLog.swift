/// A log that tests append to from callbacks and await conditions on, with a time limit,
/// instead of sleeping and hoping.
public actor AwaitableLog<Element: Sendable> {
  public private(set) var entries: [Element] = []
  public private(set) var isFinished = false
  private var waiters: [Int: Waiter] = [:]
  private var nextWaiter = 0

  private struct Waiter {
    var what: String
    var predicate: @Sendable ([Element], Bool) -> Bool
    var continuation: CheckedContinuation<[Element], any Error>
  }

  public init() {}

  public func append(_ entry: Element) {
    entries.append(entry)
    resolveWaiters()
  }

  public func finish() {
    isFinished = true
    resolveWaiters()
  }

  /// Why a wait gave up: what it waited for and everything logged until then.
  public struct Timeout: Error, CustomStringConvertible {
    public var description: String
  }

  /// Returns the entries as soon as `predicate(entries, finished)` holds; throws
  /// ``Timeout`` after `seconds`.
  @discardableResult
  public func wait(
    _ what: String,
    seconds: Double = 15,
    until predicate: @escaping @Sendable ([Element], Bool) -> Bool
  ) async throws -> [Element] {
    if predicate(entries, isFinished) { return entries }
    let id = nextWaiter
    nextWaiter += 1
    return try await withCheckedThrowingContinuation { continuation in
      waiters[id] = Waiter(what: what, predicate: predicate, continuation: continuation)
      Task {
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        self.expire(id, after: seconds)
      }
    }
  }

  /// Waits until an entry satisfies `matches`, and returns that entry.
  @discardableResult
  public func first(
    _ what: String,
    seconds: Double = 15,
    where matches: @escaping @Sendable (Element) -> Bool
  ) async throws -> Element {
    let entries = try await wait(what, seconds: seconds) { entries, _ in entries.contains(where: matches) }
    return entries.first(where: matches)!
  }

  /// Waits until the log is finished.
  public func waitForFinish(seconds: Double = 15) async throws {
    try await wait("the end of the stream", seconds: seconds) { _, finished in finished }
  }

  private func expire(_ id: Int, after seconds: Double) {
    guard let waiter = waiters.removeValue(forKey: id) else { return }
    waiter.continuation.resume(
      throwing: Timeout(description: "timed out after \(seconds) s waiting for \(waiter.what); got: \(entries)")
    )
  }

  private func resolveWaiters() {
    for (id, waiter) in waiters where waiter.predicate(entries, isFinished) {
      waiters.removeValue(forKey: id)
      waiter.continuation.resume(returning: entries)
    }
  }
}
