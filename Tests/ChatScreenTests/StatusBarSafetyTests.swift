import ChatProtocol
import ChatScreen
import Testing

@Suite("The status bar: a peer's reason can't act on the terminal")
struct StatusBarSafetyTests {
  let attack = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{2028}\u{202e}gpj.exe"

  @Test func aDisconnectReasonIsMadeSafe() {
    var status = ConnectionStatus()
    status.link = .disconnected("peer reported busy: \(attack)")
    let text = status.text(statistics: SessionStatistics(), width: 200)
    #expect(!text.unicodeScalars.contains { SafeText.isUnsafe($0) }, "\(text.debugDescription)")
    #expect(text.contains("␛]0;pwned␇"))
  }

  @Test func anAuthFailureReasonIsMadeSafe() {
    var status = ConnectionStatus()
    status.authentication = .failed(attack)
    let text = status.text(statistics: SessionStatistics(), width: 200)
    #expect(!text.unicodeScalars.contains { SafeText.isUnsafe($0) }, "\(text.debugDescription)")
  }
}
