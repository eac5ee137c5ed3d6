import Foundation

/// What two names are compared by in a room, so that names which look the same count as the
/// same name.
///
/// - ``folded``: NFKC, then case folded (full-width `ｂｏｂ`, `BOB` and `bob` fold alike;
///   `ß` folds to `ss`).
/// - ``skeletons``: the UTS #39 confusable skeletons of the name (after NFKC) and of the
///   folded name, so `bоb` (Cyrillic о), `rnallory`/`mallory` and `aIice`/`alice` meet too.
///   Both are needed: folding first would turn the capital I of `aIice` into an i and hide
///   that it looks like an l; folding not at all would let `BOB` pass beside `bob`.
///
/// Names that break the hello's rules (invisible, bidi and control characters, spaces at the
/// ends) never get here: the session refuses them first (``Hello/problem(withName:)``).
public struct NameKey: Hashable, Sendable {
  public let folded: String
  public let skeletons: Set<String>

  public init(_ name: String) {
    folded = Self.fold(name)
    skeletons = [ConfusableSkeleton.of(name.precomposedStringWithCompatibilityMapping), ConfusableSkeleton.of(folded)]
  }

  /// Rooms treat two names as one when a skeleton of one is a skeleton of the other.
  public func looksLike(_ other: NameKey) -> Bool { !skeletons.isDisjoint(with: other.skeletons) }

  /// NFKC, full case folding (upper then lower, which also folds `ß` and final sigma), NFKC
  /// again (case mapping can undo normalisation).
  static func fold(_ name: String) -> String {
    name.precomposedStringWithCompatibilityMapping.uppercased().lowercased()
      .precomposedStringWithCompatibilityMapping
  }
}
