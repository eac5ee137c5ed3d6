import ChatEvents
import ChatProtocol

/// File transfers in the scrollback: the offer with what to type, the start, the end with
/// the hash or the reason. (Progress lines come at most a few times a second.)
extension ScreenModel {
  mutating func fileEvent(_ info: FileTransferInfo, _ update: FileTransferUpdate, time: String) {
    let size = Quantities.bytes(Int(clamping: info.size))
    let id = info.shortID
    let text: String
    var isError = false
    switch update {
    case .offered:
      text =
        "offering \(info.name) (\(size))\(info.peer.isEmpty ? "" : " to \(info.peer)") [\(id)]: waiting for an answer"
    case .offerReceived:
      text =
        "\(info.peer.isEmpty ? "the peer" : info.peer) offers \(info.name) (\(size)) [\(id)]: /accept \(id) or /reject \(id)"
    case .started(let path, let resumedAt):
      let from = resumedAt > 0 ? ", carrying on after \(Quantities.bytes(Int(clamping: resumedAt)))" : ""
      text =
        info.direction == .incoming
        ? "receiving \(info.name) (\(size)) into \(SafeText.escaped(path))\(from) [\(id)]"
        : "sending \(info.name) (\(size))\(from) [\(id)]"
    case .progress(let bytes, let speed):
      let percent = info.size == 0 ? 100 : Int(bytes * 100 / info.size)
      text =
        "\(info.name) [\(id)]: \(percent)% \(Quantities.bytes(Int(clamping: bytes)))/\(size), \(Quantities.bytes(Int(speed)))/s"
    case .interrupted(let reason):
      text = "\(info.name) [\(id)] paused: \(reason); it carries on when the connection is back"
    case .finished(let outcome, let path):
      switch outcome {
      case .verified(let sha256):
        text =
          "\(info.name) [\(id)] \(info.direction == .incoming ? "received" : "sent"), \(size), SHA-256 verified \(sha256.prefix(16))…"
          + (info.direction == .incoming ? " → \(SafeText.escaped(path ?? ""))" : "")
      case .failed(let reason):
        isError = true
        text =
          "\(info.name) [\(id)] failed: \(reason)"
          + (path.map { info.direction == .incoming ? " (kept: \(SafeText.escaped($0)))" : "" } ?? "")
      case .rejected(let reason):
        isError = true
        text = "\(info.name) [\(id)] rejected: \(reason)"
      case .cancelled(let reason):
        isError = true
        text = "\(info.name) [\(id)] cancelled: \(reason)"
      }
    }
    scrollback.append(ScrollbackEntry(time: time, kind: isError ? .error : .system, text: text))
  }
}
