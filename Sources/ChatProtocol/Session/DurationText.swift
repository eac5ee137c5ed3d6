/// Durations as people write them in messages: "30 s", "1.5 s", "250 ms".
public enum DurationText {
  public static func describe(nanoseconds: UInt64) -> String {
    if nanoseconds >= 1_000_000_000 {
      let tenths = (nanoseconds + 50_000_000) / 100_000_000
      return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
    return "\(nanoseconds / 1_000_000) ms"
  }
}
