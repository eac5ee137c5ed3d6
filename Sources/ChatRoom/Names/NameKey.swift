import Foundation

/// What two names are compared by in a room, so that names which look the same count as the
/// same name.
///
/// - ``folded``: NFKC, then case folded (full-width `ｂｏｂ`, `BOB` and `bob` fold alike;
///   `ß` folds to `ss`).
/// - ``skeletons``: the UTS #39 confusable skeletons of the name (after NFKC) and of the
///   folded name, so `bоb` (Cyrillic о), `rnallory`/`mallory` and `aIice`/`alice` meet too.
///   Both are needed: folding first would turn the capital I of `aIice` into an i and hide
///   that it looks like an l; folding not at all would let `BOB` pass beside `bob`. And the
///   same two again with the combining diacritical marks removed (``withoutDiacritics(_:)``),
///   so that a mark added to a name doesn't make it another: `bob̲` (U+0332), `ḅob` and
///   `bob⃝` (U+20DD) meet `bob`, as `Zoë` meets `Zoe`.
///
/// Names that break the hello's rules (invisible, blank, bidi and control characters, odd
/// spaces, marks with no base, …) never get here: the session refuses them first (``Hello/problem(withName:)``).
public struct NameKey: Hashable, Sendable {
  public let folded: String
  public let skeletons: Set<String>

  public init(_ name: String) {
    folded = Self.fold(name)
    let compatible = name.precomposedStringWithCompatibilityMapping
    skeletons = Set(
      [compatible, folded, Self.withoutDiacritics(compatible), Self.withoutDiacritics(folded)].map(
        ConfusableSkeleton.of))
  }

  /// One string for the name, as pinned keys file it: the skeleton of the folded name with
  /// its diacritics removed (`Bob`, `ｂｏｂ`, `bоb` and `bob̲` all give `bob`'s). Coarser than
  /// ``looksLike(_:)`` in one way: folding first, it no longer sees that a capital I looks
  /// like an l.
  public var canonical: String { ConfusableSkeleton.of(Self.withoutDiacritics(folded)) }

  /// Rooms treat two names as one when a skeleton of one is a skeleton of the other.
  public func looksLike(_ other: NameKey) -> Bool { !skeletons.isDisjoint(with: other.skeletons) }

  /// `text` in NFD without its nonspacing and enclosing marks (Mn, Me) from the blocks of
  /// generic diacritics: Combining Diacritical Marks (U+0300–U+036F) and its Extended
  /// (U+1AB0–U+1AFF) and Supplement (U+1DC0–U+1DFF) blocks, Combining Diacritical Marks for
  /// Symbols (U+20D0–U+20FF) and Combining Half Marks (U+FE20–U+FE2F). A script's own marks
  /// stay: the kana voicing marks (が is not か), Devanagari and Thai vowel signs, … make
  /// another name.
  static func withoutDiacritics(_ text: String) -> String {
    var kept = String.UnicodeScalarView()
    for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars where !isDiacritic(scalar) {
      kept.append(scalar)
    }
    return String(kept)
  }

  static func isDiacritic(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark:
      switch scalar.value {
      case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F: return true
      default: return false
      }
    default: return false
    }
  }

  /// NFKC, full case folding (upper then lower, which also folds `ß` and final sigma), NFKC
  /// again (case mapping can undo normalisation).
  static func fold(_ name: String) -> String {
    name.precomposedStringWithCompatibilityMapping.uppercased().lowercased()
      .precomposedStringWithCompatibilityMapping
  }
}
