/// A secret yes/no held as a full-width mask (all zero bits or all one bits), so that code
/// depending on it can combine values with `&`, `|` and `^` instead of branching.
///
/// Branching on a secret (an `if`, a ternary, `&&`, an early return, an index chosen by it)
/// lets the time taken, the branch predictor and the cache reveal it; a mask doesn't. A
/// `ConstantTimeChoice` is only turned into a `Bool` where the answer is public anyway (a
/// protocol abort, a test).
package struct ConstantTimeChoice: Sendable {
  /// `0` for no, `UInt64.max` for yes; never anything else.
  package let mask: UInt64

  private init(mask: UInt64) {
    self.mask = Self.opaque(mask)
  }

  /// Yes.
  package static let yes = ConstantTimeChoice(mask: .max)
  /// No.
  package static let no = ConstantTimeChoice(mask: 0)

  /// Yes when `bit` is 1, no when it is 0; `bit` must be 0 or 1.
  package init(bit: UInt64) {
    // 0 - 1 wraps to all ones; 0 - 0 is zero. Wrapping arithmetic: no overflow check (a branch).
    self.init(mask: 0 &- (bit & 1))
  }

  /// Yes when `value` is zero, computed without comparing (a comparison may compile to a branch).
  package init(isZero value: UInt64) {
    // For value != 0, value or its negation has the top bit set; for 0 neither does.
    let nonZeroBit = (value | (0 &- value)) >> 63
    self.init(bit: nonZeroBit ^ 1)
  }

  /// `value`, hidden from the optimizer. Without it LLVM sees that a mask is 0 or all ones and
  /// rewrites `a ^ (mask & (a ^ b))` as a select, which it may compile to a branch or (seen in
  /// Elligator 2's release build) a conditional move between two addresses followed by a load:
  /// a memory access that depends on the secret. A function the optimizer must not look into
  /// is Swift's nearest equivalent of C's empty `asm` value barrier.
  @_optimize(none)
  @inline(never)
  private static func opaque(_ value: UInt64) -> UInt64 {
    value
  }

  /// Whether the choice is yes. Only for answers that are public: it invites branching.
  package var isYes: Bool {
    mask != 0
  }

  /// Yes when both are yes.
  package static func & (lhs: ConstantTimeChoice, rhs: ConstantTimeChoice) -> ConstantTimeChoice {
    ConstantTimeChoice(mask: lhs.mask & rhs.mask)
  }

  /// Yes when either is yes.
  package static func | (lhs: ConstantTimeChoice, rhs: ConstantTimeChoice) -> ConstantTimeChoice {
    ConstantTimeChoice(mask: lhs.mask | rhs.mask)
  }

  /// Yes when this is no.
  package static prefix func ! (choice: ConstantTimeChoice) -> ConstantTimeChoice {
    ConstantTimeChoice(mask: ~choice.mask)
  }
}
