public import Synchronization

/// A value shared between threads behind a lock, by reference: the front ends hand one to
/// the task that reads events and the thread that draws or writes (a `Mutex` itself can't
/// be copied into a task).
public final class Shared<Value: Sendable>: Sendable {
  public let value: Mutex<Value>

  public init(_ value: Value) {
    self.value = Mutex(value)
  }

  /// Runs `body` with the value, under the lock.
  public func withLock<Result: Sendable>(_ body: (inout sending Value) throws -> sending Result) rethrows -> Result {
    try value.withLock(body)
  }
}
