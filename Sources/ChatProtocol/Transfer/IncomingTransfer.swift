/// The receiving side of one file transfer as a pure state machine: checks every chunk
/// against the offer, the order and the credit, and grants more credit as bytes reach the
/// disk, so a slow disk or a slow receiver slows the sender and nobody holds a file in
/// memory.
///
/// ```
///   offered ──accept(offset:)──▶ receiving ──FILE_DONE, every byte written──▶ (verify) ──▶ finished
///      │                            │
///      └──── reject, CANCEL, a fault, a drop ──────────────────────────────────────────▶ finished
/// ```
public struct IncomingTransfer: Sendable {
  public enum Phase: Hashable, Sendable {
    case offered
    case receiving
    case finished(TransferOutcome)
  }

  public let offer: FileOffer
  /// The file name as cleaned on this side (``SafeFileName``): what both sides show.
  public let name: String
  /// The credit kept ahead of what is on disk.
  public let window: UInt32
  public private(set) var phase = Phase.offered
  /// Where this connection's part of the transfer began (bytes already in the `.part` file).
  public private(set) var startOffset: UInt64 = 0
  /// The next byte expected from the sender.
  public private(set) var receivedOffset: UInt64 = 0
  /// Bytes on disk (from the start of the file).
  public private(set) var writtenBytes: UInt64 = 0
  /// The sender may send up to (not including) this offset.
  public private(set) var grantedLimit: UInt64 = 0
  /// The sender's SHA-256 of the whole file, once FILE_DONE has come.
  public private(set) var expectedHash: [UInt8]?

  public init(offer: FileOffer, name: String, window: UInt32 = 4 << 20) {
    self.offer = offer
    self.name = name
    self.window = max(1, window)
  }

  public var isFinished: Bool {
    if case .finished = phase { return true }
    return false
  }

  /// Accepts, carrying on after the `offset` bytes already on disk: the FILE_ACCEPT to send.
  public mutating func accept(offset: UInt64) -> FileAccept {
    let offset = min(offset, offer.size)
    startOffset = offset
    receivedOffset = offset
    writtenBytes = offset
    let window = UInt64(self.window)
    grantedLimit = offset + window
    phase = .receiving
    return FileAccept(id: offer.id, offset: offset, window: self.window)
  }

  /// A chunk of `count` bytes at `offset` arrived: it must be the next bytes, within the
  /// size and the credit. The shell then writes it and calls ``wrote(_:)``.
  public mutating func chunk(offset: UInt64, count: Int) throws(TransferFault) {
    guard phase == .receiving else {
      throw TransferFault("a chunk came for a transfer that is not receiving")
    }
    guard expectedHash == nil else { throw TransferFault("a chunk came after the sender said it was done") }
    guard offset == receivedOffset else {
      throw TransferFault("a chunk came for byte \(offset), not \(receivedOffset), the next one")
    }
    let end = offset + UInt64(count)
    guard end <= offer.size else {
      throw TransferFault("more bytes came than the \(offer.size) announced")
    }
    guard end <= grantedLimit else {
      throw TransferFault("the sender went past the credit it was given (byte \(end), credit to \(grantedLimit))")
    }
    receivedOffset = end
  }

  /// `count` more bytes are on disk. Returns the credit to grant now (FILE_CREDIT), if due:
  /// once less than half the window is left, enough to make it whole again.
  public mutating func wrote(_ count: Int) -> UInt32? {
    writtenBytes += UInt64(count)
    guard phase == .receiving, grantedLimit < offer.size else { return nil }
    let window = UInt64(self.window)
    let ahead = grantedLimit - writtenBytes
    guard ahead <= window / 2 else { return nil }
    let target = min(offer.size, writtenBytes + window)
    guard target > grantedLimit else { return nil }
    let grant = UInt32(target - grantedLimit)
    grantedLimit = target
    return grant
  }

  /// FILE_DONE: the sender has sent everything; `sha256` is its hash of the whole file.
  public mutating func done(sha256: [UInt8]) throws(TransferFault) {
    guard phase == .receiving, expectedHash == nil else {
      throw TransferFault("the sender said done for a transfer that is not receiving")
    }
    guard receivedOffset == offer.size else {
      throw TransferFault("the sender said done after \(receivedOffset) of \(offer.size) bytes")
    }
    expectedHash = sha256
  }

  /// Whether everything is in and on disk, and the hash can be checked.
  public var isReadyToVerify: Bool { expectedHash != nil && writtenBytes == offer.size && phase == .receiving }

  /// Checks this side's hash of the whole file against the sender's: the outcome and the
  /// FILE_RESULT to send. Compared in constant time (nothing secret, but no reason not to).
  public mutating func verify(actual: [UInt8]) -> (TransferOutcome, FileFrame) {
    let matches = expectedHash.map { Self.equal($0, actual) } ?? false
    let hex = hexString(actual)
    let outcome: TransferOutcome =
      matches
      ? .verified(sha256: hex)
      : .failed(reason: "hash mismatch: the SHA-256 of what arrived (\(hex.prefix(16))…) doesn't match the sender's")
    phase = .finished(outcome)
    let frame = FileFrame.result(offer.id, matches ? .verified : .hashMismatch, reason: matches ? "" : "hash mismatch")
    return (outcome, frame)
  }

  /// The transfer ends here: rejected, cancelled, a fault, or this side could not save it.
  public mutating func finish(_ outcome: TransferOutcome) {
    if !isFinished { phase = .finished(outcome) }
  }

  /// The connection dropped: what is on disk stays, and the sender's next offer carries on.
  public mutating func interrupted() {
    guard !isFinished else { return }
    phase = .offered
    expectedHash = nil
  }

  private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
  }
}
