public import ChatEvents
public import ChatProtocol
public import ChatRoom
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The side that accepts connections: a room where the host (unless it is a headless
/// relay) and any number of clients share one conversation.
///
/// The room and all its connections live on one event loop, so the room's state needs no
/// locks and every connection gets the room's messages in the same order. The rules (who
/// may join, names, rates, the roster) are ``RoomState``'s; this class only carries out its
/// actions and reports to the host's front end.
public final class ChatListener: ChatEndpoint {
  public let events: SessionEvents
  /// Where the listener is bound, as `[::]:9090`, `127.0.0.1:9090` or `unix:/run/chat.sock`.
  public let address: String
  /// The bound port (useful when asked for port 0); 0 for a Unix socket.
  public let port: Int

  private let serverChannel: any Channel
  private let room: NIOLoopBound<RoomShell>
  /// The Unix socket file to remove on close, for a Unix socket listener.
  private let socketFile: UnixSocketFile?

  private init(
    serverChannel: any Channel, room: NIOLoopBound<RoomShell>, events: SessionEvents, socketFile: UnixSocketFile?
  ) {
    self.serverChannel = serverChannel
    self.room = room
    self.events = events
    self.socketFile = socketFile
    self.address = serverChannel.localAddress?.displayString ?? "?"
    self.port = serverChannel.localAddress?.port ?? 0
  }

  /// ``start(on:options:limits:hostName:logger:capacity:unixSocketMode:group:)`` on a TCP
  /// address.
  public static func start(
    on address: HostAndPort,
    options: SessionOptions,
    limits: RoomLimits = RoomLimits(),
    hostName: String?,
    logger: Logger? = nil,
    capacity: String? = nil,
    group: any EventLoopGroup
  ) async throws(StartError) -> ChatListener {
    try await start(
      on: .tcp(address), options: options, limits: limits, hostName: hostName, logger: logger, capacity: capacity,
      group: group)
  }

  /// The mode a listener's Unix socket file gets unless told otherwise: only its owner
  /// may connect.
  public static let defaultUnixSocketMode: UInt16 = 0o600

  /// Binds `address` (all interfaces, IPv4 and IPv6, when a TCP address has no host) and
  /// opens the room. With `hostName` nil the relay has no local participant (`--serve`).
  /// Throws ``StartError`` with a one-line reason when binding fails. `capacity`, when
  /// given, is said once after the `listening` line (how many connections the room takes).
  ///
  /// A Unix socket file is created with `unixSocketMode` (see ``UnixSocketFile``); a stale
  /// one left by a dead listener is replaced, a live one or a file that is not a socket is
  /// refused (``SocketPathClaim``), and the file is removed by ``close(_:)``. Every Unix
  /// socket client counts as one address per user id (SO_PEERCRED) for the room's
  /// per-address limits: `unix uid 1000`.
  ///
  /// With ``RoomLimits/acceptsLineClients`` (`--lines`), a connection's first bytes (or its
  /// silence for ``RoomLimits/lineDetectionWait``) decide whether it is a chat client or a
  /// plain line client (nc, ncat, telnet), which joins as a member reading and writing
  /// `name: text` lines; the room's hello waits for that decision. A room with a secret
  /// refuses line clients in one line.
  public static func start(
    on address: ChatAddress,
    options: SessionOptions,
    limits: RoomLimits = RoomLimits(),
    hostName: String?,
    logger: Logger? = nil,
    capacity: String? = nil,
    unixSocketMode: UInt16 = defaultUnixSocketMode,
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
    let isUnix = address.unixPath != nil
    // One event loop for the listening socket and every connection: see the type's notes.
    let bootstrap = SessionPipeline.serverBootstrap(group: loop)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(AcceptBackoff { logger?.warning("\($0)") })
        }
      }
      .childChannelInitializer { channel in
        guard isUnix else {
          return channel.eventLoop.makeCompletedFuture {
            try gate.value.track(channel)
            try room.value.accept(channel) { !gate.value.isOpen }
          }
        }
        // A Unix socket peer has no address of its own: it is known by its user id.
        return UnixPeer.label(of: channel).flatMapThrowing { label in
          try gate.value.track(channel)
          try room.value.accept(channel, localPeer: label) { !gate.value.isOpen }
        }
      }
    let serverChannel: any Channel
    var socketFile: UnixSocketFile?
    do {
      if case .unix(let path) = address {
        try UnixSocketFile.prepare(path)
        serverChannel = try await UnixSocketFile.creating(mode: unixSocketMode) {
          try await bootstrap.bind(unixDomainSocketPath: path.path, cleanupExistingSocketFile: false).get()
        }
        do {
          socketFile = try UnixSocketFile.bound(path, mode: unixSocketMode)
        } catch {
          // Bound but its mode could not be set: the socket must not stay open, nor its file.
          try? await serverChannel.close()
          if UnixSocketFile.lookUp(path.path).existing == .socket { unlink(path.path) }
          throw error
        }
      } else if case .tcp(let address) = address, let host = address.host {
        serverChannel = try await bootstrap.bind(host: host, port: address.port).get()
      } else if case .tcp(let address) = address {
        do {
          // "::" takes IPv4 too on Linux (IPV6_V6ONLY is off by default).
          serverChannel = try await bootstrap.bind(host: "::", port: address.port).get()
        } catch {
          serverChannel = try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
        }
      } else {
        preconditionFailure("an address is TCP or Unix")
      }
    } catch let error as StartError {
      continuation.finish()
      throw error
    } catch let error as IOError where error.errnoCode == ENOENT && isUnix {
      continuation.finish()
      throw StartError(description: "can't create the socket \(address): its folder does not exist")
    } catch {
      continuation.finish()
      throw StartError(description: NetworkErrorDescription.describe(error, target: address.description))
    }
    continuation.setFlowControl { [continuation] in
      loop.execute { gate.value.set(open: !continuation.isPaused) }
    }
    let listener = ChatListener(
      serverChannel: serverChannel, room: room, events: SessionEvents(continuation), socketFile: socketFile)
    if options.secret == nil {
      let reach =
        isUnix
        ? "connect to \(listener.address) (mode 0\(String(unixSocketMode, radix: 8)))"
        : "reach port \(listener.port)"
      continuation.yield(.warning("no shared secret: anyone who can \(reach) can talk to you"))
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

  public var supportsFiles: Bool { true }

  public func offerFile(path: String, to member: String?) {
    let room = room
    room.eventLoop.execute { room.value.hostOffersFile(path: path, to: member) }
  }

  public func acceptFile(_ id: String, into directory: String?) {
    let room = room
    room.eventLoop.execute { room.value.run { room.value.transfers?.accept(id, into: directory) } }
  }

  public func rejectFile(_ id: String) {
    let room = room
    room.eventLoop.execute { room.value.run { room.value.transfers?.reject(id) } }
  }

  public func cancelFile(_ id: String) {
    let room = room
    room.eventLoop.execute { room.value.run { room.value.transfers?.cancel(id) } }
  }

  public func close(_ goodbye: Goodbye) async {
    let room = room
    try? await serverChannel.close()
    socketFile?.removeIfStillOurs()
    try? await room.eventLoop.flatSubmit { room.value.closeAll(goodbye) }.get()
    room.eventLoop.execute { room.value.finish() }
  }
}
