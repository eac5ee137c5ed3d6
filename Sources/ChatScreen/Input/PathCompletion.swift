/// One name in a directory, as the completion sees it.
public struct PathEntry: Hashable, Sendable {
  public var name: String
  public var isDirectory: Bool

  public init(name: String, isDirectory: Bool) {
    self.name = name
    self.isDirectory = isDirectory
  }
}

/// Tab completion of paths after `/send ` (and `/send NAME `) and of directories after
/// `/accept ID `. Pure: the directory listing is a function given in, so tests need no
/// disk, and the terminal layer passes only the key.
public enum PathCompletion {
  public enum Result: Hashable, Sendable {
    /// Nothing to complete here, or nothing matches.
    case none
    /// The new text before the cursor.
    case completed(String)
    /// Several names match and have nothing more in common: the candidates, as shown
    /// (directories end in `/`), sorted.
    case ambiguous([String])
  }

  /// Completes `text`, the input line before the cursor. `members` tells `/send bob
  /// notes` from `/send my notes`, as ``TypedLine`` does; `home` is what `~` stands for;
  /// `list` gives a directory's entries (nil: it can't be read).
  public static func complete(
    _ text: String, members: Set<String>, home: String?, list: (String) -> [PathEntry]?
  ) -> Result {
    guard let (start, directoriesOnly) = fragmentStart(text, members: members) else { return .none }
    let before = String(text[..<start])
    var fragment = String(text[start...])
    let quoted = fragment.hasPrefix("\"")
    if quoted { fragment.removeFirst() }
    guard !fragment.contains("\"") else { return .none }
    if fragment == "~" { return .completed(text + "/") }
    let slash = fragment.lastIndex(of: "/")
    let directory = slash.map { String(fragment[...$0]) } ?? ""
    let base = slash.map { String(fragment[fragment.index(after: $0)...]) } ?? fragment
    let listed = directory.isEmpty ? "." : TypedLine.expandingTilde(directory, home: home)
    guard let entries = list(listed) else { return .none }
    let matches =
      entries
      .filter { $0.name.hasPrefix(base) && (base.hasPrefix(".") || !$0.name.hasPrefix(".")) }
      .filter { !directoriesOnly || $0.isDirectory }
      .sorted { $0.name < $1.name }
    guard let first = matches.first else { return .none }
    let head = before + (quoted ? "\"" : "") + directory
    if matches.count == 1 {
      let ending = first.isDirectory ? "/" : quoted ? "\"" : ""
      return .completed(head + first.name + ending)
    }
    let common = matches.dropFirst().reduce(Array(first.name)) { common, entry in
      Array(zip(common, Array(entry.name)).prefix { $0 == $1 }.map(\.0))
    }
    if common.count > Array(base).count { return .completed(head + String(common)) }
    return .ambiguous(matches.map { $0.name + ($0.isDirectory ? "/" : "") })
  }

  /// Where the path being typed starts, and whether only directories fit there.
  static func fragmentStart(_ text: String, members: Set<String>) -> (String.Index, Bool)? {
    let words = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
    guard words.count == 2 else { return nil }
    var rest = words[1].drop { $0 == " " }
    switch words[0].lowercased() {
    case "/send":
      // `/send NAME PATH`: a known name and a space, or a name before a quoted path.
      if let space = rest.firstIndex(of: " "), !rest.hasPrefix("\"") {
        let name = String(rest[..<space])
        let after = rest[space...].drop { $0 == " " }
        if members.contains(name) || after.hasPrefix("\"") { rest = after }
      }
      return (rest.startIndex, false)
    case "/accept":
      guard let space = rest.firstIndex(of: " ") else { return nil }
      return (rest[space...].drop { $0 == " " }.startIndex, true)
    default:
      return nil
    }
  }

  /// The candidates as one scrollback line: at most `limit`, then how many more.
  public static func listing(_ candidates: [String], limit: Int = 20) -> String {
    let shown = candidates.prefix(limit).joined(separator: "  ")
    let more = candidates.count - min(limit, candidates.count)
    return "\(candidates.count) matches: " + shown + (more > 0 ? "  … and \(more) more" : "")
  }
}
