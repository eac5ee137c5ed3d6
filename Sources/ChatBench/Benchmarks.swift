import CMallocCounter
import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatScreen
import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The suite. Sizes shrink with `quick` (CI's smoke run); the method stays the same.
struct Benchmarks {
  let quick: Bool
  let scripts: URL
  let chatBinary: String
  let group = MultiThreadedEventLoopGroup.singleton
  let log: (String) -> Void
  /// The environment of every `chat` the suite starts: its identity and pinned keys go to a
  /// directory of this run's, never the user's.
  let chatEnvironment: [String: String]
  /// The size of the file the files group sends, in MiB (nil: 1 GiB, 64 MiB when quick).
  var fileSizeMiB: Int? = nil
}
