public import CRMModel
public import CRMStore
import Foundation

/// Which records an export takes, as its options name them (`crmgate export --stage … --owner … --where …`): turned
/// into the store's query by `query(for:)`, which also checks the dates and ranges.
public struct ExportFilters: Sendable {
    /// The pipeline values to keep (`--stage`, an opportunity's stage or a lead's or task's status).
    public var stages: [String] = []
    /// The owners to keep (`--owner`; a task's assignee).
    public var owners: [String] = []
    /// The `--where` filters, already parsed.
    public var wheres = RecordQuery()
    /// `--created-since`, `--updated-since`: YYYY-MM-DD.
    public var createdSince: String?
    public var updatedSince: String?
    /// `--close-between FROM..TO`, either end may be empty: the expected close (opportunities), close date (leads) or
    /// due day (tasks, the whole of TO included).
    public var closeBetween: String?

    public init() {}

    /// The query these filters make for records of `type`. A `--where` on a field another option filters too widens
    /// it, as the same field twice does (either value).
    /// - Throws: `ExportError.invalidFilter` for a date that is not YYYY-MM-DD, a range that is not FROM..TO or ends
    ///   before it starts, or a stage filter on customers.
    public func query(for type: RecordType) throws(ExportError) -> RecordQuery {
        var q = RecordQuery()
        if !stages.isEmpty {
            guard let field = type.pipelineField else {
                throw ExportError(.invalidFilter, "customers have no status to filter on")
            }
            q.anyOf.append((field, stages))
        }
        if !owners.isEmpty { q.anyOf.append((type == .task ? "assignee" : "owner", owners)) }
        for (field, values) in wheres.anyOf {
            if let i = q.anyOf.firstIndex(where: { $0.0 == field }) {
                q.anyOf[i].1 += values
            } else {
                q.anyOf.append((field, values))
            }
        }
        q.ranges += wheres.ranges
        if let createdSince { q.ranges.append(.init(field: "created_at", from: try Self.day(createdSince), to: nil)) }
        if let updatedSince { q.ranges.append(.init(field: "updated_at", from: try Self.day(updatedSince), to: nil)) }
        if let closeBetween {
            let parts = closeBetween.components(separatedBy: "..")
            guard parts.count == 2 else {
                throw ExportError(
                    .invalidFilter, "--close-between takes FROM..TO, not '\(closeBetween)'",
                    hint: "e.g. 2026-01-01..2026-03-31; either end may be empty")
            }
            let field = type == .opportunity ? "expected_close" : type == .task ? "due" : "close_date"
            let from = parts[0].isEmpty ? nil : try Self.day(parts[0])
            let to = parts[1].isEmpty ? nil : try Self.day(parts[1])
            if let from, let to, to < from {
                throw ExportError(
                    .invalidFilter, "--close-between \(closeBetween): the end is before the start",
                    hint: "give FROM..TO with FROM first, e.g. \(to)..\(from)")
            }
            q.ranges.append(
                .init(field: field, from: from, to: to.map { $0 + (type == .task ? "T23:59:59.999Z" : "") }))
        }
        return q
    }

    private static func day(_ s: String) throws(ExportError) -> String {
        guard let d = CalendarDay(iso: s) else { throw ExportError(.invalidFilter, "'\(s)' is not a YYYY-MM-DD date") }
        return d.description
    }
}

extension ExportOptions {
    /// The decimal separator numbers take in `locale`'s language (`de` → `,`, `en` → `.`); nil for text that is not
    /// a language code (`xx`, `english`), which a trial's export took for one with a `.`.
    public static func decimalSeparator(locale: String) -> Character? {
        let language = String(locale.split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "").lowercased()
        guard language.count == 2 || language.count == 3,
            Locale.LanguageCode.isoLanguageCodes.contains(where: { $0.identifier == language })
        else { return nil }
        let comma = [
            "de", "fr", "es", "it", "nl", "pt", "da", "sv", "nb", "no", "fi", "pl", "cs", "ru", "tr", "at", "ch",
        ]
        return comma.contains(String(locale.prefix(2)).lowercased()) ? "," : "."
    }
}
