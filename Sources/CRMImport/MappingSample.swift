public import CRMMapping
import CRMModel
import CRMXML
import Foundation

/// The first rows of a file run through a mapping, without storing anything (`mapping check --file`): what the
/// import would reject, by reason, with example lines.
public struct MappingSample: Sendable {
    public var read = 0
    public var rejected = 0
    /// Reasons with how many rows each and up to three example line numbers, most frequent first.
    public var reasons: [(reason: String, count: Int, lines: [Int])] = []

    /// Maps up to `rows` rows of `path` through `mapping`.
    /// - Throws: `ImportError` for a file or mapping that cannot be read.
    public static func run(mapping: MappingFile, mappingPath: String, path: String, rows: Int) throws -> MappingSample {
        var io = ImportOptions(source: path, mapping: mappingPath)
        io.keepGoing = true
        let source = try Importer.openSourceOrFail(mapping: mapping, io)
        var out = MappingSample()
        var byReason: [String: (count: Int, lines: [Int])] = [:]
        var examples: [String: String] = [:]
        func note(_ reason: String, _ line: Int) {
            var e = byReason[reason] ?? (0, [])
            e.count += 1
            if e.lines.count < 3 { e.lines.append(line) }
            byReason[reason] = e
            out.rejected += 1
        }
        func sample<R: CRMRecord>(_ type: R.Type) throws {
            let mapper: RowMapper<R>
            do { mapper = try RowMapper<R>(mapping: mapping, header: source.header) } catch var e as MappingError {
                e.path = e.path ?? mappingPath
                throw ImportError(.mapping, "\(e)")
            }
            while out.read < rows,
                try source.nextRows({ raw, issue in
                    guard out.read < rows else { return }
                    out.read += 1
                    if let issue {
                        note(issue.message, raw.line)
                        return
                    }
                    if case .failure(let e) = mapper.mapValues(raw) {
                        // Rows refused for the same reason in the same field are one reason, whatever their values: the
                        // value the reason starts with is masked, and the first one kept as the example.
                        var reason = e.reason
                        var example = ""
                        if reason.hasPrefix("'"),
                            let close = reason.range(
                                of: "' ", range: reason.index(after: reason.startIndex)..<reason.endIndex)
                        {
                            example = String(reason[reason.startIndex..<close.upperBound]).trimmingCharacters(
                                in: .whitespaces)
                            reason = "'…' " + reason[close.upperBound...]
                        }
                        let masked =
                            (e.field.map { "\($0)" + (e.column.map { " (column '\($0)')" } ?? "") + ": " } ?? "")
                            + reason
                        if byReason[masked] == nil, !example.isEmpty { examples[masked] = example }
                        note(masked, raw.line)
                    }
                })
            {}
        }
        do {
            switch mapping.record {
            case .lead: try sample(Lead.self)
            case .customer: try sample(Customer.self)
            case .opportunity: try sample(Opportunity.self)
            case .task: try sample(CRMTask.self)
            }
        } catch let e as XMLError {
            throw Importer.importError(e)
        }
        out.reasons = byReason.map {
            (
                reason: $0.key + (examples[$0.key].map { ", e.g. \($0)" } ?? ""), count: $0.value.count,
                lines: $0.value.lines
            )
        }
        .sorted { $0.count > $1.count }
        return out
    }
}
