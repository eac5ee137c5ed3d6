import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import NIOCore
import NIOPosix
import Testing

/// The handshake of the encrypted channel against a wrong secret, a path that rewrites a
/// hello, a peer of the old version and a peer sending low-order keys, with real sockets.
@Suite("The channel's handshake under attack, over loopback")
struct HandshakeAttackTests {
  /// A wrong secret fails on both sides after one exchange; the connector, though it
  /// reconnects after drops, does not retry it; nothing typed meanwhile crosses.
  @Test func aWrongSecretFailsOnBothSidesOnceAndNothingIsDelivered() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice", secret: secret("right")))
    let proxy = try await TamperingProxy(targetPort: listener.port)
    let (connector, bobLog) = connect(
      through: proxy, SessionOptions(name: "bob", secret: secret("wrong")),
      reconnect: ReconnectPolicy(initialDelay: 1_000_000, maximumDelay: 10_000_000))
    let probe = "typed during the handshake: PROBE-探针"
    connector.send(probe)
    let end = try #require(try await bobLog.first("bob's end") { $0.end != nil }.end)
    #expect(end.authFailure?.contains("the shared secrets differ") == true, "\(end)")
    // It ends there: no retry, even with a reconnect policy.
    try await bobLog.waitForFinish()
    let events = await bobLog.entries
    #expect(!events.contains { $0.reconnecting != nil }, "\(events)")
    #expect(!events.contains { $0.isEstablished })
    let refusal = try await hostLog.first("the listener's refusal") { $0.refusal != nil }
    #expect(refusal.refusal?.hasPrefix("auth failed") == true, "\(refusal)")
    #expect(refusal.refusal?.contains("the shared secrets differ") == true, "\(refusal)")
    #expect(proxy.connections == 1)
    // One exchange: the listener's hello, share and Noise message, then its ERROR in the clear.
    #expect(proxy.frameTypes(.toConnector) == [0x01, 0x05, 0x06, 0x31])
    #expect(Array(proxy.frameTypes(.toListener).prefix(4)) == [0x01, 0x05, 0x06, 0x06])
    for direction in [TamperingProxy.Direction.toListener, .toConnector] {
      #expect(!proxy.frameTypes(direction).contains(FrameType.text.rawValue))
      let probeCrossed = proxy.captured(direction).containsBytes(Array(probe.utf8))
      #expect(!probeCrossed, "the probe crossed \(direction)")
    }
    let hostEvents = await hostLog.entries
    #expect(!hostEvents.contains { $0.receivedFrom != nil }, "nothing was delivered")
    #expect(!hostEvents.contains { $0.isRoom(.joined, "bob") })
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  enum Downgrade: String, CaseIterable, Sendable {
    /// `aesgcm` removed from the connector's capabilities (to force ChaChaPoly), both with a secret.
    case stripAESGCM
    /// The same without secrets: the hellos are bound to the handshake all the same.
    case stripAESGCMWithoutSecret
    /// Bit 0 of the flags cleared: "I have no secret", when both have one.
    case clearAuthFlag
    /// Another announced maximum.
    case changeMaximum
    /// A capability added.
    case addCapability
  }

  /// A path that rewrites the connector's hello makes the handshake fail on both sides:
  /// no session, no plaintext fallback, no TEXT frame in the clear.
  @Test(arguments: Downgrade.allCases)
  func aRewrittenHelloFailsTheHandshakeOnBothSides(downgrade: Downgrade) async throws {
    let withSecret = downgrade != .stripAESGCMWithoutSecret
    func options(_ name: String) -> SessionOptions {
      SessionOptions(name: name, secret: withSecret ? secret("k") : nil, offersAESGCM: true)
    }
    let (listener, hostLog) = try await startListener(options("alice"))
    let proxy = try await TamperingProxy(targetPort: listener.port) { hello in
      var hello = hello
      switch downgrade {
      case .stripAESGCM, .stripAESGCMWithoutSecret:
        precondition(hello.capabilities.contains(Capability.aesGCM))
        hello.capabilities.removeAll { $0 == Capability.aesGCM }
      case .clearAuthFlag:
        precondition(hello.offersAuth)
        hello.flags &= ~Hello.offersAuthFlag
      case .changeMaximum:
        hello.maximumPayloadLength = 4096
      case .addCapability:
        hello.capabilities.append("x-extra")
      }
      return hello
    }
    let (connector, bobLog) = connect(
      through: proxy, options("bob"), reconnect: ReconnectPolicy(initialDelay: 1_000_000))
    let probe = "DOWNGRADE-PROBE-降级"
    connector.send(probe)
    let end = try #require(try await bobLog.first("bob's end") { $0.end != nil }.end)
    let refusal = try #require(try await hostLog.first("the listener's refusal") { $0.refusal != nil }.refusal)
    switch downgrade {
    case .clearAuthFlag:
      #expect(end.authFailure == "peer says: auth failed: alice requires a shared secret", "\(end)")
      #expect(refusal == "auth failed: bob has no shared secret, but this side requires one")
    default:
      // The two sides' prologues differ. With a secret (XXpsk3) msg1 already carries a
      // tag, and the listener can't read it; without, the connector can't read msg2.
      let found = "the connection was tampered with: a handshake message did not authenticate"
      let told =
        "the peer ended it (tampered): the connection was tampered with: a handshake message did not authenticate"
      #expect(end.failure?.code == .tampered, "\(end)")
      #expect(end.failure?.reason == (withSecret ? told : found))
      #expect(refusal == (withSecret ? found : told))
    }
    try await bobLog.waitForFinish()
    let events = await bobLog.entries
    #expect(!events.contains { $0.isEstablished })
    #expect(!events.contains { $0.reconnecting != nil })
    #expect(proxy.faultsApplied == ["rewrote the hello toListener"])
    #expect(proxy.connections == 1)
    for direction in [TamperingProxy.Direction.toListener, .toConnector] {
      #expect(!proxy.frameTypes(direction).contains(FrameType.text.rawValue), "a TEXT frame in the clear")
      let probeCrossed = proxy.captured(direction).containsBytes(Array(probe.utf8))
      #expect(!probeCrossed, "the probe crossed \(direction)")
    }
    let hostEvents = await hostLog.entries
    #expect(!hostEvents.contains { $0.receivedFrom != nil })
    #expect(!hostEvents.contains { $0.isEstablished || $0.isRoom(.joined, "bob") })
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// A peer speaking version 1 is refused, with both versions named.
  @Test func aVersionOneHelloIsRefusedNamingBothVersions() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice"))
    let client = try await RawClient(port: listener.port)
    let hello = Hello(
      version: 1, offersAuth: false, maximumPayloadLength: 1 << 20, nonce: randomBytes(32), name: "old",
      capabilities: [Capability.room, Capability.resume])
    try await client.sendRaw(Array(Frame.hello(hello).encoded().readableBytesView))
    let frames = try await client.framesUntilClosed()
    let message = "peer speaks chat protocol version 1; this program speaks version 2"
    #expect(frames.count == 2, "\(frames)")
    #expect(frames.first?.hello?.version == 2)
    #expect(frames.last == .error(ErrorReport(code: .unsupportedVersion, message: message)))
    let refusal = try await hostLog.first("the refusal") { $0.refusal != nil }
    #expect(refusal.refusal == "incompatible peer: \(message)")
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// The same through a path that rewrites a real connector's hello to version 1: both
  /// sides name both versions, and the connector does not retry.
  @Test func aHelloRewrittenToVersionOneIsRefusedOnBothSides() async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice"))
    let proxy = try await TamperingProxy(targetPort: listener.port) { hello in
      var hello = hello
      hello.version = 1
      return hello
    }
    let (_, bobLog) = connect(through: proxy, SessionOptions(name: "bob"), reconnect: ReconnectPolicy())
    let end = try #require(try await bobLog.first("bob's end") { $0.end != nil }.end)
    #expect(end.failure?.code == .unsupportedVersion, "\(end)")
    #expect(end.failure?.reason.contains("version 1; this program speaks version 2") == true, "\(end)")
    let refusal = try await hostLog.first("the refusal") { $0.refusal != nil }
    #expect(refusal.refusal == "incompatible peer: peer speaks chat protocol version 1; this program speaks version 2")
    try await bobLog.waitForFinish()
    #expect(!(await bobLog.entries).contains { $0.reconnecting != nil })
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// The draft's points for which CPace's K is zero (u0–u5, u7): low order or
  /// non-canonical encodings of low-order points.
  static let lowOrderPoints: [String] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  ]

  /// A CPace share that is a low-order point proves nothing: ERROR authFailed, and the
  /// listener goes on serving others.
  @Test(arguments: lowOrderPoints)
  func aLowOrderCPaceShareIsAnAuthFailure(point: String) async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice", secret: secret("k")))
    let client = try await RawClient(port: listener.port)
    let hello = Hello(
      offersAuth: true, maximumPayloadLength: 1 << 20, nonce: randomBytes(32), name: "mallory",
      capabilities: [Capability.room, Capability.resume])
    // One write: the listener may refuse (and close) as soon as it has both.
    try await client.sendRaw(
      Array(Frame.hello(hello).encoded().readableBytesView)
        + Array(Frame.cpace(bytes(hex: point)).encoded().readableBytesView))
    let frames = try await client.framesUntilClosed()
    #expect(frames.map(\.type) == [.hello, .cpace, .error], "\(frames)")
    #expect(
      frames.last == .error(ErrorReport(code: .authFailed, message: "auth failed: the peer's CPace share is invalid")))
    let refusal = try await hostLog.first("the refusal") { $0.refusal != nil }
    #expect(refusal.refusal?.hasPrefix("auth failed: the peer's CPace share is invalid") == true, "\(refusal)")
    try await stillServes(listener, SessionOptions(name: "bob", secret: secret("k")))
  }

  /// A Noise msg1 whose ephemeral key is a low-order point (all zeros first) makes the
  /// listener's first DH zero: ERROR tampered, no crash, and the listener goes on.
  @Test(arguments: lowOrderPoints)
  func aLowOrderNoiseEphemeralIsRefusedAsTampering(point: String) async throws {
    let (listener, hostLog) = try await startListener(SessionOptions(name: "alice"))
    let client = try await RawClient(port: listener.port)
    let hello = Hello(
      offersAuth: false, maximumPayloadLength: 1 << 20, nonce: randomBytes(32), name: "mallory",
      capabilities: [Capability.room, Capability.resume])
    // One write: the listener may refuse (and close) as soon as it has both.
    try await client.sendRaw(
      Array(Frame.hello(hello).encoded().readableBytesView)
        + Array(Frame.noise(bytes(hex: point)).encoded().readableBytesView))
    let frames = try await client.framesUntilClosed()
    let message = "the connection was tampered with: a handshake key is invalid (a low-order point)"
    #expect(frames.map(\.type) == [.hello, .error], "\(frames)")
    #expect(frames.last == .error(ErrorReport(code: .tampered, message: message)))
    let refusal = try await hostLog.first("the refusal") { $0.refusal != nil }
    #expect(refusal.refusal == message)
    try await stillServes(listener, SessionOptions(name: "bob"))
  }

  /// A genuine connector still gets in and is heard.
  private func stillServes(_ listener: ChatListener, _ options: SessionOptions) async throws {
    let (connector, log) = connect(to: listener, options)
    try await log.first("a genuine peer afterwards") { $0.isEstablished }
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }
}

func bytes(hex: String) -> [UInt8] {
  var result: [UInt8] = []
  var index = hex.startIndex
  while index < hex.endIndex {
    let next = hex.index(index, offsetBy: 2)
    result.append(UInt8(hex[index..<next], radix: 16)!)
    index = next
  }
  return result
}
