#if canImport(Glibc)
  import Glibc
#endif

/// What the processor offers that changes which cipher is fastest.
public enum CPUFeatures {
  /// Whether the CPU has AES instructions (x86-64 AES-NI, ARMv8 AES), which make AES-GCM
  /// faster than ChaCha20-Poly1305. Read once, from /proc/cpuinfo on Linux.
  public static let hasAESInstructions: Bool = {
    #if os(Linux)
      guard let file = fopen("/proc/cpuinfo", "r") else { return false }
      defer { fclose(file) }
      var line = [CChar](repeating: 0, count: 8192)
      while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // x86: "flags : ... aes ..."; ARM: "Features : ... aes ...".
        guard text.hasPrefix("flags") || text.hasPrefix("Features") else { continue }
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains("aes")
      }
      return false
    #else
      return true
    #endif
  }()
}
