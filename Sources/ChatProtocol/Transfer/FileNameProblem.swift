/// Why a file name from a peer can't be used at all (``SafeFileName/clean(_:)``); anything
/// less is repaired instead.
public enum FileNameProblem: Error, Hashable, Sendable, CustomStringConvertible {
  /// Nothing is left of the name: it was empty, or ended with `/` or `\`.
  case empty
  /// What follows the last `/` or `\` is only dots and spaces (`.`, `..`, `" "`): nothing a
  /// file could be called.
  case onlyDots

  public var description: String {
    switch self {
    case .empty: "the file name is empty (nothing after its last / or \\)"
    case .onlyDots: "the file name is only dots and spaces"
    }
  }
}
