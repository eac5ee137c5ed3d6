public import ChatProtocol

/// Which file transfer an event is about, as both front ends show it.
public struct FileTransferInfo: Hashable, Sendable {
  /// Whether this side sends the file or receives it.
  public enum Direction: Hashable, Sendable {
    case outgoing
    case incoming
  }

  public var id: TransferID
  /// The cleaned file name (``SafeFileName``): what both sides show.
  public var name: String
  public var size: UInt64
  /// Who sends it (incoming) or who it is for (outgoing; empty: the peer at the other end).
  public var peer: String
  public var direction: Direction

  public init(id: TransferID, name: String, size: UInt64, peer: String, direction: Direction) {
    self.id = id
    self.name = name
    self.size = size
    self.peer = peer
    self.direction = direction
  }

  /// The id as the user types it: `/accept 3f2a91c0`.
  public var shortID: String { id.short }
}
