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

extension Benchmarks {
  func memory() async throws -> [Row] {
    var rows: [Row] = []
    let secret = SharedSecret(bytes: Array("bench secret".utf8))!
    let relay = try ChildProcess(
      [
        chatBinary, "--serve", "127.0.0.1:0", "--name", "relay", "--max-per-address", "20000", "--max-clients", "20000",
        // Sealed, each join notice costs the relay one record per member, so admitting the
        // last thousands, 200 at a time, can take longer than the default 10 s; this
        // measures memory, not admission (the time it took is noted).
        "--handshake-timeout", "120",
      ],
      environment: chatEnvironment.merging(["CHAT_SECRET": "bench secret"]) { _, new in new })
    defer { relay.stop() }
    let port = try relay.port(after: "listening on 127.0.0.1:")
    let idle = try ChildProcess(
      [chatBinary, "--connect", "127.0.0.1:\(port)", "--plain", "--name", "idle"],
      environment: chatEnvironment.merging(["CHAT_SECRET": "bench secret"]) { _, new in new })
    defer { idle.stop() }
    _ = try idle.waitForLine(containing: "established")
    try await Task.sleep(for: .milliseconds(300))
    rows.append(
      Row(
        name: "idle client (chat --connect)", unit: "MB RSS", chat: Double(idle.residentBytes) / 1e6, reference: "",
        referenceValue: nil, target: "< 20 MB", met: idle.residentBytes < 20_000_000,
        note: "of which private: \(Table.format(Double(idle.privateBytes) / 1e6)) MB; the rest is shared library pages")
    )
    var clients: [BenchClient] = []
    var previous = relay.residentBytes
    var previousCount = 0
    for target in quick ? [100] : [1000, 10_000] {
      let admissionStart = DispatchTime.now().uptimeNanoseconds
      let admittedBefore = clients.count
      while clients.count < target {
        let names = (clients.count..<min(target, clients.count + 200)).map { "idle\($0)" }
        let group = group
        let batch = try await withThrowingTaskGroup(of: BenchClient.self) { tasks in
          for name in names {
            tasks.addTask {
              try await BenchClient.connect(port: port, name: name, security: .default(secret: secret), group: group)
            }
          }
          var connected: [BenchClient] = []
          for try await client in tasks { connected.append(client) }
          return connected
        }
        clients += batch
      }
      let admission = Double(DispatchTime.now().uptimeNanoseconds - admissionStart) / 1e9
      try await Task.sleep(for: .milliseconds(500))
      let now = relay.residentBytes
      let perConnection = Double(now - previous) / Double(target - previousCount)
      rows.append(
        Row(
          name: "relay with \(target) idle authenticated clients", unit: "KB per connection",
          chat: perConnection / 1000,
          reference: "", referenceValue: nil, target: "< 20 KB", met: perConnection < 20_000,
          note:
            "relay RSS \(Table.format(Double(now) / 1e6)) MB; the last \(target - admittedBefore) joined in \(Table.format(admission)) s"
        ))
      previous = now
      previousCount = target
    }
    for client in clients { client.channel.close(promise: nil) }
    return rows
  }
}
