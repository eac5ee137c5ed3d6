public import ChatProtocol

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
    public var since: String
    public var messagesIn = 0
    public var bytesIn = 0
    /// The room's totals when this participant joined: what it has received since is the
    /// difference (every message goes to everyone), so counting costs nothing per receiver.
    var roomMessagesAtJoin = 0
    var roomBytesAtJoin = 0
    var messageBucket: TokenBucket
    var byteBucket: TokenBucket
    var refusedInARow = 0
  }

  public let limits: RoomLimits
  public private(set) var participants: [ParticipantID: Participant] = [:]
  /// Participant ids in joining order (ids only grow), so a message's deliveries are in a
  /// stable order without sorting on every message.
  private var order: [ParticipantID] = []
  /// Names present, by what they look like (a look-alike of a present name is renamed).
  private var names = NameRegistry()
  /// Connections per source address, handshaking ones included.
  public private(set) var connectionsByAddress: [String: Int] = [:]
  public private(set) var connectionCount = 0
  /// Failed authentications by address, and each address's wait before its next attempt.
  private var authThrottle: AuthThrottle
  /// Addresses with failed authentications on record (bounded by the limits).
  public var authFailureRecords: Int { authThrottle.count }
  /// The number of the room's last message (0 before the first).
  public private(set) var lastSequence: UInt64 = 0
  /// Messages relayed, and the ROOM_TEXT bytes each participant received for them.
  private var roomMessages = 0
  private var roomBytes = 0

  /// What participant `id` has received from the room: messages and bytes on the wire.
  public func received(by id: ParticipantID) -> (messages: Int, bytes: Int) {
    guard let participant = participants[id] else { return (0, 0) }
    return (roomMessages - participant.roomMessagesAtJoin, roomBytes - participant.roomBytesAtJoin)
  }

  /// - Parameter host: the listening person's name and the time they started, or nil for a
  ///   relay with no local participant (`--serve`).
  public init(limits: RoomLimits = RoomLimits(), host: (name: String, since: String)?) {
    self.limits = limits
    self.authThrottle = AuthThrottle(
      allowed: limits.authFailuresAllowed, maximumWait: limits.authFailureBlock, forgetAfter: limits.authFailureWindow,
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
        message: "too many failed authentications from \(key); try again in \(DurationText.describe(nanoseconds: wait))"
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
    connectionsByAddress[key.description, default: 0] += 1
    return nil
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
        "\(key) failed to authenticate \(failures) times: its next attempt waits \(DurationText.describe(nanoseconds: wait))"
      )
    ]
  }

  // MARK: - Participants

  /// Participant `id` finished the handshake asking to be called `requestedName`.
  public mutating func join(
    _ id: ParticipantID,
    requestedName: String,
    address: String,
    authenticated: Bool,
    since: String
  ) -> [RoomAction] {
    let (name, note) = names.claim(requestedName)
    participants[id] = Participant(
      name: name, address: address, authenticated: authenticated, since: since,
      roomMessagesAtJoin: roomMessages, roomBytesAtJoin: roomBytes,
      messageBucket: TokenBucket(capacity: limits.messageBurst, rate: limits.messagesPerSecond),
      byteBucket: TokenBucket(capacity: limits.byteBurst, rate: limits.bytesPerSecond))
    if let last = order.last, last > id {
      order.insert(id, at: order.firstIndex { $0 > id }!)
    } else {
      order.append(id)
    }
    let count = participants.count
    let renamed = note.map { " (\($0))" } ?? ""
    var actions: [RoomAction] = [
      .log("\(name) joined from \(address)\(renamed), \(authenticated ? "authenticated" : "unauthenticated")"),
      .announce(
        to: id,
        RoomEvent(
          kind: .welcome, participantCount: count, name: name,
          detail: "you are \(name)\(renamed); \(count) in the room")),
    ]
    actions.append(
      .announceAll(RoomEvent(kind: .joined, participantCount: count, name: name, detail: address), except: id))
    return actions
  }

  /// Participant `id` left (or was dropped) for `reason`.
  public mutating func leave(_ id: ParticipantID, reason: String) -> [RoomAction] {
    guard let participant = participants.removeValue(forKey: id) else { return [] }
    names.release(participant.name)
    order.removeAll { $0 == id }
    let count = participants.count
    return [
      .log("\(participant.name) left: \(reason)"),
      .announceAll(
        RoomEvent(kind: .left, participantCount: count, name: participant.name, detail: reason), except: nil),
    ]
  }

  /// Participant `id` wrote `text` (`payloadBytes` of frame payload), its message
  /// `number` in its own numbering: pass it on, in the room's order, or refuse it if they
  /// are over their rate.
  public mutating func message(
    from id: ParticipantID, number: UInt64, text: String, payloadBytes: Int, now: UInt64
  ) -> [RoomAction] {
    guard var sender = participants[id] else { return [] }
    let withinRate =
      sender.messageBucket.take(1, now: now) && sender.byteBucket.take(Double(payloadBytes), now: now)
    guard withinRate else {
      sender.refusedInARow += 1
      participants[id] = sender
      let refusal = RoomAction.refuse(
        id, number: number,
        reason:
          "over the room's rate limit (\(Int(limits.messagesPerSecond)) messages, \(Int(limits.bytesPerSecond)) bytes per second)"
      )
      if sender.refusedInARow >= limits.refusedMessagesBeforeDisconnect {
        let reason =
          "flooding: \(sender.refusedInARow) messages in a row over the limit of \(Int(limits.messagesPerSecond)) messages and \(Int(limits.bytesPerSecond)) bytes per second"
        return [
          refusal,
          .alert("\(sender.name) dropped: \(reason)"),
          .disconnect(id, ErrorReport(code: .rateLimited, message: reason)),
        ]
      }
      guard sender.refusedInARow == 1 else { return [refusal] }
      return [
        refusal,
        .alert("\(sender.name) is over the rate limit: messages refused"),
        .announce(
          to: id,
          RoomEvent(
            kind: .notice, participantCount: participants.count, name: sender.name,
            detail:
              "slow down: messages over \(Int(limits.messagesPerSecond))/s (burst \(Int(limits.messageBurst))) are not relayed"
          )),
      ]
    }
    sender.refusedInARow = 0
    sender.messagesIn += 1
    sender.bytesIn += payloadBytes
    participants[id] = sender
    lastSequence += 1
    roomMessages += 1
    roomBytes += Frame.roomText(RoomText(sequence: lastSequence, sender: sender.name, text: text)).wireLength
    return [.broadcast(sender: sender.name, text: text, sequence: lastSequence)]
  }

  /// Participant `id` asked who is in the room.
  public func who(for id: ParticipantID) -> [RoomAction] {
    let count = participants.count
    return roster.map { participantID, participant in
      let (messagesOut, bytesOut) = received(by: participantID)
      let detail = [
        participant.address,
        participant.authenticated ? "authenticated" : "unauthenticated",
        "since \(participant.since)",
        "sent \(participant.messagesIn) (\(participant.bytesIn) B)",
        "received \(messagesOut) (\(bytesOut) B)",
      ].joined(separator: ", ")
      return .announce(to: id, RoomEvent(kind: .who, participantCount: count, name: participant.name, detail: detail))
    }
  }
}
