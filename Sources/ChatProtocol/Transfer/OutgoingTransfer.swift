/// The sending side of one file transfer as a pure state machine: which bytes to read and
/// send next, within the receiver's credit and in order, and what each answer means.
///
/// ```
///   offered ──ACCEPT──▶ sending ──every byte sent──▶ awaitingResult ──RESULT──▶ finished
///      │                   │                               │
///      └──── REJECT, CANCEL, a fault, a drop (``interrupted()`` goes back to offered) ───▶ finished
/// ```
///
/// The shell reads one chunk at a time (``nextRead(chunkLimit:)`` then
/// ``readCompleted(_:count:)``), so the whole-file hash can follow the reads in order.
public struct OutgoingTransfer: Sendable {
  public enum Phase: Hashable, Sendable {
    case offered
    case sending
    case awaitingResult
    case finished(TransferOutcome)
  }

  /// One read for the shell to make: `length` bytes at `offset`.
  public struct Read: Hashable, Sendable {
    public var offset: UInt64
    public var length: Int
  }

  public let offer: FileOffer
  public private(set) var phase = Phase.offered
  /// Where the receiver asked to start (what it already had).
  public private(set) var startOffset: UInt64 = 0
  /// The next byte to read (reads are sent as they complete, so it is also what is sent).
  public private(set) var nextOffset: UInt64 = 0
  /// The receiver lets us send up to (not including) this offset.
  public private(set) var creditLimit: UInt64 = 0
  /// A read is out and not back yet.
  public private(set) var readInFlight = false

  public init(offer: FileOffer) {
    self.offer = offer
  }

  /// Whether the transfer has ended, one way or another.
  public var isFinished: Bool {
    if case .finished = phase { return true }
    return false
  }

  /// Bytes sent so far in this connection's part of the transfer, from the start offset.
  public var sentBytes: UInt64 { nextOffset - startOffset }

  /// The receiver accepted, starting at `offset` (the bytes it has), with `window` bytes
  /// of credit.
  public mutating func accepted(offset: UInt64, window: UInt32) throws(TransferFault) {
    guard phase == .offered else { throw TransferFault("an accept came for a transfer already under way") }
    guard offset <= offer.size else {
      throw TransferFault("the receiver asked to start at byte \(offset) of a \(offer.size)-byte file")
    }
    startOffset = offset
    nextOffset = offset
    creditLimit = offset + UInt64(window)
    phase = .sending
  }

  /// The receiver grants `bytes` more.
  public mutating func credited(_ bytes: UInt32) throws(TransferFault) {
    switch phase {
    case .sending, .awaitingResult:
      let (sum, overflow) = creditLimit.addingReportingOverflow(UInt64(bytes))
      creditLimit = overflow ? .max : sum
    case .offered:
      throw TransferFault("credit came before the transfer was accepted")
    case .finished:
      break  // A late grant crossing our last chunk: harmless.
    }
  }

  /// The next read to make, if one is due now (sending, none out, credit left, bytes
  /// left); it is then out until ``readCompleted(_:count:)``.
  public mutating func nextRead(chunkLimit: Int) -> Read? {
    guard phase == .sending, !readInFlight, nextOffset < offer.size, nextOffset < creditLimit, chunkLimit > 0 else {
      return nil
    }
    let length = min(UInt64(chunkLimit), offer.size - nextOffset, creditLimit - nextOffset)
    readInFlight = true
    return Read(offset: nextOffset, length: Int(length))
  }

  /// The read came back with `count` bytes; returns whether they go out as one chunk (not
  /// when the transfer was interrupted or ended meanwhile). Fewer than asked means the file
  /// shrank while being sent.
  public mutating func readCompleted(_ read: Read, count: Int) throws(TransferFault) -> Bool {
    guard phase == .sending, readInFlight, read.offset == nextOffset else { return false }
    readInFlight = false
    guard count == read.length else {
      throw TransferFault(
        "the file changed while it was being sent (it is shorter than the \(offer.size) bytes offered)")
    }
    nextOffset += UInt64(count)
    return true
  }

  /// Whether every byte has gone out and FILE_DONE is due.
  public var isComplete: Bool { phase == .sending && !readInFlight && nextOffset == offer.size }

  /// FILE_DONE went out: now the receiver's verdict is awaited.
  public mutating func doneSent() {
    if isComplete { phase = .awaitingResult }
  }

  /// The receiver's verdict, FILE_RESULT.
  @discardableResult
  public mutating func resultReceived(_ status: FileResultStatus, reason: String, sha256: String) throws(TransferFault)
    -> TransferOutcome
  {
    guard phase == .awaitingResult else {
      throw TransferFault("a result came before every byte was sent")
    }
    let outcome: TransferOutcome =
      switch status {
      case .verified: .verified(sha256: sha256)
      case .hashMismatch:
        .failed(reason: "the receiver's SHA-256 of the file didn't match" + (reason.isEmpty ? "" : ": \(reason)"))
      case .failed: .failed(reason: reason.isEmpty ? "the receiver could not save it" : reason)
      }
    phase = .finished(outcome)
    return outcome
  }

  /// The transfer ends here: rejected, cancelled, or a fault.
  public mutating func finish(_ outcome: TransferOutcome) {
    if !isFinished { phase = .finished(outcome) }
  }

  /// The connection dropped: the offer goes out again on the next one (same id and resume
  /// key), and the receiver says where to carry on.
  public mutating func interrupted() {
    guard !isFinished else { return }
    phase = .offered
    readInFlight = false
    creditLimit = 0
  }
}
