public import ChatEvents

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

  /// Given, no sequence number yet (pending, or in the handshake), oldest first.
  private var unnumbered: [String] = []
  /// Sent, awaiting a receipt, by sequence number, oldest first.
  private var unconfirmed: [(sequence: UInt64, text: String)] = []
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

  /// `text` is about to be handed to the endpoint's `send`.
  public mutating func give(_ text: String) {
    unnumbered.append(text)
  }

  /// Settles the lines `event` speaks of.
  public mutating func observe(_ event: SessionEvent) {
    switch event {
    case .messageSent(let message, _, _):
      // The endpoint sends in the order given, so the first line with this text is the one.
      guard let index = unnumbered.firstIndex(of: message.text) else { return }
      unnumbered.remove(at: index)
      unconfirmed.append((message.sequence, message.text))
    case .datagramSent(let message, _, _):
      // UDP gives no receipt: a line sent as a datagram is settled once it is sent.
      guard let index = unnumbered.firstIndex(of: message.text) else { return }
      unnumbered.remove(at: index)
    case .messageNotSent(let text, let reason):
      guard let index = unnumbered.firstIndex(of: text) else { return }
      unnumbered.remove(at: index)
      undelivered.append(Undelivered(text: text, reason: reason))
    case .delivered(let sequences):
      let confirmed = Set(sequences)
      let before = unconfirmed.count
      unconfirmed.removeAll { confirmed.contains($0.sequence) }
      deliveredCount += before - unconfirmed.count
    case .written(let sequences):
      // No receipts will ever come (the tutorials' framing): written is as settled as it gets.
      let written = Set(sequences)
      let before = unconfirmed.count
      unconfirmed.removeAll { written.contains($0.sequence) }
      writtenCount += before - unconfirmed.count
    case .notDelivered(let message, let reason):
      guard let index = unconfirmed.firstIndex(where: { $0.sequence == message.sequence }) else { return }
      unconfirmed.remove(at: index)
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
  }
}
