import Foundation
import Testing

/// Resources/cpace-x25519-vectors.json: the draft's X25519/SHA-512 vectors (see
/// Resources/README-vectors.md for where each part comes from).
struct CPaceVectors: Decodable, Sendable {
  struct Suite: Decodable, Sendable {
    var password: String
    var channelIdentifier: String
    var sessionID: String
    var generator: String
    var scalarA: String
    var dataA: String
    var shareA: String
    var scalarB: String
    var dataB: String
    var shareB: String
    var sharedPoint: String
    var keyIR: String
    var keyOC: String

    enum CodingKeys: String, CodingKey {
      case password = "PRS"
      case channelIdentifier = "CI"
      case sessionID = "sid"
      case generator = "g"
      case scalarA = "ya"
      case dataA = "ADa"
      case shareA = "Ya"
      case scalarB = "yb"
      case dataB = "ADb"
      case shareB = "Yb"
      case sharedPoint = "K"
      case keyIR = "ISK_IR"
      case keyOC = "ISK_SY"
    }
  }

  struct Intermediate: Decodable, Sendable {
    var generatorString: String
    var generatorHash: String
    var decodedElement: String
    var transcriptIR: String
    var keyInputIR: String
    var transcriptOC: String
    var keyInputOC: String

    enum CodingKeys: String, CodingKey {
      case generatorString = "generator_string"
      case generatorHash = "hash_generator_string"
      case decodedElement = "decoded_field_element"
      case transcriptIR = "transcript_ir"
      case keyInputIR = "isk_input_ir"
      case transcriptOC = "transcript_oc"
      case keyInputOC = "isk_input_oc"
    }
  }

  struct LowOrder: Decodable, Sendable {
    struct Point: Decodable, Sendable, CustomTestStringConvertible {
      var name: String
      var u: String
      var q: String
      var mustAbort: Bool

      var testDescription: String { name }
    }
    var s: String
    var points: [Point]
  }

  var suite: Suite
  var points: [String: String]
  var intermediate: Intermediate
  var lowOrder: LowOrder

  enum CodingKeys: String, CodingKey {
    case suite = "G_25519"
    case points = "X25519_points"
    case intermediate = "G_25519_intermediate"
    case lowOrder = "X25519_low_order"
  }

  /// The vectors, loaded once for parameterized tests' arguments (which must exist before any
  /// test runs); a missing file traps there, naming the path.
  static let shared = try! load()

  /// Loaded from the package's Resources/, found from this file's path (not the working
  /// directory, which differs between `swift test` and an IDE).
  static func load() throws -> CPaceVectors {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { root.deleteLastPathComponent() }
    let data = try Data(contentsOf: root.appendingPathComponent("Resources/cpace-x25519-vectors.json"))
    return try JSONDecoder().decode(CPaceVectors.self, from: data)
  }
}

/// The bytes a hex string spells (either case); traps on malformed hex, which is a broken test.
func bytes(hex: String) -> [UInt8] {
  let digits = Array(hex.utf8)
  precondition(digits.count % 2 == 0, "odd-length hex")
  return stride(from: 0, to: digits.count, by: 2).map { index in
    UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)!
  }
}

/// Lower-case hex, for readable failures.
func hex(_ bytes: [UInt8]) -> String {
  bytes.map { String(format: "%02x", $0) }.joined()
}
