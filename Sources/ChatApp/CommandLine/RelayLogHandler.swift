import ChatProtocol
public import ChatRoom
public import Logging
public import NIOConcurrencyHelpers
import NIOCore

/// The relay's log sink (`chat --serve`, on stderr): what a peer controls can neither act on
/// the terminal or file the log goes to, nor make the log grow without bound.
///
/// - Every message is escaped with ``SafeText`` (no raw ESC, C1, bidi control or line break:
///   one event, one line, nothing forged) and cut to ``lineLimit`` characters with `…` (a
///   1 MiB reason makes a short line).
/// - Lines about one peer (the listener tags them with its address as `peer` metadata) pass
///   a ``LogLimiter``: a burst, then one a second per address, and a shared limit over all;
///   what is left out is counted and reported with the next line written.
public struct RelayLogHandler: LogHandler {
  /// The most characters of a message written.
  public static let lineLimit = 400

  private var inner: any LogHandler
  private let limiter: NIOLockedValueBox<LogLimiter>
  private let now: @Sendable () -> UInt64

  /// - Parameters:
  ///   - inner: where the lines go (a `StreamLogHandler` on stderr).
  ///   - limiter: shared by every logger of the process.
  ///   - now: monotonic nanoseconds (a test passes its own clock).
  public init(
    wrapping inner: any LogHandler, limiter: NIOLockedValueBox<LogLimiter>,
    now: (@Sendable () -> UInt64)? = nil
  ) {
    self.inner = inner
    self.limiter = limiter
    self.now = now ?? { NIODeadline.now().uptimeNanoseconds }
  }

  public var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = newValue }
  }

  public var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  public var metadataProvider: Logger.MetadataProvider? {
    get { inner.metadataProvider }
    set { inner.metadataProvider = newValue }
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: key] = newValue }
  }

  public func log(event: LogEvent) {
    let peer = event.metadata?["peer"].map { "\($0)" }
    let verdict = limiter.withLockedValue { $0.admit(address: peer, now: now()) }
    guard case .write(let fromAddress, let overall) = verdict else { return }
    let rate = limiter.withLockedValue { $0.perAddressRate }
    if let peer, fromAddress > 0 {
      var summary = event
      summary.level = .warning
      summary.message = "left out \(fromAddress) log lines about \(peer) (more than \(Int(rate)) a second)"
      inner.log(event: summary)
    }
    if overall > 0 {
      var summary = event
      summary.level = .warning
      summary.metadata = nil
      summary.message = "left out \(overall) log lines (more than the log takes a second from all peers)"
      inner.log(event: summary)
    }
    var safe = event
    safe.message = "\(SafeText.escaped(event.message.description, limit: Self.lineLimit))"
    if let metadata = event.metadata {
      safe.metadata = metadata.mapValues { .string(SafeText.escaped("\($0)", limit: 100)) }
    }
    inner.log(event: safe)
  }
}
