import ChatCrypto
public import ChatEvents
import ChatProtocol
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The plain front end's output: one line per event, tab-separated, time first, the free
/// text field last. Documented in README.md ("Plain output") so scripts can rely on it.
///
/// ```
/// 2026-11-21T20:05:01.123Z	recv	bob	1	14	27	你好 world
/// ```
public enum PlainLineFormat {
  /// The lines for `event`, each without the time stamp and newline: one for most events,
  /// one per message for receipts, none for events not shown.
  public static func lines(for event: SessionEvent, localName: String) -> [[String]] {
    if case .delivered(let sequences) = event { return sequences.map { ["delivered", String($0)] } }
    if case .written(let sequences) = event { return sequences.map { ["written", String($0)] } }
    return fields(for: event, localName: localName).map { [$0] } ?? []
  }

  /// The line for `event`, without the time stamp and newline; nil for events not shown
  /// on one line.
  public static func fields(for event: SessionEvent, localName: String) -> [String]? {
    switch event {
    case .listening(let address):
      return ["listening", address]
    case .listeningOneToOne(let address, let auth):
      return ["listening", address, "one peer at a time", "tutorial framing: NOT encrypted", auth.description]
    case .connecting(let address):
      return ["connecting", address]
    case .connected(let address):
      return ["connected", address]
    case .authenticating(let peer):
      return ["authenticating", peer]
    case .established(let peer, let auth, let address):
      // Appended fields: the cipher, the peer's key fingerprint and what is known of it.
      if !auth.isEncrypted {
        return ["established", peer.name, auth.description, address, "tutorial framing: NOT encrypted"]
      }
      guard let security = peer.security else { return ["established", peer.name, auth.description, address] }
      return [
        "established", peer.name, auth.description, address, "encrypted \(security.cipher)",
        "key \(KeyFingerprint.short(security.peerKey)) \(security.trust)",
      ]
    case .messageReceived(let from, let message, let textBytes, let wireBytes):
      return ["recv", from, String(message.sequence), String(textBytes), String(wireBytes), message.text]
    case .messageSent(let message, let textBytes, let wireBytes):
      return ["sent", localName, String(message.sequence), String(textBytes), String(wireBytes), message.text]
    case .messageNotSent(let text, let reason):
      return ["not-sent", reason, text]
    case .datagramSent(let message, let textBytes, let wireBytes):
      return ["sent-udp", localName, String(message.sequence), String(textBytes), String(wireBytes), message.text]
    case .datagramStats(let peer, let counts):
      return [
        "udp-stats", peer, "received \(counts.received)", "lost \(counts.lost)", "duplicated \(counts.duplicated)",
        "reordered \(counts.reordered)", "stale \(counts.stale)", "rejected \(counts.rejected)",
      ]
    case .messageResent(let message, let textBytes, let wireBytes):
      return ["resent", localName, String(message.sequence), String(textBytes), String(wireBytes), message.text]
    case .messagePending(let text, let reason):
      return ["pending", reason, text]
    case .delivered, .written:
      return nil
    case .notDelivered(let message, let reason):
      return ["not-delivered", String(message.sequence), reason, message.text]
    case .session(let id, let start):
      switch start {
      case .new: return ["session", "new", id]
      case .resumed(let resent): return ["session", "resumed", id, String(resent)]
      case .replaced(let unconfirmed): return ["session", "replaced", id, String(unconfirmed)]
      }
    case .peerSilent(let nanoseconds):
      return ["silent", Quantities.seconds(nanoseconds: nanoseconds)]
    case .peerResponsive:
      return ["responsive"]
    case .reconnecting(let attempt, let delay, let reason):
      return ["reconnecting", String(attempt), Quantities.seconds(nanoseconds: delay), reason]
    case .memberKey(let name, _, let security):
      return ["member-key", name, "\(security.peerFingerprint)", "\(security.trust)"]
    case .roundTrip(let nanoseconds):
      return ["rtt", Quantities.microseconds(nanoseconds: nanoseconds)]
    case .disconnected(let address, let end):
      if case .authFailed(let reason) = end {
        return ["auth-failed", address, reason]
      }
      return ["disconnected", address, end.description]
    case .refused(let address, let reason):
      return ["refused", address, reason]
    case .room(let event):
      let count = String(event.participantCount)
      switch event.kind {
      case .joined: return ["joined", event.name, event.detail, count]
      case .left: return ["left", event.name, event.detail, count]
      case .welcome: return ["welcome", event.name, event.detail, count]
      case .who: return ["who", event.name, event.detail, count]
      case .notice: return ["notice", event.detail]
      }
    case .file(let info, let update):
      return fileFields(info, update)
    case .log(let line):
      return ["log", line]
    case .warning(let text):
      return ["warning", text]
    case .failed(let reason):
      return ["error", reason]
    }
  }

  /// A file transfer's line: `file-offer`, `file-offered`, `file-started`, `file-progress`
  /// (a few a second at most), `file-interrupted`, `file-done` with the SHA-256 and the
  /// path, `file-failed`, `file-rejected` or `file-cancelled` with the reason.
  static func fileFields(_ info: FileTransferInfo, _ update: FileTransferUpdate) -> [String] {
    let head = [info.shortID, info.name]
    switch update {
    case .offered:
      return ["file-offered"] + head + [String(info.size), info.peer]
    case .offerReceived:
      return ["file-offer"] + head + [String(info.size), info.peer]
    case .started(let path, let resumedAt):
      return ["file-started"] + head + [String(info.size), String(resumedAt), path]
    case .progress(let bytes, let speed):
      let percent = info.size == 0 ? 100 : Int(bytes * 100 / info.size)
      let eta = speed > 0 ? String(Int((Double(info.size - min(bytes, info.size)) / speed).rounded(.up))) : "?"
      return ["file-progress"] + head + [String(bytes), String(info.size), "\(percent)%", String(Int(speed)), eta]
    case .interrupted(let reason):
      return ["file-interrupted"] + head + [reason]
    case .finished(let outcome, let path):
      switch outcome {
      case .verified(let sha256): return ["file-done"] + head + [String(info.size), sha256, path ?? ""]
      case .failed(let reason): return ["file-failed"] + head + [reason, path ?? ""]
      case .rejected(let reason): return ["file-rejected"] + head + [reason]
      case .cancelled(let reason): return ["file-cancelled"] + head + [reason, path ?? ""]
      }
    }
  }

  /// Joins fields with tabs, escaping each so a field never holds a tab or a line break.
  public static func line(time: String, fields: [String]) -> String {
    ([time] + fields.map(escape)).joined(separator: "\t")
  }

  /// The same ``line(time:fields:)`` appended to `bytes` as UTF-8, with its newline, without
  /// building the line as a `String` first.
  public static func appendLine(time: String, fields: [String], to bytes: inout [UInt8]) {
    bytes.append(contentsOf: time.utf8)
    for field in fields {
      bytes.append(UInt8(ascii: "\t"))
      bytes.append(contentsOf: escape(field).utf8)
    }
    bytes.append(UInt8(ascii: "\n"))
  }

  /// `\` becomes `\\`, tab `\t`, line feed `\n`, carriage return `\r`; other control
  /// characters (C0, DEL, C1), line and paragraph separators and bidi controls become
  /// `\u{XX}` (``SafeText``). Everything else, Chinese included, is kept as it is.
  public static func escape(_ field: String) -> String {
    SafeText.escaped(field)
  }

  /// The last time stamp made, by the millisecond it is for: thousands of lines a
  /// millisecond share one.
  private static let lastTimestamp = Mutex((millisecond: Int.min, text: ""))

  /// Now, as `2026-11-21T20:05:01.123Z` (UTC, milliseconds).
  public static func timestamp() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let millisecond = Int(now.tv_sec) * 1000 + Int(now.tv_nsec / 1_000_000)
    if let text = lastTimestamp.withLock({ $0.millisecond == millisecond ? $0.text : nil }) { return text }
    let text = timestamp(now)
    lastTimestamp.withLock { $0 = (millisecond, text) }
    return text
  }

  private static func timestamp(_ now: timespec) -> String {
    var seconds = now.tv_sec
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ value: Int32, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    let milliseconds = Int32(now.tv_nsec / 1_000_000)
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
      + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(milliseconds, 3))Z"
  }
}
