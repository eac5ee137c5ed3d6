/// The 16 random bytes that name one file transfer, chosen by the side that offers the file.
///
/// Every file frame (FILE_OFFER … FILE_CANCEL, docs/PROTOCOL.md §10) starts with it. People
/// see and type its ``short`` form (`/accept 1a2b3c4d`).
public struct TransferID: Hashable, Sendable, CustomStringConvertible {
  /// Bytes in an id.
  public static let length = 16

  /// The id's 16 bytes.
  public let bytes: [UInt8]

  /// The id made of `bytes`, or nil unless there are exactly ``length`` of them.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.length else { return nil }
    self.bytes = bytes
  }

  /// A fresh id from `generator`.
  public static func random(using generator: inout some RandomNumberGenerator) -> TransferID {
    TransferID(uncheckedBytes: (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
  }

  /// A fresh id from the system's cryptographic generator.
  public static func random() -> TransferID {
    var generator = SystemRandomNumberGenerator()
    return random(using: &generator)
  }

  init(uncheckedBytes bytes: [UInt8]) {
    self.bytes = bytes
  }

  /// The first four bytes as eight lowercase hex digits: what is shown and typed.
  public var short: String { bytes.prefix(4).map { hex($0) }.joined() }

  /// All sixteen bytes as 32 lowercase hex digits.
  public var hexString: String { bytes.map { hex($0) }.joined() }

  public var description: String { short }
}
