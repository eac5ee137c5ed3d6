/// The one-byte type code that follows the length in every frame header.
///
/// Codes are grouped by purpose so that later additions (delivery receipts, room events,
/// file transfer) get codes without a protocol version change. A peer only sends a frame
/// of a newer type after both hellos announced the matching capability, so an unknown
/// type on the wire is always a protocol error.
public enum FrameType: UInt8, Sendable, CaseIterable {
  /// First frame in each direction: version, auth offer, limits, nonce, name.
  case hello = 0x01
  /// Protocol version 1's HMAC proof of the shared secret. Retired: version 2 proves the
  /// secret with CPace, and receiving this type is an ``ErrorCode/unexpectedFrame`` error.
  case authProof = 0x02
  /// Connector → listener: start or resume a session (capability `resume`).
  case session = 0x03
  /// Listener → connector: the session's id and what was received of it (capability `resume`).
  case sessionAccept = 0x04
  /// This side's CPace share: 32 bytes (with a shared secret, before the Noise handshake).
  case cpace = 0x05
  /// One message of the Noise handshake.
  case noise = 0x06
  /// An encrypted, authenticated record holding one or more inner frames.
  case sealed = 0x07
  /// A chat message: sequence number and UTF-8 text.
  case text = 0x10
  /// Cumulative receipt: every message numbered up to this one arrived (capability `resume`).
  case ack = 0x11
  /// A room message relayed with its sender's name (capability `room`).
  case roomText = 0x12
  /// One message the receiver will not deliver, with the reason (capability `resume`).
  case refused = 0x13
  /// Round-trip probe carrying 8 opaque bytes.
  case ping = 0x20
  /// Answer to a ping, echoing its 8 bytes.
  case pong = 0x21
  /// Orderly goodbye with a reason; the sender closes after it.
  case bye = 0x30
  /// A fatal error report; the sender closes after it.
  case error = 0x31
  /// File transfer: an offer of a file (capability `files`, docs/PROTOCOL.md §10).
  case fileOffer = 0x40
  /// File transfer: the receiver accepts an offer, with an offset and a window.
  case fileAccept = 0x41
  /// File transfer: the receiver declines an offer.
  case fileReject = 0x42
  /// File transfer: bytes of the file at an offset.
  case fileChunk = 0x43
  /// File transfer: more credit for the sender.
  case fileCredit = 0x44
  /// File transfer: every byte is sent; the file's SHA-256.
  case fileDone = 0x45
  /// File transfer: the receiver's verdict (verified, hash mismatch, failed).
  case fileResult = 0x46
  /// File transfer: either side stops the transfer.
  case fileCancel = 0x47
  /// A room event: someone joined or left, your name, a /who line (capability `room`).
  case roomEvent = 0x50
  /// A request for the room's participant list (capability `room`).
  case whoRequest = 0x51
}
