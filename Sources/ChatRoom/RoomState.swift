public import ChatProtocol
import DequeModule

/// The conversation of one listener with many clients, as a pure state machine.
///
/// It decides who may connect, what each participant is called, in which single order
/// messages are passed on, who is flooding, and who is in the room. Its shell (a SwiftNIO
/// listener on one event loop) feeds it connections, handshakes, messages and departures,
/// and carries out the ``RoomAction``s it returns. Time comes in as monotonic nanoseconds.
///
/// Every message goes to every participant, its sender included (the echo tells the sender
/// where the message landed), so all participants see the same order.
public struct RoomState: Sendable {
  public struct Participant: Hashable, Sendable {
    public var name: String
    public var address: String
    public var authenticated: Bool
    /// The member's identity key as the relay knows it ("key 3f2a-91c0-7b1e-44d2
    /// (verified)"), shown in WHO; nil for the host.
    public var key: String?
    public var since: String
    /// Messages this participant sent, and their bytes of text.
    public var messagesIn = 0
    public var bytesIn = 0
    /// The last round trip measured to this participant's program (nanoseconds).
    public var roundTrip: UInt64?
    /// The room's totals when this participant joined: what it has received since is the
    /// difference (every message goes to everyone), so counting costs nothing per receiver.
    var roomMessagesAtJoin = 0
    var roomBytesAtJoin = 0
    var messageBucket: TokenBucket
    var byteBucket: TokenBucket
    /// Its connection dropped and its session may resume: still in the room, quietly.
    public internal(set) var isAway = false
    var awayReason = ""
  }

  public let limits: RoomLimits
  public internal(set) var participants: [ParticipantID: Participant] = [:] {
    didSet { rosterVersion &+= 1 }
  }
  /// Changes whenever anything a WHO answer shows may have changed.
  private var rosterVersion: UInt64 = 0
  /// The last WHO answer built, with and without addresses, and for which roster version:
  /// many members asking at once share one answer.
  private var whoAnswers: [Bool: (version: UInt64, events: [RoomEvent])] = [:]
  /// How many WHO answers were built (the rest were shared).
  public private(set) var whoAnswersBuilt = 0
  /// Each member's WHO allowance (``RoomLimits/whoPerSecond``), apart from the roster so
  /// that spending it doesn't change what an answer shows.
  var whoBuckets: [ParticipantID: TokenBucket] = [:]
  /// Participant ids in joining order (ids only grow), so a message's deliveries are in a
  /// stable order without sorting on every message.
  var order: [ParticipantID] = []
  /// Names present, by what they look like (a look-alike of a present name is renamed).
  var names = NameRegistry()
  /// Away participants in the order they went away (entries for those back or gone since
  /// are skipped), and how many are away now.
  var awayOrder: Deque<ParticipantID> = []
  public internal(set) var awayCount = 0
  /// Connections per source address, handshaking ones included.
  public private(set) var connectionsByAddress: [String: Int] = [:]
  public private(set) var connectionCount = 0
  /// Connections admitted that have not finished their handshake yet.
  public private(set) var handshakingCount = 0
  /// Failed authentications by address, and each address's wait before its next attempt.
  private var authThrottle: AuthThrottle
  /// Addresses with failed authentications on record (bounded by the limits).
  public var authFailureRecords: Int { authThrottle.count }
  /// The number of the room's last message (0 before the first).
  public private(set) var lastSequence: UInt64 = 0
  /// Messages relayed, and their bytes of text.
  private var roomMessages = 0
  private var roomBytes = 0

  /// What participant `id` has received from the others: messages and bytes of text (the
  /// figures its own /stats shows).
  public func received(by id: ParticipantID) -> (messages: Int, bytes: Int) {
    guard let participant = participants[id] else { return (0, 0) }
    return (
      roomMessages - participant.roomMessagesAtJoin - participant.messagesIn,
      roomBytes - participant.roomBytesAtJoin - participant.bytesIn
    )
  }

  /// A round trip to participant `id`'s program was measured (shown by /who).
  public mutating func recordRoundTrip(_ id: ParticipantID, nanoseconds: UInt64) {
    participants[id]?.roundTrip = nanoseconds
  }

  /// - Parameter host: the listening person's name and the time they started, or nil for a
  ///   relay with no local participant (`--serve`).
  public init(limits: RoomLimits = RoomLimits(), host: (name: String, since: String)?) {
    self.limits = limits
    self.authThrottle = AuthThrottle(
      allowed: limits.authFailuresAllowed, firstWait: limits.authFailureFirstWait, maximumWait: limits.authFailureBlock,
      forgetAfter: limits.authFailureWindow,
      capacity: limits.maximumAuthFailureRecords)
    if let host {
      participants[.host] = Participant(
        name: host.name, address: "local", authenticated: true, since: host.since,
        messageBucket: TokenBucket(capacity: .infinity, rate: 0),
        byteBucket: TokenBucket(capacity: .infinity, rate: 0))
      order = [.host]
      _ = names.claim(host.name)
    }
  }

  public var participantCount: Int { participants.count }

  /// Participants in the order they joined (the host first).
  public var roster: [(ParticipantID, Participant)] {
    order.map { ($0, participants[$0]!) }
  }

  // MARK: - Connections

  /// A connection from `address` (the peer's IP) was accepted by the socket: may it stay?
  /// Returns nil to admit it, or the reason to turn it away. An admitted connection must
  /// be matched by ``connectionClosed(address:)``. Addresses count by ``AddressKey`` (an
  /// IPv4-mapped address as its IPv4 address, IPv6 by /64).
  public mutating func admit(address: String, now: UInt64) -> ErrorReport? {
    let key = AddressKey(address)
    if let wait = authThrottle.admit(key, now: now) {
      return ErrorReport(
        code: .authThrottled,
        message: "too many failed authentications from \(key); try again in \(Quantities.duration(nanoseconds: wait))"
      )
    }
    guard connectionCount < limits.maximumConnections else {
      return ErrorReport(code: .busy, message: "the room is full (\(limits.maximumConnections) connections)")
    }
    guard connectionsByAddress[key.description, default: 0] < limits.maximumConnectionsPerAddress else {
      return ErrorReport(
        code: .busy,
        message: "too many connections from \(key) (at most \(limits.maximumConnectionsPerAddress))")
    }
    connectionCount += 1
    handshakingCount += 1
    connectionsByAddress[key.description, default: 0] += 1
    return nil
  }

  /// Whether more connections are handshaking than ``RoomLimits/maximumHandshaking``: the
  /// shell then lets the oldest of them go (and calls ``handshakeEnded()`` for it). Letting
  /// the oldest go rather than turning the newest away keeps a flood of connections that
  /// never say hello from locking honest clients out: an honest handshake takes a round
  /// trip, so it is never the oldest for long.
  public var handshakesOverLimit: Bool { handshakingCount > limits.maximumHandshaking }

  /// An admitted connection finished its handshake, or closed before it did: either way it
  /// no longer counts against ``RoomLimits/maximumHandshaking``. Call once per connection.
  public mutating func handshakeEnded() {
    handshakingCount = max(0, handshakingCount - 1)
  }

  public mutating func connectionClosed(address: String) {
    let key = AddressKey(address).description
    connectionCount -= 1
    connectionsByAddress[key, default: 1] -= 1
    if connectionsByAddress[key] == 0 { connectionsByAddress[key] = nil }
  }

  /// A client from `address` failed to authenticate: from the allowance on, the address
  /// waits before its next attempt, 1 s doubling to `authFailureBlock` (``AuthThrottle``).
  public mutating func authenticationFailed(address: String, now: UInt64) -> [RoomAction] {
    let key = AddressKey(address)
    let (failures, wait) = authThrottle.failed(key, now: now)
    guard wait > 0 else { return [] }
    return [
      .alert(
        "\(key) failed to authenticate \(failures) times: its next attempt waits \(Quantities.duration(nanoseconds: wait))"
      )
    ]
  }

  // MARK: - Participants

  /// Participant `id` finished the handshake asking to be called `requestedName`.
  /// `address` is shown to the host (and to members with ``RoomLimits/showsAddresses``).
  public mutating func join(
    _ id: ParticipantID,
    requestedName: String,
    address: String,
    authenticated: Bool,
    key: String? = nil,
    since: String,
    now: UInt64 = 0
  ) -> [RoomAction] {
    let (name, note) = names.claim(requestedName, now: now)
    participants[id] = Participant(
      name: name, address: address, authenticated: authenticated, key: key, since: since,
      roomMessagesAtJoin: roomMessages, roomBytesAtJoin: roomBytes,
      messageBucket: TokenBucket(capacity: limits.messageBurst, rate: limits.messagesPerSecond),
      byteBucket: TokenBucket(capacity: limits.byteBurst, rate: limits.bytesPerSecond))
    order.append(id)
    let count = participants.count
    let renamed = note.map { " (\($0))" } ?? ""
    let auth = authenticated ? "authenticated" : "unauthenticated"
    return [
      .log("\(name) joined from \(address)\(renamed), \(auth)\(key.map { ", \($0)" } ?? "")"),
      welcome(id, as: name, "you are \(name)\(renamed); \(count) in the room"),
    ] + announceArrival(name, address: address, detail: auth, except: id)
  }

  /// Participant `id` left (or was dropped) for `reason`. Its name is free at once.
  public mutating func leave(_ id: ParticipantID, reason: String) -> [RoomAction] {
    guard let participant = participants.removeValue(forKey: id) else { return [] }
    whoBuckets[id] = nil
    names.release(participant.name)
    order.removeAll { $0 == id }
    let count = participants.count
    let reason = RoomEvent.capped(reason)
    return [
      .log("\(participant.name) left: \(reason)"),
      .announceAll(RoomEvent(kind: .left, participantCount: count, name: participant.name, detail: reason), except: []),
    ]
  }

  /// The WELCOME that tells participant `id` its name in the room.
  func welcome(_ id: ParticipantID, as name: String, _ detail: String) -> RoomAction {
    .announce(to: id, RoomEvent(kind: .welcome, participantCount: participants.count, name: name, detail: detail))
  }

  /// A join as everyone sees it: the host (and members, if addresses are shown) with the
  /// address, the other members without.
  private func announceArrival(_ name: String, address: String, detail: String, except id: ParticipantID)
    -> [RoomAction]
  {
    let count = participants.count
    let full = RoomEvent(kind: .joined, participantCount: count, name: name, detail: "\(address), \(detail)")
    if limits.showsAddresses { return [.announceAll(full, except: [id])] }
    let plain = RoomEvent(kind: .joined, participantCount: count, name: name, detail: detail)
    let toHost: [RoomAction] = participants[.host] == nil ? [] : [.announce(to: .host, full)]
    return toHost + [.announceAll(plain, except: [id, .host])]
  }

  /// Participant `id` wrote `text` (`payloadBytes` of frame payload), its message
  /// `number` in its own numbering: pass it on, in the room's order. A participant over
  /// its rate is paced: the message goes on, and the relay stops reading from it until its
  /// allowance has refilled (``RoomAction/pause(_:nanoseconds:)``).
  public mutating func message(
    from id: ParticipantID, number: UInt64, text: String, payloadBytes: Int, now: UInt64
  ) -> [RoomAction] {
    guard var sender = participants[id], !sender.isAway else { return [] }
    sender.messageBucket.spend(1, now: now)
    sender.byteBucket.spend(Double(payloadBytes), now: now)
    sender.messagesIn += 1
    sender.bytesIn += text.utf8.count
    participants[id] = sender
    lastSequence += 1
    roomMessages += 1
    roomBytes += text.utf8.count
    var actions: [RoomAction] = [.broadcast(from: id, sender: sender.name, text: text, sequence: lastSequence)]
    let wait = pauseRemaining(for: id, now: now)
    if wait > 0 { actions.append(.pause(id, nanoseconds: wait)) }
    return actions
  }

  /// How long the relay should still not read from participant `id` (0: read on).
  public mutating func pauseRemaining(for id: ParticipantID, now: UInt64) -> UInt64 {
    guard var participant = participants[id] else { return 0 }
    let wait = max(
      participant.messageBucket.nanosecondsUntilRepaid(now: now),
      participant.byteBucket.nanosecondsUntilRepaid(now: now))
    participants[id] = participant
    return wait
  }

  /// How long participant `id` must wait before its next WHO is answered (0: now). A
  /// roster answer is a hundred entries made for one asker alone: answering every request
  /// at once would let a few members flood the relay's time and memory.
  public mutating func whoWait(for id: ParticipantID, now: UInt64) -> UInt64 {
    guard id != .host, participants[id] != nil else { return 0 }
    let fresh = newWhoBucket
    return whoBuckets[id, default: fresh].nanosecondsUntilRepaid(now: now)
  }

  /// Participant `id` asked who is in the room: at most ``RoomLimits/maximumWhoEntries``
  /// participants, then one line for the rest. Each answer takes one of the asker's WHO
  /// allowance (see ``whoWait(for:now:)``).
  public mutating func who(for id: ParticipantID, now: UInt64 = 0) -> [RoomAction] {
    let showsAddress = id == .host || limits.showsAddresses
    if id != .host, participants[id] != nil {
      let fresh = newWhoBucket
      whoBuckets[id, default: fresh].spend(1, now: now)
    }
    if let shared = whoAnswers[showsAddress], shared.version == rosterVersion {
      return shared.events.map { .announce(to: id, $0) }
    }
    let events = whoAnswer(showingAddresses: showsAddress)
    whoAnswersBuilt += 1
    whoAnswers[showsAddress] = (rosterVersion, events)
    return events.map { .announce(to: id, $0) }
  }

  private var newWhoBucket: TokenBucket { TokenBucket(capacity: limits.whoBurst, rate: limits.whoPerSecond) }

  /// The roster as WHO shows it, with or without the members' addresses.
  private func whoAnswer(showingAddresses showsAddress: Bool) -> [RoomEvent] {
    let count = participants.count
    var events: [RoomEvent] = roster.prefix(limits.maximumWhoEntries).map { participantID, participant in
      let (messagesOut, bytesOut) = received(by: participantID)
      var facts: [String] = []
      if showsAddress { facts.append(participant.address) }
      facts += [
        participantID == .host ? "host" : participant.authenticated ? "authenticated" : "unauthenticated"
      ]
      if let key = participant.key { facts.append(key) }
      facts += [
        "since \(participant.since)",
        "sent \(participant.messagesIn) (\(participant.bytesIn) B)",
        "received \(messagesOut) (\(bytesOut) B)",
      ]
      if let roundTrip = participant.roundTrip { facts.append("rtt \(Quantities.measured(nanoseconds: roundTrip))") }
      if participant.isAway { facts.append("away: \(participant.awayReason)") }
      return RoomEvent(
        kind: .who, participantCount: count, name: participant.name, detail: facts.joined(separator: ", "))
    }
    if count > limits.maximumWhoEntries {
      events.append(
        RoomEvent(
          kind: .notice, participantCount: count, name: "room",
          detail: "and \(count - limits.maximumWhoEntries) more (the list shows the first \(limits.maximumWhoEntries))")
      )
    }
    return events
  }
}
