#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How text is turned into a tutorial frame's bytes and back (`--encoding`).
///
/// The tutorials encode UTF-8, except their Windows programs, which send GBK (a Chinese
/// Windows console's code page; their remote-command client decodes `gbk`). Bytes that
/// don't decode are never dropped or replaced: each is shown as `\xNN`, so the user sees
/// that something arrived and what.
///
/// GBK and GB18030 go through the C library's iconv: Foundation on Linux does not export
/// `CFStringConvertEncodingToNSStringEncoding`, and its `String.Encoding` converts GB18030
/// but not GBK. iconv also says where a bad byte is, which the escaping needs.
public enum TutorialTextEncoding: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
  case utf8 = "utf-8"
  case gbk
  case gb18030

  /// The encoding `name` means (`utf-8`, `utf8`, `gbk`, `cp936`, `gb18030`, any case).
  public init?(name: String) {
    switch name.lowercased() {
    case "utf-8", "utf8": self = .utf8
    case "gbk", "cp936": self = .gbk
    case "gb18030": self = .gb18030
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .utf8: "UTF-8"
    case .gbk: "GBK"
    case .gb18030: "GB18030"
    }
  }

  /// The name iconv knows it by.
  private var iconvName: String {
    switch self {
    case .utf8: "UTF-8"
    case .gbk: "GBK"
    case .gb18030: "GB18030"
    }
  }

  /// Why this encoding can't be used on this system (its iconv lacks the converter), or nil.
  public var unavailability: String? {
    guard self != .utf8 else { return nil }
    for (to, from) in [(iconvName, "UTF-8"), ("UTF-8", iconvName)] {
      let converter = iconv_open(to, from)
      if converter == Self.failedOpen {
        return "this system's iconv can't convert \(from) to \(to) (are the gconv modules installed?)"
      }
      iconv_close(converter)
    }
    return nil
  }

  /// The bytes of `text` in this encoding, or why it can't be written in it (a character
  /// GBK lacks, such as an emoji).
  public func encode(_ text: String) -> Result<[UInt8], EncodingRefusal> {
    let utf8 = Array(text.utf8)
    guard self != .utf8 else { return .success(utf8) }
    var output: [UInt8] = []
    let converted = convert(utf8, from: "UTF-8", to: iconvName, into: &output) { offset in
      // The input is valid UTF-8, so a refusal is a character the target lacks.
      let rest = String(decoding: utf8[offset...], as: UTF8.self)
      return rest.unicodeScalars.first
    }
    switch converted {
    case .success: return .success(output)
    case .failure(let refusal): return .failure(refusal)
    }
  }

  /// The text of `bytes`, each byte that does not decode written `\xNN` (uppercase hex).
  public func decode(_ bytes: [UInt8]) -> String {
    guard self != .utf8 else { return Self.decodeUTF8(bytes) }
    var output: [UInt8] = []
    var start = 0
    while start < bytes.count {
      let chunk = Array(bytes[start...])
      var stoppedAt: Int?
      _ = convert(chunk, from: iconvName, to: "UTF-8", into: &output) { offset in
        stoppedAt = offset
        return nil
      }
      guard let offset = stoppedAt else { break }
      output.append(contentsOf: Self.escaped(chunk[offset]).utf8)
      start += offset + 1
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// `\xNN` for a byte that doesn't decode.
  static func escaped(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "\\x" + String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
  }

  /// UTF-8 with each byte of an invalid sequence escaped, rather than replaced by U+FFFD.
  static func decodeUTF8(_ bytes: [UInt8]) -> String {
    if let valid = String(validating: bytes, as: UTF8.self) { return valid }
    var result = ""
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded):
        result.unicodeScalars.append(Unicode.UTF8.decode(encoded))
        offset += encoded.count
      case .error(let length):
        for byte in bytes[offset..<offset + length] { result += escaped(byte) }
        offset += length
      case .emptyInput:
        return result
      }
    }
  }

  /// What iconv_open returns when it has no such converter: `(iconv_t) -1`.
  private static var failedOpen: iconv_t? { iconv_t(bitPattern: -1) }

  /// Converts all of `input` with iconv, appending to `output`; at a byte sequence that
  /// can't be converted (or is cut short at the end) it asks `refused` about the offset and
  /// stops.
  private func convert(
    _ input: [UInt8], from: String, to: String, into output: inout [UInt8],
    refused: (Int) -> Unicode.Scalar?
  ) -> Result<Void, EncodingRefusal> {
    let converter = iconv_open(to, from)
    guard converter != Self.failedOpen else {
      return .failure(EncodingRefusal(encoding: self, scalar: nil))
    }
    defer { iconv_close(converter) }
    var input = input
    var chunk = [UInt8](repeating: 0, count: max(64, input.count * 2 + 16))
    return input.withUnsafeMutableBytes { inputBytes -> Result<Void, EncodingRefusal> in
      var inPointer = inputBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
      var inLeft = inputBytes.count
      while inLeft > 0 {
        let (result, problem, produced) = chunk.withUnsafeMutableBytes { chunkBytes in
          var outPointer = chunkBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
          var outLeft = chunkBytes.count
          let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
          return (result, errno, chunkBytes.count - outLeft)
        }
        output.append(contentsOf: chunk[..<produced])
        if result != -1 { continue }
        if problem == E2BIG { continue }
        // EILSEQ (can't convert) or EINVAL (cut short at the end of the input).
        let offset = inputBytes.count - inLeft
        return .failure(EncodingRefusal(encoding: self, scalar: refused(offset)))
      }
      return .success(())
    }
  }
}
