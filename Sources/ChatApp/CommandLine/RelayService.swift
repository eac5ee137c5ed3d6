import ArgumentParser
import ChatCrypto
import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// `chat --serve`: a room with no local participant and no screen, logging to stderr, that
/// stops cleanly on SIGINT or SIGTERM (goodbye to every client, then exit 0).
enum RelayService {
  static func run(
    on address: ChatAddress, options: SessionOptions, limits: RoomLimits, name: String, capacity: String? = nil,
    unixSocketMode: UInt16 = ChatListener.defaultUnixSocketMode
  ) async throws {
    // One limiter for every logger: the limits are on what reaches stderr in all.
    let limiter = NIOLockedValueBox(LogLimiter())
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = .info
      return RelayLogHandler(wrapping: handler, limiter: limiter)
    }
    let logger = Logger(label: "chat.relay")
    // What members compare their safety numbers against: the relay's own key.
    logger.info(
      "identity key \(KeyFingerprint.short(Array(options.identity.publicKey.rawRepresentation))): members' /verify compares against it"
    )
    var relayOptions = options
    relayOptions.name = name
    let listener: ChatListener
    do {
      listener = try await ChatListener.start(
        on: address, options: relayOptions, limits: limits, hostName: nil, logger: logger, capacity: capacity,
        unixSocketMode: unixSocketMode, group: MultiThreadedEventLoopGroup.singleton)
    } catch {
      logger.critical("\(error.description)")
      throw ExitCode(1)
    }
    let stop = SignalWatcher {
      logger.info("stopping: saying goodbye to every client")
      Task { await listener.close(Goodbye(code: .shuttingDown, reason: "the relay is shutting down")) }
    }
    for await event in listener.events {
      switch event {
      case .warning(let text): logger.warning("\(text)")
      case .failed(let text): logger.error("\(text)")
      default: break  // the room logs joins, leaves, refusals and defences itself
      }
    }
    logger.info("stopped")
    withExtendedLifetime(stop) {}
  }
}
