public import ChatEvents
public import ChatProtocol
public import NIOCore

/// UDP chat's state, pure: who the peers are, each one's ``DatagramWindow`` and outgoing
/// sequence numbers, and what to send and report for each datagram, line and tick. The
/// NIO shell (``UDPEndpoint``) only moves bytes and events; everything it does is decided
/// here, so it is tested without sockets.
///
/// A listener is a room: each peer's messages go to every other peer, renumbered per
/// destination (so each receiver's window sees one sender with no gaps of its own making).
/// A connector has one peer, the listener.
public struct DatagramPeers: Sendable {
  /// Which side this is.
  public enum Role: Sendable {
    case listener
    case connector(SocketAddress)
  }

  /// What the shell must do.
  public enum Action: Sendable, Equatable {
    case event(SessionEvent)
    case send([UInt8], to: SocketAddress)
  }

  struct Peer: Sendable {
    var name: String
    var window = DatagramWindow()
    var nextSequence: UInt64 = 1
    /// When it was last heard, in ``DatagramPeers/clock`` ticks: the oldest is forgotten first.
    var lastHeard: UInt64
    var reported: DatagramCounts?
  }

  /// Peers a listener keeps at most; a new one past this makes it forget the one heard
  /// from longest ago. Each costs little, but an address is cheap to forge.
  public static let defaultCapacity = 1000
  /// Rejected-datagram warnings shown per tick at most; the rest are only counted.
  static let warningsPerTick = 3

  let role: Role
  let localName: String
  let key: DatagramKey?
  let capacity: Int
  private(set) var peers: [SocketAddress: Peer] = [:]
  /// Datagrams that did not parse or authenticate from addresses that are not peers: a
  /// stranger gets no entry, so garbage can't push real peers out.
  private var strangers = DatagramCounts()
  private var strangersReported = DatagramCounts()
  private var clock: UInt64 = 0
  /// The numbers of our own messages (a listener sends each with every peer's own number).
  private var ownMessages: UInt64 = 0
  private var warningBudget = warningsPerTick
  /// A connector: whether the listener's hello has come back.
  private var heardFromListener = false

  public init(role: Role, localName: String, key: DatagramKey?, capacity: Int = Self.defaultCapacity) {
    self.role = role
    self.localName = localName
    self.key = key
    self.capacity = max(1, capacity)
  }

  /// How a peer is named in events: its name and address.
  public static func label(_ name: String, _ address: SocketAddress) -> String {
    "\(name) \(describe(address))"
  }

  /// `127.0.0.1:9090`, `[::1]:9090`.
  public static func describe(_ address: SocketAddress) -> String {
    let host = address.ipAddress ?? "?"
    let port = address.port.map(String.init) ?? "?"
    return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  /// A connector's first datagram: hello, under our name.
  public mutating func start() -> [Action] {
    guard case .connector(let server) = role else { return [] }
    clock += 1
    peers[server] = Peer(name: "listener", lastHeard: clock)
    return [outgoing(.hello, to: server)]
  }

  /// One datagram arrived from `address`.
  public mutating func receive(_ bytes: [UInt8], from address: SocketAddress) -> [Action] {
    clock += 1
    if case .connector(let server) = role, address != server {
      return reject(bytes, from: address, reason: "not from the listener")
    }
    let datagram: ChatDatagram
    switch ChatDatagram.decode(bytes, key: key) {
    case .failure(let rejection): return reject(bytes, from: address, reason: rejection.description)
    case .success(let decoded): datagram = decoded
    }
    var actions: [Action] = []
    if peers[address] == nil {
      actions += makeRoom()
      peers[address] = Peer(name: datagram.name, lastHeard: clock)
    }
    peers[address]!.lastHeard = clock
    switch peers[address]!.window.receive(datagram.sequence) {
    case .duplicate, .stale: return actions  // counted; a replay or the network's copy
    case .accepted, .reordered: break
    }
    peers[address]!.name = datagram.name
    let label = Self.label(datagram.name, address)
    switch datagram.kind {
    case .hello:
      if case .connector = role, !heardFromListener {
        // The listener answered: the status says so ("connected" here means only that: UDP
        // has no connection, and nothing will notice if the listener goes away silently).
        heardFromListener = true
        actions.append(.event(.connected(to: "udp \(Self.describe(address))")))
        actions.append(.event(.log("udp: the listener at \(Self.describe(address)) is \(datagram.name)")))
      }
      if case .listener = role {
        actions.append(.event(.log("udp: \(label) said hello")))
        // Answered with our own hello, as small as theirs: no amplification.
        actions.append(outgoing(.hello, to: address))
      }
    case .text:
      let bytesOfText = datagram.text.utf8.count
      // Names are not unique over UDP: one that is ours is shown with its address, so it
      // is neither taken for our own words nor hidden as the room's echo of them.
      // (A connector's peer is the relay, so its address would mislead: "via the listener".)
      let relayed: String
      if case .listener = role { relayed = label } else { relayed = "\(datagram.name) (via the listener)" }
      let from = datagram.name == localName ? relayed : datagram.name
      actions.append(
        .event(
          .messageReceived(
            from: from, message: TextMessage(sequence: datagram.sequence, text: datagram.text),
            textBytes: bytesOfText, wireBytes: bytes.count)))
      if case .listener = role {
        for other in peers.keys where other != address {
          actions.append(outgoing(.text, name: datagram.name, text: datagram.text, to: other))
        }
      }
    case .bye:
      actions.append(
        .event(.log("udp: \(label) said bye" + (datagram.text.isEmpty ? "" : ": \(datagram.text)"))))
      if case .listener = role {
        actions += report(address, force: true)
        peers[address] = nil
      }
    }
    return actions
  }

  /// Our user typed `text`: one datagram to the listener, or to every peer.
  public mutating func send(_ text: String) -> [Action] {
    let size = text.utf8.count
    guard size <= ChatDatagram.maximumTextLength else {
      return [
        .event(
          .messageNotSent(
            text: text,
            reason:
              "\(size) bytes: larger than one safe datagram (UDP chat sends at most \(ChatDatagram.maximumTextLength) bytes of text)"
          ))
      ]
    }
    guard !peers.isEmpty else {
      return [.event(.messageNotSent(text: text, reason: "no UDP peer has said hello yet"))]
    }
    ownMessages += 1
    var actions: [Action] = []
    var wireBytes = 0
    for address in peers.keys.sorted(by: { Self.describe($0) < Self.describe($1) }) {
      let action = outgoing(.text, text: text, to: address)
      if case .send(let bytes, _) = action { wireBytes = bytes.count }
      actions.append(action)
    }
    actions.append(
      .event(
        .datagramSent(message: TextMessage(sequence: ownMessages, text: text), textBytes: size, wireBytes: wireBytes)))
    return actions
  }

  /// A tick (every half second): the counts that changed since they were last reported.
  public mutating func tick() -> [Action] {
    warningBudget = Self.warningsPerTick
    var actions: [Action] = []
    for address in peers.keys.sorted(by: { Self.describe($0) < Self.describe($1) }) {
      actions += report(address, force: false)
    }
    if strangers != strangersReported {
      strangersReported = strangers
      actions.append(.event(.datagramStats(peer: "strangers", counts: strangers)))
    }
    return actions
  }

  /// We leave: bye to every peer, and the last counts.
  public mutating func close(_ goodbye: Goodbye) -> [Action] {
    var actions = tick()
    for address in peers.keys.sorted(by: { Self.describe($0) < Self.describe($1) }) {
      actions.append(outgoing(.bye, text: goodbye.reason, to: address))
    }
    return actions
  }

  private mutating func report(_ address: SocketAddress, force: Bool) -> [Action] {
    guard let peer = peers[address], force || peer.reported != peer.window.counts else { return [] }
    peers[address]!.reported = peer.window.counts
    return [.event(.datagramStats(peer: Self.label(peer.name, address), counts: peer.window.counts))]
  }

  /// Forgets the peer heard from longest ago when the table is full.
  private mutating func makeRoom() -> [Action] {
    guard peers.count >= capacity, let oldest = peers.min(by: { $0.value.lastHeard < $1.value.lastHeard }) else {
      return []
    }
    peers[oldest.key] = nil
    return [
      .event(
        .log(
          "udp: forgot \(Self.label(oldest.value.name, oldest.key)), heard from longest ago (at most \(capacity) peers)"
        ))
    ]
  }

  private mutating func reject(_ bytes: [UInt8], from address: SocketAddress, reason: String) -> [Action] {
    if peers[address] != nil {
      peers[address]!.window.reject()
    } else {
      strangers.rejected += 1
    }
    guard warningBudget > 0 else { return [] }
    warningBudget -= 1
    // Never the bytes as text: a summary and the first bytes in hex.
    let start = bytes.prefix(16).map { byte in
      let digits = Array("0123456789abcdef")
      return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
    }.joined(separator: " ")
    return [
      .event(
        .warning(
          "udp: rejected a datagram from \(Self.describe(address)) (\(bytes.count) bytes\(bytes.isEmpty ? "" : ", starting \(start)")): \(reason)"
        ))
    ]
  }

  private mutating func outgoing(
    _ kind: ChatDatagram.Kind, name: String? = nil, text: String = "", to address: SocketAddress
  ) -> Action {
    let sequence = peers[address]?.nextSequence ?? 1
    peers[address]?.nextSequence += 1
    let bytes = ChatDatagram(kind: kind, sequence: sequence, name: name ?? localName, text: text).encode(key: key)
    return .send(bytes, to: address)
  }
}
