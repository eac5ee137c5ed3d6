public import ChatEvents
public import ChatProtocol
public import ChatRoom
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

/// The side that accepts connections: a room where the host (unless it is a headless
/// relay) and any number of clients share one conversation.
///
/// The room and all its connections live on one event loop, so the room's state needs no
/// locks and every connection gets the room's messages in the same order. The rules (who
/// may join, names, rates, the roster) are ``RoomState``'s; this class only carries out its
/// actions and reports to the host's front end.
public final class ChatListener: ChatEndpoint {
  public let events: SessionEvents
  /// Where the listener is bound, as `[::]:9090` or `127.0.0.1:9090`.
  public let address: String
  /// The bound port (useful when asked for port 0).
  public let port: Int

  private let serverChannel: any Channel
  private let room: NIOLoopBound<RoomShell>

  private init(serverChannel: any Channel, room: NIOLoopBound<RoomShell>, events: SessionEvents) {
    self.serverChannel = serverChannel
    self.room = room
    self.events = events
    self.address = serverChannel.localAddress?.displayString ?? "?"
    self.port = serverChannel.localAddress?.port ?? 0
  }

  /// Binds `address` (all interfaces, IPv4 and IPv6, when it has no host) and opens the
  /// room. With `hostName` nil the relay has no local participant (`--serve`). Throws
  /// ``StartError`` with a one-line reason when binding fails. `capacity`, when given, is
  /// said once after the `listening` line (how many connections the room takes).
  public static func start(
    on address: HostAndPort,
    options: SessionOptions,
    limits: RoomLimits = RoomLimits(),
    hostName: String?,
    logger: Logger? = nil,
    capacity: String? = nil,
    group: any EventLoopGroup
  ) async throws(StartError) -> ChatListener {
    let continuation = SessionEventBuffer()
    let loop = group.next()
    // Members' TEXT is taken this much smaller than the configured maximum, so that the
    // ROOM_TEXT relaying it (with the sender's name) still fits everyone who accepts the
    // maximum; each member's queue is the room's.
    var memberOptions = options
    memberOptions.maximumPayloadLength -= RoomText.senderOverhead
    memberOptions.maximumQueuedOutboundBytes = limits.maximumQueuedBytes
    let options = memberOptions
    let room: NIOLoopBound<RoomShell>
    let gate: NIOLoopBound<ReadGate>
    do {
      // While the host's front end is behind, no member's socket is read (see ReadGate).
      gate = try await loop.submit { NIOLoopBound(ReadGate(), eventLoop: loop) }.get()
      room = try await loop.submit {
        NIOLoopBound(
          RoomShell(
            loop: loop, limits: limits, hostName: hostName, options: options, continuation: continuation,
            logger: logger),
          eventLoop: loop)
      }.get()
    } catch {
      continuation.finish()
      throw StartError(description: "could not start the room: \(error)")
    }
    // One event loop for the listening socket and every connection: see the type's notes.
    let bootstrap = SessionPipeline.serverBootstrap(group: loop)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(AcceptBackoff { logger?.warning("\($0)") })
        }
      }
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try gate.value.track(channel)
          try room.value.accept(channel)
        }
      }
    let serverChannel: any Channel
    do {
      if let host = address.host {
        serverChannel = try await bootstrap.bind(host: host, port: address.port).get()
      } else {
        do {
          // "::" takes IPv4 too on Linux (IPV6_V6ONLY is off by default).
          serverChannel = try await bootstrap.bind(host: "::", port: address.port).get()
        } catch {
          serverChannel = try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
        }
      }
    } catch {
      continuation.finish()
      throw StartError(description: NetworkErrorDescription.describe(error, target: address.description))
    }
    continuation.setFlowControl { [continuation] in
      loop.execute { gate.value.set(open: !continuation.isPaused) }
    }
    let listener = ChatListener(serverChannel: serverChannel, room: room, events: SessionEvents(continuation))
    if options.secret == nil {
      continuation.yield(
        .warning(
          "no shared secret: anyone who can reach port \(listener.port) can talk to you"
        ))
    }
    continuation.yield(.listening(address: listener.address))
    logger?.info("listening on \(listener.address)")
    if let capacity {
      continuation.yield(.log(capacity))
      logger?.info("\(capacity)")
    }
    return listener
  }

  /// Why a listener could not start.
  public struct StartError: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  public func send(_ text: String) {
    let room = room
    room.eventLoop.execute { room.value.hostSends(text) }
  }

  public func who() {
    let room = room
    room.eventLoop.execute { room.value.hostAsksWho() }
  }

  public func close(_ goodbye: Goodbye) async {
    let room = room
    try? await serverChannel.close()
    try? await room.eventLoop.flatSubmit { room.value.closeAll(goodbye) }.get()
    room.eventLoop.execute { room.value.finish() }
  }
}
