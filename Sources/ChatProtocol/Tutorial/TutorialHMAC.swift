import Crypto

/// The tutorials' client check: the server sends `os.urandom(32)`, the client answers
/// `hmac.new(secret, msg).digest()`, and the server compares.
///
/// The tutorials wrote `hmac.new(secret_key, msg)` for Python 2, whose default digest was
/// MD5; Python 3.8 and later refuse to guess, so the shipped programs say
/// `digestmod='md5'`, and this computes HMAC-MD5: the same 16 bytes either way.
///
/// It is weak, and chat says so ("weak, tutorial-compatible auth"): only the client is
/// checked (a fake server takes any client's answer); anyone who records one exchange can
/// test guesses of the secret offline; and nothing after it is protected, so a
/// man-in-the-middle lets the check pass and then reads and changes every message.
public enum TutorialHMAC {
  /// Bytes of the server's random challenge.
  public static let challengeSize = 32
  /// Bytes of the answer: an MD5 digest.
  public static let answerSize = 16

  /// The client's answer to `challenge`.
  public static func answer(secret: SharedSecret, challenge: [UInt8]) -> [UInt8] {
    Array(HMAC<Insecure.MD5>.authenticationCode(for: challenge, using: SymmetricKey(data: secret.bytes)))
  }

  /// Whether `answer` is right, compared in constant time (as the tutorial's
  /// `hmac.compare_digest`), so the comparison leaks nothing about the expected bytes.
  public static func verify(_ answer: [UInt8], secret: SharedSecret, challenge: [UInt8]) -> Bool {
    let expected = Self.answer(secret: secret, challenge: challenge)
    guard answer.count == expected.count else { return false }
    var difference: UInt8 = 0
    for (a, b) in zip(answer, expected) { difference |= a ^ b }
    return difference == 0
  }
}
