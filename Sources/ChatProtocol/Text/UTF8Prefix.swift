extension String {
  /// The longest start of the string that is at most `maximum` bytes of UTF-8 and ends on
  /// a character boundary (a name or a reason cut to fit a field is never cut mid-character).
  public func prefix(utf8Bytes maximum: Int) -> Substring {
    var bytes = 0
    var end = startIndex
    for index in indices {
      bytes += self[index].utf8.count
      guard bytes <= maximum else { break }
      end = self.index(after: index)
    }
    return self[..<end]
  }
}
