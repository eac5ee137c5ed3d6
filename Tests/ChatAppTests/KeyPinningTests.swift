import ChatIdentity
import ChatProtocol
import Foundation
import Testing

@testable import ChatApp

@Suite("Key pinning: check first, pin once established, refuse a changed key")
struct KeyPinningTests {
  func pinning(secret: Bool = false) throws -> (KeyPinning, String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pins-\(UUID().uuidString)")
    let path = folder.appendingPathComponent("known_peers").path
    return (KeyPinning(file: try KnownPeersFile(path: path), secretConfigured: secret), path)
  }

  let key = [UInt8](repeating: 7, count: 32)
  let other = [UInt8](repeating: 9, count: 32)

  func accepted(_ verdict: PeerKeyVerdict) -> KeyTrust? {
    if case .accept(let trust) = verdict { trust } else { nil }
  }

  @Test func aFirstContactIsPinnedOnlyWhenConfirmed() throws {
    let (pinning, path) = try pinning()
    let check = pinning.check(address: "127.0.0.1:9")
    #expect(accepted(check.check("alice", key)) == .new)
    #expect(!FileManager.default.fileExists(atPath: path), "nothing pinned before the session is established")
    check.confirm("alice", key)
    #expect(accepted(check.check("alice", key)) == .known)
    guard case .refuse(let local, _) = check.check("alice", other) else {
      Issue.record("a changed key was accepted")
      return
    }
    #expect(local.contains("THE KEY OF the peer at 127.0.0.1:9 HAS CHANGED"))
    #expect(local.contains("chat --forget-key 'address 127.0.0.1:9'"))
    #expect(!local.contains("has not proved the shared secret"))
  }

  @Test func withASecretTheAdviceSaysTheNewKeyProvedNothing() throws {
    let (pinning, _) = try pinning(secret: true)
    let check = pinning.check(address: "h:1")
    check.confirm("x", key)
    guard case .refuse(let local, _) = check.check("x", other) else {
      Issue.record("a changed key was accepted")
      return
    }
    #expect(local.contains("has not proved the shared secret"))
  }

  @Test func lookAlikeNamesMeetThePinnedName() throws {
    let (pinning, _) = try pinning(secret: true)
    let check = pinning.checkByName()
    check.confirm("bob", key)
    for lookAlike in ["Bob", "BOB", "ｂｏｂ", "b\u{043E}b", "bob\u{0332}"] {
      guard case .refuse = check.check(lookAlike, other) else {
        Issue.record("\(lookAlike) with another key was accepted")
        continue
      }
    }
    #expect(accepted(check.check("Bob", key)) == .known, "the same key under a folded spelling")
    #expect(accepted(check.check("bobby", other)) == .new)
    #expect(pinning.markVerified(kind: .name, subject: "BOB", key: key))
    #expect(accepted(check.check("bob", key)) == .verified)
  }

  @Test func aCapitalIThatLooksLikeAnLMeetsThePin() throws {
    // The pin meets every name the room itself takes for the pinned one.
    for (pinned, lookAlike) in [("alice", "aIice"), ("ALICE", "ALlCE"), ("ALICE", "AL1CE")] {
      let (pinning, _) = try pinning(secret: true)
      let check = pinning.checkByName()
      check.confirm(pinned, key)
      guard case .refuse = check.check(lookAlike, other) else {
        Issue.record("\(lookAlike) with another key than \(pinned)'s was accepted")
        continue
      }
    }
  }
}
