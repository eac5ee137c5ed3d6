import ArgumentParser
import Foundation

/// `chat-bench`: the benchmark suite (see docs/PERFORMANCE.md).
struct ChatBenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chat-bench",
    abstract: "Measure chat beside raw TCP, the tutorials' design and ncat, in one run.")

  @Flag(help: "Small sizes: a smoke run (CI), not numbers to quote.")
  var quick = false

  @Option(help: ArgumentHelp("Write the results as JSON to PATH.", valueName: "path"))
  var json: String?

  @Option(
    help: ArgumentHelp(
      "Run only these groups (comma-separated): stream, rtt, channel, handshake, fanout, stalled, delivery, endtoend, memory, codec, screen, files.",
      valueName: "groups"))
  var only: String?

  @Option(
    name: .customLong("file-size"),
    help: ArgumentHelp(
      "The size of the file the files group sends, in MiB (default 1024; 64 with --quick).", valueName: "MiB"))
  var fileSizeMiB: Int?

  @Option(
    help: ArgumentHelp(
      "Repeat one measurement for about SECONDS (default 10), to run under a profiler: chacha-stream, aesgcm-stream, plain-stream, room-rtt, echo-rtt.",
      valueName: "what"))
  var profile: String?

  @Option(help: ArgumentHelp("How long --profile repeats its measurement.", valueName: "seconds"))
  var seconds: Double = 10

  func run() async throws {
    let groups = Set(
      (only ?? "stream,rtt,channel,handshake,fanout,stalled,delivery,endtoend,memory,codec,screen,files").split(
        separator: ","
      ).map(
        String.init))
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let chatBinary = here.appendingPathComponent("chat").path
    guard FileManager.default.isExecutableFile(atPath: chatBinary) else {
      throw ValidationError("\(chatBinary) is missing: build everything first (swift build -c release)")
    }
    let configHome = FileManager.default.temporaryDirectory
      .appendingPathComponent("chat-bench-\(ProcessInfo.processInfo.processIdentifier)").path
    defer { try? FileManager.default.removeItem(atPath: configHome) }
    if let fileSizeMiB, !(1...65536).contains(fileSizeMiB) {
      throw ValidationError("--file-size is in MiB, from 1 to 65536")
    }
    let bench = Benchmarks(
      quick: quick, scripts: try ReferencePrograms.write(), chatBinary: chatBinary,
      log: { FileHandle.standardError.write(Data("chat-bench: \($0)\n".utf8)) },
      chatEnvironment: ["XDG_CONFIG_HOME": configHome], fileSizeMiB: fileSizeMiB)
    if let profile {
      try await bench.profile(profile, seconds: seconds)
      return
    }
    var rows: [Row] = []
    func step(_ name: String, _ body: () async throws -> [Row]) async {
      guard groups.contains(name) else { return }
      bench.log("running \(name)")
      do {
        rows += try await body()
      } catch {
        rows.append(
          Row(
            name: name, unit: "", chat: nil, reference: "", referenceValue: nil, target: "", met: nil,
            note: "failed: \(error)"))
      }
    }
    await step("codec") { bench.codec() }
    await step("screen") { bench.screen() }
    await step("stream") { [try await bench.largeMessageStream(), try await bench.smallMessageStream()] }
    await step("rtt") { try await bench.roundTrip() }
    await step("channel") { try await bench.channelRows() }
    await step("handshake") { try await bench.handshakeRows() }
    await step("fanout") { try await bench.fanOutRows() }
    await step("stalled") { try await bench.stalledReceiverRows() }
    await step("delivery") { try await bench.deliveryRows() }
    await step("endtoend") { try await bench.endToEndRows() }
    await step("memory") { try await bench.memory() }
    await step("files") { try await bench.fileRows() }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print("chat-bench \(quick ? "(quick)" : ""), \(cores) cores, \(Date())\n")
    print(Table.markdown(rows))
    if let json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(rows).write(to: URL(fileURLWithPath: json))
    }
  }
}

do {
  let command = try ChatBenchCommand.parse()
  try await command.run()
} catch {
  ChatBenchCommand.exit(withError: error)
}
