import ChatNetwork
import ChatProtocol
import Crypto
import Foundation
import NIOCore
import NIOPosix

/// What a handshake costs the relay (issue 13): `chat --serve` accepting many connections
/// that each complete the whole handshake (hellos, CPace with a secret, Noise, the relay's
/// first record opened) and leave, with the relay's CPU time read from /proc around the run.
/// Reference: the same handshake's cryptography alone, the listener's side, in memory.
extension Benchmarks {
  func handshakeRows() async throws -> [Row] {
    let count = quick ? 200 : 3000
    let concurrency = 16
    var rows: [Row] = []
    for secret in [nil, ChatProtocol.SharedSecret(bytes: Array("bench secret".utf8))!] {
      let kind = secret == nil ? "no secret (Noise XX)" : "with a secret (CPace + Noise XXpsk3)"
      let (cpu, wall) = try await relayHandshakes(count: count, secret: secret, concurrency: concurrency)
      let crypto = try listenerHandshakeCrypto(count: quick ? 50 : 500, secret: secret)
      let perCore = Double(count) / cpu
      rows.append(
        Row(
          name: "handshakes per second per core on the relay, \(kind)", unit: "handshakes/s", chat: perCore,
          reference: "the handshake's cryptography alone, listener side, in memory", referenceValue: 1 / crypto,
          target: "≥ 500/s", met: perCore >= 500,
          note:
            "\(count) connections, \(concurrency) at a time; wall clock \(Table.format(Double(count) / wall))/s with the clients on the same cores"
        ))
      rows.append(
        Row(
          name: "relay CPU time per handshake, \(kind)", unit: "ms", chat: cpu / Double(count) * 1000,
          reference: "the handshake's cryptography alone, listener side, in memory", referenceValue: crypto * 1000,
          target: "≤ 2 ms (500/s)", met: cpu / Double(count) <= 0.002, note: "user + system time of chat --serve"))
    }
    return rows
  }

  /// Starts `chat --serve`, warms it up, then runs `count` handshakes; the relay's CPU
  /// seconds (user + system) and the wall-clock seconds of the run.
  func relayHandshakes(count: Int, secret: ChatProtocol.SharedSecret?, concurrency: Int) async throws -> (
    Double, Double
  ) {
    var environment = chatEnvironment
    if secret != nil { environment["CHAT_SECRET"] = "bench secret" }
    let relay = try ChildProcess(
      [
        chatBinary, "--serve", "127.0.0.1:0", "--name", "relay", "--max-per-address", "100000", "--max-clients",
        "20000",
      ],
      environment: environment)
    defer { relay.stop() }
    let port = try relay.port(after: "listening on 127.0.0.1:")
    let security = BenchClient.Security.default(secret: secret)
    try await handshakes(50, port: port, security: security, concurrency: concurrency, prefix: "warm")
    let before = relay.cpuSeconds
    let wall = try await seconds {
      try await handshakes(count, port: port, security: security, concurrency: concurrency, prefix: "h")
    }
    // The last connections' leaves are the relay's work too.
    try await Task.sleep(for: .milliseconds(200))
    return (relay.cpuSeconds - before, wall)
  }

  /// `count` bench clients, `concurrency` at a time, each connecting, completing the
  /// handshake and closing.
  func handshakes(
    _ count: Int, port: Int, security: BenchClient.Security, concurrency: Int, prefix: String
  ) async throws {
    let group = group
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      var started = 0
      while started < min(concurrency, count) {
        let name = "\(prefix)\(started)"
        tasks.addTask {
          let client = try await BenchClient.connect(port: port, name: name, security: security, group: group)
          await client.close()
        }
        started += 1
      }
      while try await tasks.next() != nil {
        guard started < count else { continue }
        let name = "\(prefix)\(started)"
        tasks.addTask {
          let client = try await BenchClient.connect(port: port, name: name, security: security, group: group)
          await client.close()
        }
        started += 1
      }
    }
  }

  /// Seconds the listener's side of one handshake takes in memory: its ephemeral key, CPace
  /// share and key with a secret, the Noise messages it reads and writes, the split.
  func listenerHandshakeCrypto(count: Int, secret: ChatProtocol.SharedSecret?) throws -> Double {
    let identity = Curve25519.KeyAgreement.PrivateKey()
    func nonce() -> [UInt8] { (0..<Hello.nonceLength).map { _ in UInt8.random(in: 0...255) } }
    var listenerNanoseconds: UInt64 = 0
    func timed<T>(_ body: () throws -> T) rethrows -> T {
      let start = DispatchTime.now().uptimeNanoseconds
      defer { listenerNanoseconds += DispatchTime.now().uptimeNanoseconds - start }
      return try body()
    }
    let capabilities = [Capability.room] + (CPUFeatures.hasAESInstructions ? [Capability.aesGCM] : [])
    for _ in 0..<count {
      let connectorHello = Hello(
        offersAuth: secret != nil, maximumPayloadLength: 1 << 20, nonce: nonce(), name: "client",
        capabilities: capabilities)
      let listenerHello = Hello(
        offersAuth: secret != nil, maximumPayloadLength: 1 << 20, nonce: nonce(), name: "relay",
        capabilities: capabilities)
      var connector = ChannelHandshake(
        role: .connector, secret: secret, localHello: connectorHello, peerHello: listenerHello,
        identity: Curve25519.KeyAgreement.PrivateKey(), randomness: .fresh())
      let fromConnector = try connector.opening()
      var listener = timed {
        ChannelHandshake(
          role: .listener, secret: secret, localHello: listenerHello, peerHello: connectorHello, identity: identity,
          randomness: .fresh())
      }
      var fromListener = try timed { try listener.opening() }
      for frame in fromConnector {
        switch frame {
        case .cpace(let share): try timed { try listener.receiveShare(share) }
        case .noise(let message):
          if case .proceed(let frames) = try timed({ try listener.receiveNoise(message) }) { fromListener += frames }
        default: throw BenchError("unexpected \(frame.type) from the connector")
        }
      }
      var last: [Frame] = []
      for frame in fromListener {
        switch frame {
        case .cpace(let share): try connector.receiveShare(share)
        case .noise(let message):
          if case .complete(let frames, _) = try connector.receiveNoise(message) { last = frames }
        default: throw BenchError("unexpected \(frame.type) from the listener")
        }
      }
      guard case .noise(let message) = last.first else { throw BenchError("the connector sent no third message") }
      guard case .complete = try timed({ try listener.receiveNoise(message) }) else {
        throw BenchError("the listener did not complete")
      }
    }
    return Double(listenerNanoseconds) / 1e9 / Double(count)
  }
}

extension ChildProcess {
  /// User plus system CPU time the process has used so far, from /proc (clock ticks).
  var cpuSeconds: Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return 0 }
    // After "pid (name)": state is field 3, utime field 14, stime field 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
  }
}
