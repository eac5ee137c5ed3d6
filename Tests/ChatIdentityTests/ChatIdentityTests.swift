import ChatIdentity
import Testing

@Suite("ChatIdentity module")
struct ChatIdentityModuleTests {
  @Test("the module links")
  func links() {
    #expect(String(describing: ChatIdentity.self) == "ChatIdentity")
  }
}
