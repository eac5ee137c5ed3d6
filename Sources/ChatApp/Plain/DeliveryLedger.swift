public import ChatEvents
import DequeModule

/// The lines the front end gave the endpoint and what became of each, so that at end of
/// input chat can wait until every one is confirmed and then say exactly which were not.
///
/// Pure: fed the lines given and the endpoint's events, in order. A line is *outstanding*
/// from ``give(_:)`` until a receipt (`delivered`) or a refusal (`not-sent`,
/// `not-delivered`) settles it.
public struct DeliveryLedger: Sendable {
  /// A line that was not delivered, and why.
  public struct Undelivered: Hashable, Sendable {
    public let text: String
    public let reason: String

    public init(text: String, reason: String) {
      self.text = text
      self.reason = reason
    }
  }

  /// Given, no sequence number yet (pending, or in the handshake), oldest first. A deque:
  /// lines are nearly always settled oldest first, so each step is O(1) however many wait.
  private var unnumbered: Deque<String> = []
  /// Sent, awaiting a receipt, by sequence number, oldest first.
  private var unconfirmed: Deque<(sequence: UInt64, text: String)> = []
  /// The lines settled as not delivered, in the order they were settled.
  public private(set) var undelivered: [Undelivered] = []
  /// How many lines were confirmed delivered.
  public private(set) var deliveredCount = 0
  /// How many lines were written to a connection that gives no receipts.
  public private(set) var writtenCount = 0

  public init() {}

  /// Whether every line given has been settled, one way or the other.
  public var isSettled: Bool { unnumbered.isEmpty && unconfirmed.isEmpty }

  /// How many lines still await their outcome.
  public var outstandingCount: Int { unnumbered.count + unconfirmed.count }

  /// The UTF-8 bytes of the lines that still await their outcome: what the front end holds
  /// back its reading of input by, so a huge pipe is never read into memory ahead of the
  /// network.
  public private(set) var outstandingBytes = 0

  /// `text` is about to be handed to the endpoint's `send`.
  public mutating func give(_ text: String) {
    unnumbered.append(text)
    outstandingBytes += text.utf8.count
  }

  /// Takes the oldest unnumbered line equal to `text` (the first, nearly always).
  private mutating func takeUnnumbered(_ text: String) -> Bool {
    if unnumbered.first == text {
      unnumbered.removeFirst()
    } else {
      guard let index = unnumbered.firstIndex(of: text) else { return false }
      unnumbered.remove(at: index)
    }
    return true
  }

  /// Takes the unconfirmed lines numbered `sequences` (oldest first, nearly always);
  /// returns how many there were.
  private mutating func takeUnconfirmed(_ sequences: [UInt64]) -> Int {
    var taken = 0
    for sequence in sequences {
      if unconfirmed.first?.sequence == sequence {
        outstandingBytes -= unconfirmed.removeFirst().text.utf8.count
      } else {
        guard let index = unconfirmed.firstIndex(where: { $0.sequence == sequence }) else { continue }
        outstandingBytes -= unconfirmed.remove(at: index).text.utf8.count
      }
      taken += 1
    }
    return taken
  }

  /// Settles the lines `event` speaks of.
  public mutating func observe(_ event: SessionEvent) {
    switch event {
    case .messageSent(let message, _, _):
      // The endpoint sends in the order given, so the first line with this text is the one.
      guard takeUnnumbered(message.text) else { return }
      unconfirmed.append((message.sequence, message.text))
    case .datagramSent(let message, _, _):
      // UDP gives no receipt: a line sent as a datagram is settled once it is sent.
      guard takeUnnumbered(message.text) else { return }
      outstandingBytes -= message.text.utf8.count
    case .messageNotSent(let text, let reason):
      guard takeUnnumbered(text) else { return }
      outstandingBytes -= text.utf8.count
      undelivered.append(Undelivered(text: text, reason: reason))
    case .delivered(let sequences):
      deliveredCount += takeUnconfirmed(sequences)
    case .written(let sequences):
      // No receipts will ever come (the tutorials' framing): written is as settled as it gets.
      writtenCount += takeUnconfirmed(sequences)
    case .notDelivered(let message, let reason):
      guard let index = unconfirmed.firstIndex(where: { $0.sequence == message.sequence }) else { return }
      outstandingBytes -= unconfirmed.remove(at: index).text.utf8.count
      undelivered.append(Undelivered(text: message.text, reason: reason))
    default:
      break
    }
  }

  /// Gives up waiting: every outstanding line is settled as not delivered with `reason`.
  public mutating func abandon(reason: String) {
    for (_, text) in unconfirmed { undelivered.append(Undelivered(text: text, reason: reason)) }
    for text in unnumbered { undelivered.append(Undelivered(text: text, reason: reason)) }
    unconfirmed.removeAll()
    unnumbered.removeAll()
    outstandingBytes = 0
  }
}
