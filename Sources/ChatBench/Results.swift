import Foundation

/// One line of the results table: a figure for chat beside its reference from the same run.
struct Row: Codable {
  var name: String
  var unit: String
  var chat: Double?
  var reference: String
  var referenceValue: Double?
  var target: String
  /// Whether the target is met, when the target is a number this row can check.
  var met: Bool?
  var note: String = ""

  /// chat ÷ reference.
  var ratio: Double? {
    guard let chat, let referenceValue, referenceValue > 0 else { return nil }
    return chat / referenceValue
  }
}

enum Table {
  static func format(_ value: Double?) -> String {
    guard let value else { return "–" }
    if value >= 100_000 { return String(format: "%.3g", value).replacingOccurrences(of: "e+0", with: "e") }
    if value >= 100 { return String(format: "%.0f", value) }
    if value >= 1 { return String(format: "%.2f", value) }
    return String(format: "%.3f", value)
  }

  static func markdown(_ rows: [Row]) -> String {
    var lines = [
      "| what | unit | chat | reference | reference value | chat ÷ ref | target | met |",
      "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows {
      let met = row.met.map { $0 ? "yes" : "**no**" } ?? "–"
      let note = row.note.isEmpty ? "" : " (\(row.note))"
      lines.append(
        "| \(row.name)\(note) | \(row.unit) | \(format(row.chat)) | \(row.reference) | \(format(row.referenceValue)) | \(format(row.ratio)) | \(row.target) | \(met) |"
      )
    }
    return lines.joined(separator: "\n")
  }
}

/// Wall-clock time of `body`, in seconds.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try await body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
