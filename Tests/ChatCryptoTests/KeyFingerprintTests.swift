import ChatCrypto
import Testing

@Suite("Fingerprint")
struct FingerprintTests {
  // Computed independently:
  // python3 -c "import hashlib,base64;a=bytes(range(32));d=hashlib.sha256(a).digest();h=d[:8].hex();
  //   print('-'.join(h[i:i+4] for i in range(0,16,4)));print('SHA256:'+base64.b64encode(d).decode().rstrip('='))"
  @Test("short and full fingerprints of a fixed key match an independent computation")
  func pinnedValues() {
    let key = (0..<32).map { UInt8($0) }
    #expect(KeyFingerprint.short(key) == "630d-cd29-66c4-3366")
    #expect(KeyFingerprint.full(key) == "SHA256:Yw3NKWbEM2aRElRIu7JbT/QSpJxzLbLIq8G4WBvXEN0")
  }

  @Test("the short form is four groups of four lowercase hex digits joined by dashes")
  func shortShape() {
    for seed in 0..<50 {
      let key = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7) }
      let short = KeyFingerprint.short(key)
      let groups = short.split(separator: "-", omittingEmptySubsequences: false)
      #expect(groups.count == 4)
      #expect(groups.allSatisfy { $0.count == 4 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
      #expect(!KeyFingerprint.full(key).hasSuffix("="))
    }
  }
}
