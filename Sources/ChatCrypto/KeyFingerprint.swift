import Crypto
import Foundation

/// Short names for public keys, for logs and status lines. The safety number (`SafetyNumber`)
/// is what people compare; fingerprints are for recognising a key at a glance.
public enum KeyFingerprint {
  /// The first 8 bytes of SHA-256(publicKey) as 16 lowercase hex digits in groups of 4 joined
  /// by "-", e.g. "3f2a-91c0-7b1e-44d2": one word, so it never wraps mid-fingerprint.
  public static func short(_ publicKey: [UInt8]) -> String {
    let digest = Array(SHA256.hash(data: publicKey))
    let hex = digest.prefix(8).map { byte in
      let digits = String(byte, radix: 16)
      return byte < 16 ? "0" + digits : digits
    }
    return stride(from: 0, to: 8, by: 2).map { hex[$0] + hex[$0 + 1] }.joined(separator: "-")
  }

  /// "SHA256:" and the base64 of the whole SHA-256 digest without padding, the form
  /// `ssh-keygen -l` prints.
  public static func full(_ publicKey: [UInt8]) -> String {
    let encoded = Data(SHA256.hash(data: publicKey)).base64EncodedString()
    return "SHA256:" + encoded.prefix { $0 != "=" }
  }
}
