/// File transfer's part of a session (capability `files`, docs/PROTOCOL.md §10): the machine
/// only carries the frames, both ways; the transfers' state is the transfer layer's.
extension SessionMachine {
  /// The most file data put in one FILE_CHUNK, whatever the peer accepts: 128 KiB, so chat
  /// frames interleave with a transfer's chunks at a fine grain.
  public static let largestFileChunkLength = 128 * 1024

  /// The data bytes for one FILE_CHUNK to this peer: min(128 KiB, its maximum payload − 32;
  /// the chunk's 24-byte header fits in the 32), or nil when the session is not established.
  public var maximumFileChunkLength: Int? {
    guard case .established(let peer) = state else { return nil }
    return min(Self.largestFileChunkLength, peer.maximumPayloadLength - 32)
  }

  /// Whether the session is established and both hellos listed `files`.
  public var supportsFiles: Bool {
    guard case .established(let peer) = state else { return false }
    return peer.capabilities.contains(Capability.files) && configuration.capabilities.contains(Capability.files)
  }

  /// Sends a file transfer's frame: `[.send(.file(frame))]` when ``supportsFiles``, nothing
  /// otherwise (not established, or `files` not negotiated), and nothing for a frame the peer
  /// would refuse: larger than it accepts (chunks are cut to ``maximumFileChunkLength``), or
  /// not ``FileFrame/isWellFormed``. Those are the caller's bugs; the session goes on.
  public mutating func sendFile(_ frame: FileFrame) -> [SessionAction] {
    guard supportsFiles, frame.isWellFormed, let limit = peerMaximumPayloadLength, frame.payloadLength <= limit
    else { return [] }
    return [.send(.file(frame))]
  }
}
