import ArgumentParser
import ChatNetwork

/// The file transfer options: what to send from the command line, and what to do with
/// files offered.
struct FileOptions: ParsableArguments {
  @Option(
    name: .customLong("send"), parsing: .upToNextOption,
    help: ArgumentHelp(
      "With --connect: send these files (plain output), then leave; exit 0 only when every one arrived and was verified.",
      valueName: "file"))
  var send: [String] = []

  @Option(
    name: .customLong("to"),
    help: ArgumentHelp("The room member the --send files are for (default: the host).", valueName: "name"))
  var to: String?

  @Option(
    name: .customLong("accept-files"),
    help: ArgumentHelp(
      "Accept every file offered, saving it into this folder (created if missing). Without it, offers wait for /accept.",
      valueName: "dir"))
  var acceptFiles: String?

  @Option(
    name: .customLong("max-file-size"),
    help: ArgumentHelp("Reject offers of files larger than this (bytes, or with K, M, G, T).", valueName: "size"))
  var maxFileSize: String?

  /// Whether any file option was given.
  var given: [String] {
    (send.isEmpty ? [] : ["--send"]) + (to == nil ? [] : ["--to"]) + (acceptFiles == nil ? [] : ["--accept-files"])
      + (maxFileSize == nil ? [] : ["--max-file-size"])
  }

  func check(mode: Mode, otherWire: Bool) throws(UsageError) {
    if otherWire, !given.isEmpty {
      throw .files(
        "\(given.joined(separator: ", ")): files travel only in chat's own protocol (not --udp or --framing tutorial)")
    }
    if !send.isEmpty, case .connect = mode {
    } else if !send.isEmpty {
      throw .files("--send works with --connect (a listener's host sends from its screen: /send NAME PATH)")
    }
    if to != nil, send.isEmpty { throw .files("--to names who the --send files are for; give --send too") }
    if case .serve = mode, acceptFiles != nil || maxFileSize != nil {
      throw .files(
        "a relay (--serve) passes files on without saving them: --accept-files and --max-file-size are for --listen or --connect"
      )
    }
    if let acceptFiles, acceptFiles.isEmpty { throw .files("--accept-files needs a folder") }
    _ = try maximumFileSize()
  }

  func maximumFileSize() throws(UsageError) -> UInt64? {
    guard let text = maxFileSize else { return nil }
    guard let value = Self.parseSize(text), value > 0 else {
      throw .files("--max-file-size: '\(text)' is not a size (say 500M, 2G or a number of bytes)")
    }
    return value
  }

  func settings() throws(UsageError) -> TransferSettings {
    TransferSettings(autoAcceptDirectory: acceptFiles, maximumFileSize: try maximumFileSize())
  }

  /// "1048576", "512K", "500M", "2G", "1T" (binary multiples, as `ls -h` shows them).
  static func parseSize(_ text: String) -> UInt64? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
    let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var digits = Substring(trimmed)
    var multiplier: UInt64 = 1
    if digits.hasSuffix("B") { digits = digits.dropLast() }
    if let last = digits.last, let unit = units[last] {
      multiplier = unit
      digits = digits.dropLast()
    }
    guard let number = UInt64(digits) else { return nil }
    let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
    return overflow ? nil : product
  }
}
