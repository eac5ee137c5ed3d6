import ChatNetwork
import Testing

@Suite("A Unix socket path before bind: stale, live, or not a socket")
struct SocketPathClaimTests {
  let address = "unix:/tmp/room.sock"

  @Test func nothingThereIsBoundWithoutProbing() {
    var probed = false
    let claim = SocketPathClaim.decide(address: address, existing: .nothing) {
      probed = true
      return .accepted
    }
    #expect(claim == .bind)
    #expect(!probed)
  }

  @Test func aSocketThatRefusesIsStaleAndReplaced() {
    #expect(SocketPathClaim.decide(address: address, existing: .socket) { .refused } == .replaceStale)
  }

  @Test func aSocketThatAcceptsIsInUseNamingThePath() {
    let claim = SocketPathClaim.decide(address: address, existing: .socket) { .accepted }
    #expect(claim == .refuse("address already in use: unix:/tmp/room.sock (a listener is running there)"))
  }

  @Test func aSocketThatCantBeCheckedIsLeftAlone() {
    guard
      case .refuse(let reason) = SocketPathClaim.decide(
        address: address, existing: .socket,
        probe: {
          .failed("permission denied")
        })
    else {
      Issue.record("a socket that can't be probed must not be replaced")
      return
    }
    #expect(reason.contains("permission denied") && reason.contains(address))
  }

  @Test(arguments: ["a regular file", "a folder", "a symbolic link"])
  func anythingElseIsRefusedNeverRemovedAndNotProbed(kind: String) {
    var probed = false
    let claim = SocketPathClaim.decide(address: address, existing: .other(kind)) {
      probed = true
      return .refused
    }
    #expect(
      claim
        == .refuse(
          "unix:/tmp/room.sock exists and is \(kind), not a socket: chat will not remove it; choose another path"))
    #expect(!probed)
  }
}
