public import ChatEvents
public import ChatProtocol

/// One file transfer as the screen keeps it: for its scrollback line, `/files` and the
/// status bar.
public struct FileTransferState: Hashable, Sendable {
  public enum Phase: Hashable, Sendable {
    /// Outgoing: offered, waiting for the answer.
    case offered
    /// Incoming: offered to us, waiting for `/accept` or `/reject`.
    case awaitingAnswer
    case running
    case paused(String)
    case finished(TransferOutcome)
  }

  public var info: FileTransferInfo
  public var phase: Phase
  public var bytes: UInt64 = 0
  /// The smoothed speed of the last progress event.
  public var bytesPerSecond: Double = 0

  public var isActive: Bool {
    switch phase {
    case .running, .paused: true
    default: false
    }
  }

  /// Whole percent done (100 for an empty file).
  public var percent: Int {
    info.size == 0 ? 100 : Int(min(bytes, info.size) * 100 / info.size)
  }

  /// Seconds left at the current speed; nil while there is no speed to go by.
  public var secondsLeft: Double? {
    guard bytesPerSecond > 0 else { return nil }
    return Double(info.size - min(bytes, info.size)) / bytesPerSecond
  }

  /// "↓ 报告.pdf [3f2a91c0] from alice" or "↑ notes.txt [3f2a91c0] to bob".
  var title: String {
    let arrow = info.direction == .incoming ? "↓" : "↑"
    let peer = info.peer.isEmpty ? "" : info.direction == .incoming ? " from \(info.peer)" : " to \(info.peer)"
    return "\(arrow) \(info.name) [\(info.shortID)]\(peer)"
  }

  /// "43% 1.3 MiB/3.0 MiB, 12.5 MiB/s, ETA 0:21".
  var progress: String {
    var text = "\(percent)% \(Quantities.bytes(Int(clamping: bytes)))/\(Quantities.bytes(Int(clamping: info.size)))"
    if bytesPerSecond > 0 { text += ", \(FileTransferState.speed(bytesPerSecond))" }
    if let secondsLeft { text += ", ETA \(FileTransferState.duration(secondsLeft))" }
    return text
  }

  /// What the transfer's one scrollback line says now.
  var line: String {
    let size = Quantities.bytes(Int(clamping: info.size))
    switch phase {
    case .offered: return "\(title): offered (\(size)), waiting for an answer"
    case .awaitingAnswer:
      return "\(title): \(size): /accept \(info.shortID) [DIR] or /reject \(info.shortID)"
    case .running where info.direction == .incoming && bytes >= info.size && info.size > 0:
      // The hash is checked and the file flushed to disk and named: a moment for a big one.
      return "\(title): all \(size) in, saving…"
    case .running: return "\(title): \(progress)"
    case .paused(let reason):
      return "\(title): paused at \(percent)% (\(reason)); it carries on when the connection is back"
    case .finished(.verified):
      return "\(title): done, \(size)"
    case .finished(let outcome):
      return bytes > 0 ? "\(title): stopped at \(percent)% (\(outcome.word))" : "\(title): \(outcome.word)"
    }
  }

  /// "12.5 MiB/s".
  public static func speed(_ bytesPerSecond: Double) -> String {
    Quantities.bytes(Int(bytesPerSecond.rounded())) + "/s"
  }

  /// "0:21", "12:05", "1:02:03" (clamped at 99:59:59).
  public static func duration(_ seconds: Double) -> String {
    let total = seconds.isFinite ? min(Int(seconds.rounded(.up)), 99 * 3600 + 59 * 60 + 59) : 0
    let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return hours > 0 ? "\(hours):\(two(minutes)):\(two(rest))" : "\(minutes):\(two(rest))"
  }
}

extension TransferOutcome {
  fileprivate var word: String {
    switch self {
    case .verified: "verified"
    case .failed: "failed"
    case .rejected: "rejected"
    case .cancelled: "cancelled"
    }
  }
}

/// File transfers in the scrollback: the offer with what to type, then one line per
/// transfer updated in place (progress, speed, ETA), and a line for the end with the hash
/// or the reason; a summary of the running ones in the status bar.
extension ScreenModel {
  /// Finished transfers kept for `/files` beyond the running ones.
  static let finishedTransfersKept = 50

  mutating func fileEvent(_ info: FileTransferInfo, _ update: FileTransferUpdate, time: String) {
    defer { status.transfers = transferSummary }
    let size = Quantities.bytes(Int(clamping: info.size))
    let id = info.shortID
    var state = transfers.first { $0.info.id == info.id } ?? FileTransferState(info: info, phase: .offered)
    state.info = info
    func system(_ text: String) { scrollback.append(ScrollbackEntry(time: time, kind: .system, text: text)) }
    switch update {
    case .offered:
      state.phase = .offered
      system(
        "offering \(info.name) (\(size))\(info.peer.isEmpty ? "" : " to \(info.peer)") [\(id)]: waiting for an answer")
    case .offerReceived:
      state.phase = .awaitingAnswer
      let from = info.peer.isEmpty ? (status.peerName ?? "the peer") : info.peer
      system(
        "\(from) offers \(info.name) (\(size)) [\(id)]: type /accept \(id) to save it in the current folder, /accept \(id) DIR for another, or /reject \(id)"
      )
    case .started(_, let resumedAt):
      // The transfer's one line from here on: the path is in the line saying how it ended.
      state.phase = .running
      state.bytes = resumedAt
      transferLine(state, time: time)
    case .progress(let bytes, let speed):
      state.phase = .running
      state.bytes = bytes
      state.bytesPerSecond = speed
      transferLine(state, time: time)
    case .interrupted(let reason):
      state.phase = .paused(reason)
      state.bytesPerSecond = 0
      transferLine(state, time: time)
    case .finished(let outcome, let path):
      let wasRunning = state.isActive
      state.phase = .finished(outcome)
      if case .verified = outcome { state.bytes = info.size }
      state.bytesPerSecond = 0
      if wasRunning { transferLine(state, time: time) }
      finishedLine(info, outcome, path: path, time: time)
    }
    if let index = transfers.firstIndex(where: { $0.info.id == info.id }) {
      transfers[index] = state
    } else {
      transfers.append(state)
    }
    // Old finished transfers go first, so the list stays bounded.
    let finished = transfers.filter { if case .finished = $0.phase { true } else { false } }
    if finished.count > Self.finishedTransfersKept, let oldest = finished.first {
      transfers.removeAll { $0.info.id == oldest.info.id }
    }
  }

  /// The transfer's one line, updated in place (or added when it has none yet).
  mutating func transferLine(_ state: FileTransferState, time: String) {
    let key = state.info.id.hexString
    let text = state.line
    let kind: ScrollbackEntry.Kind
    switch state.phase {
    case .paused, .finished(.failed), .finished(.cancelled), .finished(.rejected): kind = .error
    default: kind = .system
    }
    let isThisTransfers = { (entry: ScrollbackEntry) in entry.transfer == key }
    let change = { (entry: inout ScrollbackEntry) in
      entry.text = text
      entry.kind = kind
    }
    if scrollback.updateLast(where: isThisTransfers, change) { return }
    var entry = ScrollbackEntry(time: time, kind: kind, text: text)
    entry.transfer = key
    scrollback.append(entry)
  }

  /// How a transfer ended, as a line of its own (news, where the user is looking).
  mutating func finishedLine(_ info: FileTransferInfo, _ outcome: TransferOutcome, path: String?, time: String) {
    let size = Quantities.bytes(Int(clamping: info.size))
    let id = info.shortID
    let text: String
    var isError = true
    switch outcome {
    case .verified(let sha256):
      isError = false
      text =
        "\(info.name) [\(id)] \(info.direction == .incoming ? "received" : "sent"), \(size), SHA-256 verified \(sha256.prefix(16))…"
        + (info.direction == .incoming ? " → \(SafeText.escaped(path ?? ""))" : "")
    case .failed(let reason):
      text =
        "\(info.name) [\(id)] failed: \(reason)"
        + (path.map { info.direction == .incoming ? " (kept: \(SafeText.escaped($0)))" : "" } ?? "")
    case .rejected(let reason):
      text = "\(info.name) [\(id)] rejected: \(reason)"
    case .cancelled(let reason):
      text = "\(info.name) [\(id)] cancelled: \(reason)"
    }
    scrollback.append(ScrollbackEntry(time: time, kind: isError ? .error : .system, text: text))
  }

  /// The status bar's part for transfers: "⇅ 2 files 43% 12.5 MiB/s ETA 0:21" while any
  /// run, "⇅ 1 offer: /accept" while offers wait for an answer, else nil.
  public var transferSummary: String? {
    let active = transfers.filter(\.isActive)
    guard !active.isEmpty else {
      let offers = transfers.count { $0.phase == .awaitingAnswer }
      return offers == 0 ? nil : "⇅ \(offers) offer\(offers == 1 ? "" : "s"): /accept"
    }
    let size = active.reduce(UInt64(0)) { $0 + $1.info.size }
    let done = active.reduce(UInt64(0)) { $0 + min($1.bytes, $1.info.size) }
    let speed = active.reduce(0.0) { $0 + $1.bytesPerSecond }
    let percent = size == 0 ? 100 : Int(done * 100 / size)
    var text = "⇅ \(active.count) file\(active.count == 1 ? "" : "s") \(percent)%"
    if speed > 0 {
      text += " \(FileTransferState.speed(speed)) ETA \(FileTransferState.duration(Double(size - done) / speed))"
    } else if active.allSatisfy({ if case .paused = $0.phase { true } else { false } }) {
      text += " paused"
    }
    return text
  }

  /// `/files`: every transfer kept, with its state and progress.
  func filesReport() -> [String] {
    guard !transfers.isEmpty else { return ["no file transfers yet: /send PATH offers one"] }
    return ["file transfers (\(transfers.count)):"] + transfers.map { "  " + $0.line }
  }

  /// The file commands: checked here, carried out by the endpoint (its answer comes back
  /// as events).
  mutating func fileCommand(_ line: TypedLine, time: String) -> [ScreenCommand] {
    guard filesSupported else {
      scrollback.append(
        ScrollbackEntry(time: time, kind: .error, text: "file transfer is not available on this connection"))
      return []
    }
    switch line {
    case .sendFile(let path, nil):
      // `/send carol notes.txt` with carol not seen yet (she was in the room before us, and
      // no /who since): when there is no "carol notes.txt" but there is a "notes.txt",
      // carol is a name.
      if pathExists(path) != true, let space = path.firstIndex(of: " ") {
        let rest = TypedLine.expandingTilde(String(path[space...].drop { $0 == " " }), home: homeDirectory)
        if !rest.isEmpty, pathExists(rest) == true {
          return [.offerFile(path: rest, to: String(path[..<space]))]
        }
      }
      return [.offerFile(path: path, to: nil)]
    case .sendFile(let path, let member): return [.offerFile(path: path, to: member)]
    case .acceptFile(let id, let directory): return [.acceptFile(id: id, directory: directory)]
    case .rejectFile(let id): return [.rejectFile(id: id)]
    case .cancelFile(let id): return [.cancelFile(id: id)]
    default: return []
    }
  }

  /// Whether `path` names something, by its directory's listing; nil when that can't be
  /// read.
  func pathExists(_ path: String) -> Bool? {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !name.isEmpty, let entries = listDirectory(directory) else { return nil }
    return entries.contains { $0.name == name }
  }

  /// Tab: completes the path being typed after `/send` or `/accept ID`; a second Tab with
  /// nothing to add lists the candidates.
  mutating func completePath(time: String) {
    let before = String(input.characters[..<input.cursor])
    let result = PathCompletion.complete(before, members: members, home: homeDirectory, list: listDirectory)
    switch result {
    case .none:
      lastTabText = nil
    case .completed(let text):
      input.replaceBeforeCursor(with: text)
      lastTabText = nil
    case .ambiguous(let candidates):
      if lastTabText == input.text {
        note(PathCompletion.listing(candidates), time: time)
        lastTabText = nil
      } else {
        lastTabText = input.text
      }
    }
  }
}
