/// "I have this file for you": the first frame of a transfer (FILE_OFFER, `0x40`).
///
/// ```
/// offset  size  field
///      0    16  transfer id
///     16     8  size in bytes (UInt64)
///     24    16  resume key
///     40     1  peer name length P (0...64)
///     41     P  peer name, UTF-8
///   41+P     n  file name, UTF-8, the rest of the payload, 1 ≤ n ≤ 255
/// ```
public struct FileOffer: Hashable, Sendable {
  /// Bytes in a ``resumeKey``.
  public static let resumeKeyLength = 16
  /// The most bytes of UTF-8 in a ``peer`` name (a hello name's limit).
  public static let maximumPeerLength = Hello.maximumNameLength
  /// The most bytes of UTF-8 in a file ``name`` (a Linux file name's limit).
  public static let maximumNameLength = 255
  /// Payload bytes before the peer name: id, size, resume key and the peer name's length.
  static let fixedLength = TransferID.length + 8 + resumeKeyLength + 1

  /// The transfer's id, chosen at random by the offering side.
  public let id: TransferID
  /// The file's size in bytes.
  public let size: UInt64
  /// The same for the same file offered again (after a drop, or by a restarted sender), so
  /// the receiver can resume into what it already has.
  public let resumeKey: [UInt8]
  /// From a room member to the relay: the member the file is for (empty: the host). From the
  /// relay to the receiver: the sender's room name.
  public let peer: String
  /// The sender's name for the file, as its side cleaned it (``SafeFileName/clean(_:)``); the
  /// receiver cleans it again and never trusts it.
  public let name: String

  /// - Precondition: `resumeKey` holds ``resumeKeyLength`` bytes, `peer` at most
  ///   ``maximumPeerLength`` bytes of UTF-8 and `name` 1 to ``maximumNameLength`` (a name
  ///   from ``SafeFileName/clean(_:)`` always fits).
  public init(id: TransferID, size: UInt64, resumeKey: [UInt8], peer: String, name: String) {
    precondition(resumeKey.count == Self.resumeKeyLength, "a resume key is \(Self.resumeKeyLength) bytes")
    precondition(peer.utf8.count <= Self.maximumPeerLength, "a peer name is at most \(Self.maximumPeerLength) bytes")
    precondition(
      (1...Self.maximumNameLength).contains(name.utf8.count), "a file name is 1 to \(Self.maximumNameLength) bytes")
    self.id = id
    self.size = size
    self.resumeKey = resumeKey
    self.peer = peer
    self.name = name
  }

  /// Payload bytes of the FILE_OFFER frame carrying this offer.
  var payloadLength: Int { Self.fixedLength + peer.utf8.count + name.utf8.count }
}
