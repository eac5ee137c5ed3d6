/// Durations, byte sizes and the numbers in plain output, as chat writes them: one place
/// for messages to the peer, the screen and the plain front end.
public enum Quantities {
  /// A limit or a wait in a message: "30 s", "1.5 s", "250 ms".
  public static func duration(nanoseconds: UInt64) -> String {
    if nanoseconds >= 1_000_000_000 {
      let tenths = (nanoseconds + 50_000_000) / 100_000_000
      return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
    return "\(nanoseconds / 1_000_000) ms"
  }

  /// A limit or a wait given as a `Duration`: "30 s", "1.5 s", "250 ms".
  public static func duration(_ duration: Duration) -> String {
    Self.duration(nanoseconds: nanoseconds(duration))
  }

  /// `duration` in whole nanoseconds, at least 1 (for timers and the session machine).
  public static func nanoseconds(_ duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    let total = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    return UInt64(max(1, min(total, Double(UInt64.max / 2))))
  }

  /// A measured time on the screen, with the precision it deserves: "85 µs", "0.34 ms",
  /// "12 ms", "1.2 s".
  public static func measured(nanoseconds: UInt64) -> String {
    if nanoseconds < 100_000 { return "\(nanoseconds / 1000) µs" }
    if nanoseconds < 10_000_000 { return fixed(nanoseconds, unit: 1_000_000, decimals: 2) + " ms" }
    if nanoseconds < 1_000_000_000 { return "\(nanoseconds / 1_000_000) ms" }
    return fixed(nanoseconds, unit: 1_000_000_000, decimals: 1) + " s"
  }

  /// Whole seconds, rounded: "4 s" (a countdown, "last heard 12 s ago").
  public static func wholeSeconds(nanoseconds: UInt64) -> String {
    "\((nanoseconds + 500_000_000) / 1_000_000_000) s"
  }

  /// "512 B", "1.5 KiB", "3.2 MiB", "1.0 GiB", "5.0 TiB", "8.0 EiB": any size a peer may
  /// announce.
  public static func bytes(_ count: Int) -> String {
    let magnitude = UInt64(max(0, count))
    if magnitude < 1024 { return "\(magnitude) B" }
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var index = 0
    while index < units.count - 1, magnitude >= UInt64(1) << (10 * (index + 2)) { index += 1 }
    return fixed(magnitude, unit: UInt64(1) << (10 * (index + 1)), decimals: 1) + " " + units[index]
  }

  /// Plain output's seconds, one decimal and no unit: "4.2".
  public static func seconds(nanoseconds: UInt64) -> String {
    fixed(nanoseconds, unit: 1_000_000_000, decimals: 1)
  }

  /// Plain output's microseconds, one decimal and no unit: "123.4".
  public static func microseconds(nanoseconds: UInt64) -> String {
    fixed(nanoseconds, unit: 1000, decimals: 1)
  }

  /// `value / unit`, rounded to `decimals` places (1 or 2), in integer arithmetic (wide
  /// enough for any UInt64).
  static func fixed(_ value: UInt64, unit: UInt64, decimals: Int) -> String {
    let scale: UInt64 = decimals == 2 ? 100 : 10
    let product = value.multipliedFullWidth(by: scale)
    let (sum, carry) = product.low.addingReportingOverflow(unit / 2)
    let scaled = unit.dividingFullWidth((product.high + (carry ? 1 : 0), sum)).quotient
    let fraction = String(scaled % scale)
    let padded = String(repeating: "0", count: decimals - fraction.count) + fraction
    return "\(scaled / scale).\(padded)"
  }
}
