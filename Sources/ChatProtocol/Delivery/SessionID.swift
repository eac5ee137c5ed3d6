/// The 16 random bytes a relay gives a client's session so that the client can resume it
/// on a new connection. All zeros means "no session yet".
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
  public static let length = 16
  /// The id a client sends when it has no session to resume.
  public static let none = SessionID(bytes: [UInt8](repeating: 0, count: length))

  public let bytes: [UInt8]

  /// - Precondition: `bytes` holds ``length`` bytes.
  public init(bytes: [UInt8]) {
    precondition(bytes.count == Self.length, "a session id is \(Self.length) bytes")
    self.bytes = bytes
  }

  /// A fresh id from `generator` (a cryptographic one in production).
  public static func random(using generator: inout some RandomNumberGenerator) -> SessionID {
    SessionID(bytes: (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
  }

  public var isNone: Bool { bytes.allSatisfy { $0 == 0 } }

  /// The first four bytes in hex: enough to tell sessions apart in a log.
  public var description: String { bytes.prefix(4).map { hex($0) }.joined() }
}
