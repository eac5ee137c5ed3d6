public import ChatEvents
public import ChatProtocol
public import NIOCore
import NIOPosix
import Synchronization

/// UDP chat (`chat --udp`): each message is one datagram. The thin NIO shell around
/// ``DatagramPeers``, which decides everything; this only binds, reads, writes and ticks.
///
/// No handshake, no receipts, no retransmission: UDP loses, duplicates and reorders, and
/// the events say so (``SessionEvent/datagramStats(peer:counts:)``) instead of hiding it.
public final class UDPEndpoint: ChatEndpoint {
  public let events: SessionEvents
  private let buffer: SessionEventBuffer
  private let channel: any Channel
  private let peers: Mutex<DatagramPeers?>
  /// The address this endpoint is about (bound, or dialled), for its last event.
  private let description = Mutex("udp")
  private let ticker: Mutex<RepeatedTask?> = Mutex(nil)

  private init(channel: any Channel, buffer: SessionEventBuffer, peers: DatagramPeers) {
    self.channel = channel
    self.buffer = buffer
    self.events = SessionEvents(buffer)
    self.peers = Mutex(peers)
  }

  /// A UDP room on `address` (all interfaces when it has no host; port 0 picks one).
  public static func listen(
    on address: HostAndPort, name: String, secret: SharedSecret?, group: any EventLoopGroup
  ) async throws(StartError) -> UDPEndpoint {
    let host = address.host ?? "::"
    let endpoint = try await start(
      bindingTo: host, port: address.port, role: .listener, name: name, secret: secret, group: group,
      fallbackHost: address.host == nil ? "0.0.0.0" : nil)
    let bound = endpoint.channel.localAddress.map(DatagramPeers.describe) ?? address.description
    endpoint.description.withLock { $0 = "udp \(bound)" }
    endpoint.emit(.listening(address: "udp \(bound)"))
    endpoint.emitSecurityNote(secret)
    return endpoint
  }

  /// UDP chat with the listener at `address`: says hello and starts.
  public static func connect(
    to address: HostAndPort, name: String, secret: SharedSecret?, group: any EventLoopGroup
  ) async throws(StartError) -> UDPEndpoint {
    let server: SocketAddress
    do {
      server = try SocketAddress.makeAddressResolvingHost(address.host ?? "localhost", port: address.port)
    } catch {
      throw StartError(description: "host not found: \(address.host ?? "localhost")")
    }
    let local = server.protocol == .inet6 ? "::" : "0.0.0.0"
    let endpoint = try await start(
      bindingTo: local, port: 0, role: .connector(server), name: name, secret: secret, group: group,
      fallbackHost: nil)
    endpoint.description.withLock { $0 = "udp \(DatagramPeers.describe(server))" }
    endpoint.emit(.connecting(to: "udp \(DatagramPeers.describe(server))"))
    endpoint.emitSecurityNote(secret)
    endpoint.apply(endpoint.peers.withLock { $0?.start() ?? [] })
    return endpoint
  }

  private static func start(
    bindingTo host: String, port: Int, role: DatagramPeers.Role, name: String, secret: SharedSecret?,
    group: any EventLoopGroup, fallbackHost: String?
  ) async throws(StartError) -> UDPEndpoint {
    let buffer = SessionEventBuffer()
    let box = Mutex<UDPEndpoint?>(nil)
    // No SO_REUSEADDR: for UDP on Linux it would let a second listener bind the same port
    // and take some of the first one's datagrams, where "address in use" is the truth.
    let bootstrap = DatagramBootstrap(group: group)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            DatagramReader { bytes, address in box.withLock { $0 }?.received(bytes, from: address) })
        }
      }
    let channel: any Channel
    do {
      channel = try await bootstrap.bind(host: host, port: port).get()
    } catch {
      // A host without IPv6 can't bind "::": all interfaces of IPv4 then.
      guard let fallbackHost else {
        throw StartError(description: NetworkErrorDescription.describe(error, target: "udp \(host):\(port)"))
      }
      do {
        channel = try await bootstrap.bind(host: fallbackHost, port: port).get()
      } catch {
        throw StartError(description: NetworkErrorDescription.describe(error, target: "udp \(host):\(port)"))
      }
    }
    let key = secret.map(DatagramKey.init(secret:))
    let endpoint = UDPEndpoint(
      channel: channel, buffer: buffer, peers: DatagramPeers(role: role, localName: name, key: key))
    box.withLock { $0 = endpoint }
    // A front end that falls behind stops our reads; the kernel then drops datagrams, and
    // the windows count them as lost: what UDP does, said.
    buffer.setFlowControl { [buffer, channel] in
      channel.eventLoop.execute { channel.setOption(.autoRead, value: !buffer.isPaused).whenComplete { _ in } }
    }
    let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .milliseconds(500)) {
      [weak endpoint] _ in
      guard let endpoint else { return }
      endpoint.apply(endpoint.peers.withLock { $0?.tick() ?? [] })
    }
    endpoint.ticker.withLock { $0 = task }
    return endpoint
  }

  private func emitSecurityNote(_ secret: SharedSecret?) {
    if secret == nil {
      emit(.warning("udp: no shared secret: anyone can send as any name, and anyone on the path reads the text"))
    } else {
      emit(
        .warning(
          "udp: datagrams are authenticated (HMAC-SHA256) but NOT encrypted: anyone on the path reads the text"))
    }
  }

  public func send(_ text: String) {
    apply(peers.withLock { $0?.send(text) ?? [.event(.messageNotSent(text: text, reason: "closed"))] })
  }

  public func who() {
    emit(.log("udp: /who is not available over UDP; the udp-stats lines name every peer heard from"))
  }

  public func close(_ goodbye: Goodbye) async {
    let actions: [DatagramPeers.Action]? = peers.withLock { state in
      guard var current = state else { return nil }
      let actions = current.close(goodbye)
      state = nil
      return actions
    }
    guard let actions else { return }
    ticker.withLock { $0?.cancel() }
    // The byes go out before the socket closes.
    for future in apply(actions) { try? await future.get() }
    try? await channel.close().get()
    emit(.disconnected(address: description.withLock { $0 }, end: .localClose(goodbye)))
    buffer.finish()
  }

  private func received(_ bytes: [UInt8], from address: SocketAddress) {
    apply(peers.withLock { $0?.receive(bytes, from: address) ?? [] })
  }

  /// Does what the core decided; returns the writes, for ``close(_:)`` to wait on.
  @discardableResult
  private func apply(_ actions: [DatagramPeers.Action]) -> [EventLoopFuture<Void>] {
    var writes: [EventLoopFuture<Void>] = []
    for action in actions {
      switch action {
      case .event(let event):
        emit(event)
      case .send(let bytes, let address):
        let envelope = AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes))
        let write = channel.writeAndFlush(envelope)
        write.whenFailure { [weak self] error in
          self?.emit(
            .warning(
              "udp: could not send to \(DatagramPeers.describe(address)): \(NetworkErrorDescription.describe(error))"))
        }
        writes.append(write)
      }
    }
    return writes
  }

  /// Why UDP chat could not start: one line.
  public struct StartError: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  private func emit(_ event: SessionEvent) {
    buffer.yield(event)
  }
}

/// Hands each datagram's bytes and sender to the endpoint; errors (an ICMP unreachable
/// reported on a later read) are not fatal for a connectionless socket.
final class DatagramReader: ChannelInboundHandler, Sendable {
  typealias InboundIn = AddressedEnvelope<ByteBuffer>
  let received: @Sendable ([UInt8], SocketAddress) -> Void

  init(_ received: @escaping @Sendable ([UInt8], SocketAddress) -> Void) {
    self.received = received
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let envelope = unwrapInboundIn(data)
    received(Array(buffer: envelope.data), envelope.remoteAddress)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
