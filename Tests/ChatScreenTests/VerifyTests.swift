import ChatCrypto
import ChatEvents
import ChatProtocol
import ChatScreen
import Testing

@Suite("Screen model: the encrypted channel, the peer's key and /verify")
struct VerifyTests {
  let localKey = [UInt8](repeating: 1, count: 32)
  let peerKey = [UInt8](repeating: 2, count: 32)

  func connected(secret: Bool = false, trust: KeyTrust = .new) -> ScreenModel {
    var model = ScreenModel(localName: "bob")
    model.apply(.connecting(to: "h:1"), time: "t")
    let security = ChannelSecurity(
      cipher: .aesGCM, secretProved: secret, peerKey: peerKey, localKey: localKey, trust: trust)
    model.apply(
      .established(
        peer: PeerIdentity(name: "alice", maximumPayloadLength: 1 << 20, security: security),
        auth: secret ? .authenticated : .unauthenticated, address: "h:1"),
      time: "t")
    return model
  }

  func submit(_ line: String, _ model: inout ScreenModel) -> [ScreenCommand] {
    _ = model.handle(.text(line), time: "t")
    return model.handle(.enter, time: "t")
  }

  func screen(_ model: inout ScreenModel, width: Int = 120) -> String {
    model.layout(width: width, height: 30).text
  }

  @Test func theStartSaysEncryptedAndWhatIsKnownOfTheKey() {
    var model = connected()
    let text = screen(&model)
    #expect(text.contains("encrypted (AESGCM) but NOT AUTHENTICATED"))
    #expect(text.contains("alice's key \(KeyFingerprint.short(peerKey)) is new here, not yet verified"))
    #expect(text.contains("NOT AUTHENTICATED, AESGCM, NEW key"), "the status bar, wide")
    var known = connected(secret: true, trust: .known)
    let knownText = screen(&known)
    #expect(knownText.contains("encrypted (AESGCM) and authenticated with the shared secret"))
    #expect(knownText.contains("is the one seen before (not verified)"))
    #expect(knownText.contains("authenticated, AESGCM, key known"))
  }

  @Test func aNarrowBarDropsTheCipherThenTheAddressButKeepsTheKeyState() {
    var model = connected(secret: true)
    let narrow = model.layout(width: 60, height: 20).rows.dropLast().last!.text
    #expect(narrow.contains("authenticated, NEW key"), "\(narrow)")
    #expect(narrow.contains("↑0"), "the counts stay in view: \(narrow)")
    #expect(!narrow.contains("AESGCM"))
    var unauthenticated = connected(secret: false)
    let at40 = unauthenticated.layout(width: 40, height: 20).rows.dropLast().last!.text
    #expect(at40.contains("NOT AUTHENTICATED"), "the state survives a narrow bar: \(at40)")
    #expect(!at40.contains("h:1"))
  }

  @Test func verifyShowsTheSafetyNumberBothSidesCompute() {
    var model = connected()
    #expect(submit("/verify", &model).isEmpty, "showing the number changes nothing")
    let text = screen(&model)
    for line in SafetyNumber.lines(localKey, peerKey) { #expect(text.contains(line)) }
    // The same number from the other side: the keys swapped.
    #expect(SafetyNumber.lines(peerKey, localKey) == SafetyNumber.lines(localKey, peerKey))
    #expect(text.contains("if the numbers match, type /verify ok"))
  }

  @Test func verifyOkMarksTheKeyAndAsksTheProgramToPinIt() {
    var model = connected()
    #expect(submit("/verify ok", &model).isEmpty, "no number was compared yet")
    #expect(screen(&model).contains("compare the number first"))
    _ = submit("/verify", &model)
    #expect(submit("/VERIFY ok", &model) == [.markVerified(peerKey: peerKey, name: nil)])
    #expect(model.peerSecurity?.trust == .verified)
    let text = screen(&model)
    #expect(text.contains("is now marked verified"))
    #expect(text.contains("key verified"), "the status bar")
  }

  @Test func verifyBeforeAnySessionSaysSo() {
    var model = ScreenModel(localName: "bob")
    #expect(submit("/verify ok", &model).isEmpty)
    #expect(screen(&model).contains("/verify: no encrypted session yet"))
  }

  @Test func theHostVerifiesAMemberByName() {
    var model = ScreenModel(localName: "alice")
    model.apply(.listening(address: "127.0.0.1:9"), time: "t")
    let security = ChannelSecurity(
      cipher: .chaChaPoly, secretProved: true, peerKey: peerKey, localKey: localKey, trust: .new)
    model.apply(.memberKey(name: "bob-2", pinnedAs: "bob", security: security), time: "t")
    #expect(submit("/verify carol", &model).isEmpty)
    #expect(screen(&model).contains("no member by that name (members: bob-2)"))
    #expect(submit("/verify bob-2", &model).isEmpty)
    for line in SafetyNumber.lines(localKey, peerKey) { #expect(screen(&model).contains(line)) }
    #expect(screen(&model).contains("type /verify ok bob-2"))
    // Another bob-2 came in meanwhile, with another key: the number shown was not for it.
    let impostor = ChannelSecurity(
      cipher: .chaChaPoly, secretProved: true, peerKey: [UInt8](repeating: 5, count: 32), localKey: localKey,
      trust: .new)
    model.apply(.memberKey(name: "bob-2", pinnedAs: "bob", security: impostor), time: "t")
    #expect(submit("/verify ok bob-2", &model).isEmpty)
    #expect(screen(&model).contains("compare the number first"))
    model.apply(.memberKey(name: "bob-2", pinnedAs: "bob", security: security), time: "t")
    // Pinned under the hello's name, which is what the listener pins members by.
    #expect(submit("/verify ok bob-2", &model) == [.markVerified(peerKey: peerKey, name: "bob")])
  }
}
