/// The fixed five-byte header in front of every frame.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          payload length (UInt32, network byte order)          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  frame type   |  payload (payload length bytes) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The length counts the payload only, not the header.
public enum FrameHeader {
  /// Bytes in a header: four of length, one of type.
  public static let size = 5
  /// The default largest payload a peer accepts: 1 MiB.
  public static let defaultMaximumPayloadLength = 1 << 20
  /// The smallest maximum a peer may announce: room for the largest hello (634 bytes) and
  /// for short messages. A hello announcing less is malformed.
  public static let minimumMaximumPayloadLength = 1024
}
