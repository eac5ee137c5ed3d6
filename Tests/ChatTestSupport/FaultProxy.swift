import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP proxy on loopback that passes bytes between a client and `target`, and cuts
/// connections on purpose: after a random number of bytes in either direction, often in
/// the middle of a frame, it forwards only part of a read and closes both sides.
///
/// The cuts come from a seeded generator, so a failing run can be repeated.
public final class FaultProxy: Sendable {
  public let port: Int
  private let serverChannel: any Channel
  private let state: NIOLockedValueBox<State>

  struct State {
    var generator: SeededGenerator
    var cutsLeft: Int
    var minimumBytesBeforeCut: Int
    var maximumBytesBeforeCut: Int
    var cutsMade = 0
    var links: [ObjectIdentifier: Link] = [:]
  }

  /// How many connections the proxy cut so far.
  public var cutsMade: Int { state.withLockedValue { $0.cutsMade } }

  /// - Parameters:
  ///   - cuts: connections to cut before passing bytes through untouched.
  ///   - minimumBytesBeforeCut, maximumBytesBeforeCut: a connection is cut after a random
  ///     number of bytes in this range.
  public init(
    targetPort: Int, cuts: Int, minimumBytesBeforeCut: Int = 1, maximumBytesBeforeCut: Int = 4_000, seed: UInt64
  ) async throws {
    let state = NIOLockedValueBox(
      State(
        generator: SeededGenerator(seed: seed), cutsLeft: cuts, minimumBytesBeforeCut: minimumBytesBeforeCut,
        maximumBytesBeforeCut: maximumBytesBeforeCut))
    self.state = state
    let group = MultiThreadedEventLoopGroup.singleton
    serverChannel = try await ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.autoRead, value: false)
      .childChannelInitializer { inbound in
        let budget = state.withLockedValue { state -> Int? in
          guard state.cutsLeft > 0 else { return nil }
          state.cutsLeft -= 1
          return Int.random(in: state.minimumBytesBeforeCut...state.maximumBytesBeforeCut, using: &state.generator)
        }
        let link = Link(budget: budget, proxyState: state)
        return ClientBootstrap(group: inbound.eventLoop)
          .channelOption(.socketOption(.tcp_nodelay), value: 1)
          .channelInitializer { outbound in
            outbound.eventLoop.makeCompletedFuture {
              try outbound.pipeline.syncOperations.addHandler(Relay(link: link, peer: inbound))
            }
          }
          .connect(host: "127.0.0.1", port: targetPort)
          .flatMap { outbound in
            inbound.eventLoop.makeCompletedFuture {
              try inbound.pipeline.syncOperations.addHandler(Relay(link: link, peer: outbound))
              try inbound.syncOptions?.setOption(.autoRead, value: true)
            }
          }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    port = serverChannel.localAddress!.port!
  }

  public func close() async {
    try? await serverChannel.close()
  }

  /// One proxied connection's remaining byte budget before its cut, shared by both directions.
  final class Link: @unchecked Sendable {
    // Both relays of a link run on the inbound channel's event loop.
    var budget: Int?
    let proxyState: NIOLockedValueBox<State>
    init(budget: Int?, proxyState: NIOLockedValueBox<State>) {
      self.budget = budget
      self.proxyState = proxyState
    }
  }

  final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let link: Link
    let peer: any Channel

    init(link: Link, peer: any Channel) {
      self.link = link
      self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      var bytes = unwrapInboundIn(data)
      guard let budget = link.budget else {
        peer.writeAndFlush(bytes, promise: nil)
        return
      }
      if bytes.readableBytes < budget {
        link.budget = budget - bytes.readableBytes
        peer.writeAndFlush(bytes, promise: nil)
        return
      }
      // Cut here: pass on the bytes up to the budget (often part of a frame), then hang
      // up on both sides.
      let part = bytes.readSlice(length: budget)!
      link.budget = 0
      link.proxyState.withLockedValue { $0.cutsMade += 1 }
      let channel = context.channel
      let peer = peer
      peer.writeAndFlush(part).whenComplete { _ in
        peer.close(promise: nil)
        channel.close(promise: nil)
      }
    }

    func channelInactive(context: ChannelHandlerContext) {
      peer.close(promise: nil)
      context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
      context.close(promise: nil)
    }
  }
}

/// SplitMix64: a small, fast, seedable generator, so that random test runs can be repeated.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
