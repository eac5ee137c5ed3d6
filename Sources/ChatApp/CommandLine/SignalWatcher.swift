import ChatEvents
import ChatNetwork
import ChatProtocol
import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// On SIGINT, SIGTERM or SIGHUP: leave in good order (say goodbye, restore the terminal)
/// instead of dying mid-frame.
final class SignalWatcher: Sendable {
  private let signal: NIOLockedValueBox<Int32?>
  /// Kept so the sources live as long as the watcher; set once in `init`, never changed.
  private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

  /// The signal that stopped the run, if one did.
  var received: Int32? { signal.withLockedValue { $0 } }

  /// Calls `leave` (once) on the first of these signals.
  init(leave: @escaping @Sendable () -> Void) {
    let signal = NIOLockedValueBox<Int32?>(nil)
    self.signal = signal
    self.sources = [SIGINT, SIGTERM, SIGHUP].map { number in
      Foundation.signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        let first = signal.withLockedValue { current -> Bool in
          guard current == nil else { return false }
          current = number
          return true
        }
        guard first else { return }
        leave()
      }
      source.resume()
      return source
    }
  }
}
