/// Why a file name from a peer can't be used at all (``SafeFileName/clean(_:)``); anything
/// less is repaired instead.
public enum FileNameProblem: Error, Hashable, Sendable, CustomStringConvertible {
  /// Nothing is left of the name: it was empty, only separators, or only escape sequences.
  case empty
  /// The name is only dots and spaces (`.`, `..`, `. .`): a directory, never a file.
  case onlyDots

  public var description: String {
    switch self {
    case .empty: "the file name is empty"
    case .onlyDots: "the file name is only dots and spaces"
    }
  }
}
