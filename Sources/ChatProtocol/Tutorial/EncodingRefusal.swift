/// Text that can't be written in the chosen encoding, and the character at fault.
public struct EncodingRefusal: Error, Hashable, Sendable, CustomStringConvertible {
  /// The encoding that lacks it.
  public var encoding: TutorialTextEncoding
  /// The first character it lacks; nil when the system can't convert to it at all.
  public var scalar: Unicode.Scalar?

  /// A refusal of `scalar` by `encoding`.
  public init(encoding: TutorialTextEncoding, scalar: Unicode.Scalar?) {
    self.encoding = encoding
    self.scalar = scalar
  }

  public var description: String {
    guard let scalar else { return "this system can't convert to \(encoding)" }
    let code = String(scalar.value, radix: 16, uppercase: true)
    return "U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) can't be written in \(encoding)"
  }
}
