import ChatCrypto
import Testing

@Suite("ChatCrypto module")
struct ChatCryptoModuleTests {
  @Test("the module links")
  func links() {
    #expect(String(describing: ChatCrypto.self) == "ChatCrypto")
  }
}
