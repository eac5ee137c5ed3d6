import Foundation

/// The version-2 sections of Resources/protocol-vectors.json (snake_case keys), written by
/// the independent Python implementation (scripts/chatcrypto.py).
struct HandshakeVectors: Decodable {
  struct WireFrame: Decodable {
    var from: String
    var hex: String
  }

  struct Record: Decodable {
    var from: String
    var innerHex: String
    var hex: String
  }

  struct Case: Decodable {
    var name: String
    var protocolName: String
    var cipher: String
    var secret: String?
    var connectorHelloHex: String
    var listenerHelloHex: String
    var prologueHex: String
    var connectorStaticPrivate: String
    var connectorStaticPublic: String
    var listenerStaticPrivate: String
    var listenerStaticPublic: String
    var connectorEphemeralPrivate: String
    var listenerEphemeralPrivate: String
    var connectorCpaceScalar: String?
    var listenerCpaceScalar: String?
    var cpaceGenerator: String?
    var connectorCpaceShare: String?
    var listenerCpaceShare: String?
    var frames: [WireFrame]
    var psk: String?
    var handshakeHash: String
    var records: [Record]
  }

  struct Tamper: Decodable {
    struct Change: Decodable {
      var what: String
      var headerHex: String
      var payloadHex: String
      var counter: UInt64
      var hex: String?
    }
    var cipher: String
    var key: String
    var counter: UInt64
    var recordHex: String
    var innerHex: String
    var cases: [Change]
  }

  struct LowOrder: Decodable {
    var shares: [String]
    var errorHex: String
  }

  struct VersionOne: Decodable {
    var hex: String
    var message: String
    var errorHex: String
  }

  struct Safety: Decodable {
    var connectorStaticPublic: String
    var listenerStaticPublic: String
    var safetyNumber: String
  }

  var handshakeV2: [Case]
  var tamper: [Tamper]
  var cpaceLowOrder: LowOrder
  var version1Hello: VersionOne
  var safetyNumber: Safety

  enum CodingKeys: String, CodingKey {
    case handshakeV2, tamper, cpaceLowOrder
    case version1Hello = "version1Hello"
    case safetyNumber
  }

  static func load() throws -> HandshakeVectors {
    let root = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let data = try Data(contentsOf: root.appendingPathComponent("Resources/protocol-vectors.json"))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(HandshakeVectors.self, from: data)
  }
}
