import ArgumentParser
import CRMCSV
import CRMExport
import CRMMapping
import CRMModel
import CRMStore
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export opportunities, leads, customers or tasks to CSV, XLSX, ICS or NDJSON.",
        discussion: """
            Streams from the store. CSV is UTF-8 with a BOM and CRLF (for Excel), ISO 8601 dates and '.' decimals;
            cells that a spreadsheet would run as a formula are prefixed with ' unless --raw: those starting \
            with =, @, tab or CR, and those starting with + or - unless a plain number (digits, spaces, '.', \
            parentheses: +4311552754, -12.5); `crmgate import` takes the ' off again. XLSX has typed cells,
            a frozen bold header and an autofilter; opportunities get a Pipeline sheet. ICS (tasks) is RFC 5545.
            """)

    @Argument(help: "What to export: opportunities, leads, customers or tasks.")
    var what: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "csv, xlsx, ics (tasks) or ndjson.")
    var format: String = "csv"

    @Option(name: .long, help: "The output file; - for standard output (not for xlsx).")
    var out: String = "-"

    @Option(name: .long, help: "Columns to write, in order, comma-separated (field names, id, updated_at, custom.<name>).")
    var columns: String?

    @Option(name: [.customLong("stage"), .customLong("status")], help: "Only records in this stage or status (repeatable).")
    var stages: [String] = []

    @Option(name: .long, help: "Only records of this owner (tasks: assignee; repeatable).")
    var owner: [String] = []

    @Option(name: .long, help: "Only records created on or after this date (YYYY-MM-DD).")
    var createdSince: String?

    @Option(name: .long, help: "Only records changed on or after this date (YYYY-MM-DD).")
    var updatedSince: String?

    @Option(name: .long, help: "Only records whose expected close (tasks: due) is in FROM..TO, e.g. 2026-01-01..2026-03-31.")
    var closeBetween: String?

    @Flag(name: .long, help: "CSV: no byte-order mark.")
    var noBom = false

    @Option(name: .long, help: "CSV: the delimiter (, ; | or \\t).")
    var delimiter: String = ","

    @Option(name: .long, help: "CSV: a locale whose decimal separator numbers use (e.g. de writes 1234,5).")
    var locale: String?

    @Flag(name: .long, help: "CSV: do not neutralise formula-like cells (UNSAFE when the file is opened in a spreadsheet).")
    var raw = false

    @Option(name: .long, help: "XLSX: the pipelines file whose stage order the Pipeline sheet follows.")
    var pipelines = "mappings/pipelines.yaml"

    func run() throws {
        guard let type = RecordType.allCases.first(where: { $0.plural == what || $0.rawValue == what }) else {
            throw ValidationError("export what? opportunities, leads, customers or tasks")
        }
        guard let fmt = ExportFormat(rawValue: format) else { throw ValidationError("--format must be csv, xlsx, ics or ndjson") }
        guard let delim = CSVDialect.delimiter(named: delimiter) else { throw ValidationError("--delimiter must be one character") }
        var o = ExportOptions(recordType: type)
        o.format = fmt
        o.output = out
        o.columns = columns?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        o.byteOrderMark = !noBom
        o.delimiter = delim
        o.raw = raw
        do { o.stageOrder = try Pipelines.load(path: pipelines).opportunityStages } catch let e as MappingError {
            throw ValidationError("\(e)")
        }
        if let locale {
            let comma = ["de", "fr", "es", "it", "nl", "pt", "da", "sv", "nb", "no", "fi", "pl", "cs", "ru", "tr", "at", "ch"]
            o.decimalSeparator = comma.contains(String(locale.prefix(2)).lowercased()) ? "," : "."
        }
        let statusField = type == .opportunity ? "stage" : type == .customer ? nil : "status"
        if !stages.isEmpty {
            guard let statusField else { throw ValidationError("customers have no status to filter on") }
            o.query.anyOf.append((statusField, stages))
        }
        if !owner.isEmpty { o.query.anyOf.append((type == .task ? "assignee" : "owner", owner)) }
        if let createdSince { o.query.ranges.append(.init(field: "created_at", from: try day(createdSince), to: nil)) }
        if let updatedSince { o.query.ranges.append(.init(field: "updated_at", from: try day(updatedSince), to: nil)) }
        if let closeBetween {
            let parts = closeBetween.components(separatedBy: "..")
            guard parts.count == 2 else { throw ValidationError("--close-between takes FROM..TO (either may be empty)") }
            let field = type == .opportunity ? "expected_close" : type == .task ? "due" : "close_date"
            let from = parts[0].isEmpty ? nil : try day(parts[0])
            let to = parts[1].isEmpty ? nil : try day(parts[1]) + (type == .task ? "T23:59:59.999Z" : "")
            o.query.ranges.append(.init(field: field, from: from, to: to))
        }
        // Export only reads: a missing or older store is reported (exit 66 or 74) instead of created or migrated.
        _ = try storeOptions.openForReading()
        do {
            let s = try Exporter.run(store: storeOptions.store, o)
            if out != "-" {
                print("exported \(s.records) \(type.plural) to \(out) (\(fmt.rawValue)" + (fmt == .xlsx ? ", \(s.sheets) data sheet\(s.sheets == 1 ? "" : "s")" : "") + String(format: ") in %.2f s", s.seconds))
            }
        } catch let e as ExportError {
            FileHandle.standardError.write(Data("crmgate export: \(e.message)\n".utf8))
            throw ExitCode(e.code == .unknownColumn || e.code == .unsupportedFormat ? 64 : 74)
        }
    }

    func day(_ s: String) throws -> String {
        guard CalendarDay(iso: s) != nil else { throw ValidationError("'\(s)' is not a YYYY-MM-DD date") }
        return s
    }
}
