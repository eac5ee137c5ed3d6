/// One line the user typed (or piped in), or why it can't be used.
public enum InputLine: Hashable, Sendable {
  case text(String)
  /// Line `number` (1-based) is not valid UTF-8.
  case invalidUTF8(number: Int)
}
