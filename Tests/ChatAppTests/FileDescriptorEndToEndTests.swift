import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A relay with few file descriptors, flooded with more connections than it has: it must
/// not spin, must turn honest clients away clearly, and must recover.
@Suite("End to end: file descriptors run out", .serialized)
struct FileDescriptorEndToEndTests {
  /// Opens `count` connections to `port` without waiting for them (bounded: at most `count`).
  func flood(_ port: Int, count: Int) -> [Int32] {
    (0..<count).map { _ in
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      address.sin_port = UInt16(port).bigEndian
      _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      return descriptor
    }
  }

  @Test func aFloodBeyondTheDescriptorsNeitherSpinsNorLocksOutForGood() async throws {
    let relay = try ChatProcess(
      ["--serve", "127.0.0.1:0", "--handshake-timeout", "60"], fileLimit: 64)
    let listening = try await relay.stderr.first("the listening line") { $0.contains("listening on 127.0.0.1:") }
    let port = Int(listening.split(separator: ":").last!)!
    try await relay.stderr.first("the capacity line") { $0.contains("accepting up to 32 connections at once") }

    // 100 connections and the relay's own descriptors are more than 64.
    let sockets = flood(port, count: 100)
    // Closed exactly once, whatever happens: a second close could hit a descriptor this
    // test process (running other tests) has opened since, under NIO's feet.
    let closer = FloodSockets(sockets)
    defer { closer.closeAll() }
    try await relay.stderr.first("a busy refusal") { $0.contains("the room is full") }

    let before = try relay.cpuTicks()
    try await Task.sleep(for: .seconds(2))
    let used = try relay.cpuTicks() - before
    // A spinning accept loop uses all of the 200 ticks in 2 s; an idle relay next to none.
    #expect(used < 40, "the relay used \(used) ticks of CPU in 2 s")

    // Behind the flood in the kernel's accept queue, which drains as refusals are sent
    // and their 2 s linger ends: give the handshake time.
    let turnedAway = try ChatProcess([
      "--connect", "127.0.0.1:\(port)", "--name", "late", "--no-reconnect", "--handshake-timeout", "40",
    ])
    let refusal = try await turnedAway.line("disconnected", seconds: 45)
    #expect(refusal.last!.contains("busy"))
    #expect(try await turnedAway.exitStatus() == 1)

    closer.closeAll()
    let honest = try ChatProcess(["--connect", "127.0.0.1:\(port)", "--name", "honest"])
    try await honest.line("established", seconds: 30)
    honest.closeInput()
    #expect(try await honest.exitStatus() == 0)
  }
}

/// The flood's sockets, closed once.
final class FloodSockets {
  private var descriptors: [Int32]

  init(_ descriptors: [Int32]) {
    self.descriptors = descriptors
  }

  func closeAll() {
    for descriptor in descriptors { close(descriptor) }
    descriptors = []
  }
}
