import Foundation

/// Unicode's confusable skeleton (UTS #39 §4): two strings that look alike have the same
/// skeleton, whatever scripts they mix (`bоb` with a Cyrillic о and `bob`; `rn` and `m`).
///
/// skeleton(X) = NFD(each character of NFD(X) replaced by its prototype), with the
/// prototypes of ``ConfusableTable`` (generated from confusables.txt).
enum ConfusableSkeleton {
  /// The table parsed once, on first use: source code point → prototype scalars.
  private static let prototypes: [UInt32: [Unicode.Scalar]] = {
    var table: [UInt32: [Unicode.Scalar]] = [:]
    table.reserveCapacity(6_400)
    for line in ConfusableTable.lines.split(separator: "\n") {
      let parts = line.split(separator: "=")
      guard parts.count == 2, let source = UInt32(parts[0], radix: 16) else { continue }
      table[source] = parts[1].split(separator: " ").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
    }
    return table
  }()

  static func of(_ text: String) -> String {
    var mapped = String.UnicodeScalarView()
    for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
      if let prototype = prototypes[scalar.value] {
        mapped.append(contentsOf: prototype)
      } else {
        mapped.append(scalar)
      }
    }
    return String(mapped).decomposedStringWithCanonicalMapping
  }
}
