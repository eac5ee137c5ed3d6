import ChatApp

#if canImport(Glibc)
  import Glibc
#endif

/// The `chat` executable: parse the command line and run it (see ``ChatCommand``).
@main
enum Chat {
  static func main() async {
    tuneAllocator()
    do {
      let command = try ChatCommand.parse()
      try await command.run()
    } catch {
      ChatCommand.exit(withError: error)
    }
  }

  /// glibc serves every allocation of 128 KiB or more with its own `mmap` and returns it
  /// with `munmap`: a file transfer's 128 KiB chunks and 512 KiB reads, sealed records and
  /// decoder buffers then cost a fresh zeroed page per 4 KiB, every time (page faults
  /// were the relay's largest cost, and a relayed 512 MiB took 2.95 s; 1.6 s with this,
  /// docs/PERFORMANCE.md, session 5). Up to 1 MiB now comes from the heap and is reused;
  /// the heap gives back free memory above 4 MiB at its top, so what stays is small (with
  /// 16 MiB, a host whose output nobody read kept 11 MB it had freed).
  static func tuneAllocator() {
    #if canImport(Glibc)
      // mallopt(3) is in <malloc.h>, which the Glibc module leaves out: found by name.
      guard let symbol = dlsym(nil, "mallopt") else { return }
      typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
      let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
      let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
      let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
      _ = mallopt(mmapThreshold, 1 << 20)
      _ = mallopt(trimThreshold, 4 << 20)
    #endif
  }
}
