public import CRMModel
import Foundation

/// Guesses, from a column's sample values, the transform a draft mapping needs for a date or number field
/// (`mapping suggest`): `3/14/2024` is month-first, `1,500,000.00` has thousands separators.
public enum FormatSniffer {
    /// Date patterns tried, in order; the first that reads every non-empty sample wins.
    static let datePatterns = [
        "iso8601", "yyyy-MM-dd", "M/d/yyyy", "d/M/yyyy", "d.M.yyyy", "M/d/yyyy H:mm", "d/M/yyyy H:mm", "d.M.yyyy H:mm",
        "yyyy-MM-dd H:mm",
        "yyyy-MM-dd HH:mm:ss", "M/d/yy", "d/M/yy", "yyyyMMdd",
    ]

    /// The YAML transform for `samples` of a field of `kind`, or nil when the default reads them (or nothing fits).
    /// - Returns: the transform, and a note for the draft's comment (why, or what was ambiguous).
    public static func transform(kind: FieldKind, samples: [String]) -> (yaml: String, note: String)? {
        let values = samples.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !values.isEmpty else { return nil }
        switch kind {
        case .day, .instant:
            // The fewest patterns (at most three) that read every value: a column may mix dates and date-times.
            func reads(_ p: String, _ v: String) -> Bool {
                if p == "iso8601" { return DateFormat.parseISO(v) != nil }
                return DateFormat(p)?.parse(v) != nil
            }
            var left = values
            var chosen: [String] = []
            while !left.isEmpty, chosen.count < 3 {
                let best = datePatterns.map { p in (p, left.filter { reads(p, $0) }.count) }.max { $0.1 < $1.1 }
                guard let best, best.1 > 0 else { break }
                chosen.append(best.0)
                left.removeAll { reads(best.0, $0) }
            }
            guard left.isEmpty, let first = chosen.first else { return nil }
            let alternatives = datePatterns.filter { p in p != first && values.allSatisfy { reads(p, $0) } }
            let note =
                chosen.count == 1 && !alternatives.isEmpty && first != "iso8601" && first != "yyyy-MM-dd"
                ? "dates fit \(first) and \(alternatives.prefix(2).joined(separator: " and ")): check which"
                : "dates read as \(chosen.joined(separator: " or ")) in \(values.count) sample rows"
            return ("{date: {formats: [" + chosen.map { "\"\($0)\"" }.joined(separator: ", ") + "]}}", note)
        case .number, .integer:
            if values.allSatisfy({ Double($0) != nil }) || !values.contains(where: { $0.contains(",") }) { return nil }
            // Which of `.` and `,` comes last in values that have both: that is the decimal separator.
            var dotLast = 0
            var commaLast = 0
            for v in values {
                guard let d = v.lastIndex(of: "."), let c = v.lastIndex(of: ",") else { continue }
                if d > c { dotLast += 1 } else { commaLast += 1 }
            }
            let decimal: String
            let thousands: String
            if dotLast >= commaLast && dotLast > 0 {
                (decimal, thousands) = (".", ",")
            } else if commaLast > 0 {
                (decimal, thousands) = (",", ".")
            } else if values.contains(where: { v in
                let groups: [Substring] = v.split(separator: ",", omittingEmptySubsequences: false)
                return groups.dropFirst().contains { $0.count != 3 }
            }) {
                (decimal, thousands) = (",", ".")  // `12,5`: a decimal comma
            } else {
                (decimal, thousands) = (".", ",")  // `1,500`: thousands
            }
            return (
                "{number: {decimal: \"\(decimal)\", thousands: \"\(thousands)\"}}", "numbers written like \(values[0])"
            )
        default:
            return nil
        }
    }
}
