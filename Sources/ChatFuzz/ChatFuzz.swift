import ChatFuzzing

#if canImport(Glibc)
  import Glibc
#endif

#if LIBFUZZER
  /// libFuzzer's entry point (scripts/fuzz.sh builds this with `-sanitize=fuzzer`).
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    // A violated property traps: libFuzzer records the input by its crash.
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzHarness.runTrapping(input)
    // The same bytes through the tutorials' framing (--framing tutorial).
    if let violation = TutorialFuzzHarness.run(input).violations.first {
      fatalError("tutorial framing: property violated: \(violation) (input \(FuzzHarness.hexString(input)))")
    }
    return 0
  }

  @_silgen_name("LLVMFuzzerRunDriver")
  func runLibFuzzer(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  /// SwiftPM links an executable's entry point under this name; hand over to libFuzzer
  /// (after writing the seed corpus, when CHAT_FUZZ_SEED_CORPUS names a folder for it).
  @_cdecl("ChatFuzz_main")
  public func chatFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if let folder = getenv("CHAT_FUZZ_SEED_CORPUS") {
      FuzzFiles.writeCorpus(to: String(cString: folder))
      return 0
    }
    var count = argc
    var arguments = argv
    return runLibFuzzer(&count, &arguments) { data, size in fuzzOneInput(data, size) }
  }
#else
  /// Without libFuzzer: `chat-fuzz [SECONDS] [SEED]` runs the built-in mutation fuzzer
  /// for that long (default 10 s); `chat-fuzz FILE...` replays saved inputs (crashes
  /// libFuzzer found, say); `chat-fuzz --write-corpus FOLDER` writes the seed inputs.
  @main
  enum ChatFuzz {
    static func main() {
      let arguments = Array(CommandLine.arguments.dropFirst())
      if arguments.first == "--write-corpus", arguments.count == 2 {
        FuzzFiles.writeCorpus(to: arguments[1])
        return
      }
      if let first = arguments.first, Double(first) == nil {
        for path in arguments {
          check(FuzzFiles.read(path))
          print("chat-fuzz: \(path): ok")
        }
        return
      }
      let seconds = arguments.first.flatMap(Double.init) ?? 10
      let seed = arguments.dropFirst().first.flatMap(UInt64.init) ?? UInt64(time(nil))
      print("chat-fuzz: mutation fuzzing for \(seconds) s, seed \(seed) (repeat a run with the same seed)")
      var fuzzer = MutationFuzzer(seed: seed)
      let start = now()
      var runs = 0
      while now() - start < seconds {
        for _ in 0..<256 { check(fuzzer.next()) }
        runs += 256
      }
      print(
        "chat-fuzz: \(runs) inputs, no property failed and nothing crashed (\(Int(Double(runs) / seconds)) per second)")
    }

    /// Runs one input; a violated property names the input and ends the run (status 1).
    static func check(_ input: [UInt8]) {
      // The same bytes through chat's protocol and through the tutorials' framing.
      let violations =
        FuzzHarness.run(input).violations + TutorialFuzzHarness.run(input).violations.map { "tutorial framing: \($0)" }
      guard !violations.isEmpty else { return }
      for violation in violations { print("chat-fuzz: property violated: \(violation)") }
      FuzzFiles.fail("input \(FuzzHarness.hexString(input))")
    }

    static func now() -> Double {
      var spec = timespec()
      clock_gettime(CLOCK_MONOTONIC, &spec)
      return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
  }
#endif

/// Fuzz inputs as files.
enum FuzzFiles {
  static func writeCorpus(to folder: String) {
    mkdir(folder, 0o755)
    for (index, input) in MutationFuzzer.seedCorpus.enumerated() {
      let path = "\(folder)/seed-\(index)"
      guard let file = fopen(path, "wb") else { fail("cannot write \(path)") }
      _ = input.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
      fclose(file)
    }
    print("chat-fuzz: \(MutationFuzzer.seedCorpus.count) seed inputs in \(folder)")
  }

  static func read(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = fread(&chunk, 1, chunk.count, file)
      if count <= 0 { break }
      bytes += chunk[..<count]
    }
    return bytes
  }

  static func fail(_ message: String) -> Never {
    print("chat-fuzz: \(message)")
    exit(1)
  }
}
