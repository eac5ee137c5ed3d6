import ArgumentParser
import ChatEvents
import ChatNetwork
import ChatProtocol
import Foundation
import NIOPosix

/// `chat --udp`: the same front ends over ``UDPEndpoint``.
extension ChatCommand {
  /// What `--udp` can't be combined with: it has no relay mode, no Unix sockets (a Unix
  /// datagram socket has no address to answer unless bound), and none of the TCP room's
  /// limits, which need connections to act on.
  func checkUDP(_ mode: Mode) throws(UsageError) {
    if case .serve = mode { throw .notWithUDP("use --listen or --connect, not --serve") }
    if mode.address.unixPath != nil { throw .notWithUDP("UDP chat runs over IP addresses, not unix:PATH") }
    if !room.given.isEmpty {
      throw .notWithUDP("\(room.given.joined(separator: ", ")) apply to the TCP room only")
    }
    if pinNames { throw .notWithUDP("--pin-names: UDP chat has no identity keys") }
    if identity != nil { throw .notWithUDP("--identity: UDP chat has no identity keys") }
    if noReconnect { throw .notWithUDP("--no-reconnect: UDP chat has no connection to lose") }
    if try wireFraming() != .chat { throw .notWithUDP("--framing: UDP chat has its own datagram format") }
    if encoding != nil { throw .notWithUDP("--encoding: UDP chat's text is UTF-8") }
  }

  /// Runs UDP chat until the front end ends.
  func runUDP(_ mode: Mode, secret: SharedSecret?) async throws {
    guard case .tcp(let address) = mode.address else { return }
    let frontEnd = FrontEndChoice(plainRequested: plain, environment: ProcessInfo.processInfo.environment)
    if let notice = frontEnd.notice { Self.printError(notice) }
    let endpoint: UDPEndpoint
    do {
      switch mode {
      case .connect:
        endpoint = try await UDPEndpoint.connect(
          to: address, name: displayName, secret: secret, group: MultiThreadedEventLoopGroup.singleton)
      default:
        endpoint = try await UDPEndpoint.listen(
          on: address, name: displayName, secret: secret, group: MultiThreadedEventLoopGroup.singleton)
      }
    } catch {
      if !frontEnd.usesScreen {
        StandardOutput.write(
          PlainLineFormat.line(time: PlainLineFormat.timestamp(), fields: ["error", error.description]))
      }
      if frontEnd.usesScreen || isatty(STDOUT_FILENO) == 0 { Self.printError(error.description) }
      throw ExitCode(1)
    }
    if frontEnd.usesScreen {
      try await runScreen(
        identityNote: "UDP chat: no identity keys and no encryption; /verify does not apply",
        endpoint, secretConfigured: secret != nil, listening: mode.hostsRoom, commandLimits: try commandLimits(),
        markVerified: { _, _ in })
    } else {
      try await runPlain(endpoint, listening: mode.hostsRoom)
    }
  }
}
