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
            Streams from the store. CSV is UTF-8 with a BOM and CRLF (for Excel), ISO 8601 dates and '.' decimals; \
            cells that a spreadsheet would run as a formula are prefixed with ' unless --raw: those starting with =, @, \
            tab or CR, and those starting with + or - unless a plain number (digits, spaces, '.', parentheses: \
            +4311552754, -12.5); `crmgate import` takes the ' off again. XLSX has typed cells, a frozen bold header and \
            an autofilter; opportunities get a Pipeline sheet. ICS (tasks) is RFC 5545.

            A --stage or --status that the pipeline and the store do not know, or a --close-between whose end is \
            before its start, is a usage error (64) rather than an empty export.

            Examples:
              crmgate export opportunities --format xlsx --out pipeline.xlsx --store crm.sqlite
              crmgate export opportunities --stage Proposal --stage Negotiation --close-between 2025-01-01..2025-03-31
              crmgate export leads --format csv --delimiter ';' --locale de --out leads.csv
              crmgate export leads --columns id,external_id,email,status --where status=Qualified
              crmgate export tasks --format ics --out tasks.ics
            """)

    @Argument(
        help: "What to export: opportunities, leads, customers or tasks.",
        completion: .list(["opportunities", "leads", "customers", "tasks"]))
    var what: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(
        name: .long, help: "csv, xlsx, ics (tasks) or ndjson.", completion: .list(["csv", "xlsx", "ics", "ndjson"]))
    var format: String = "csv"

    @Option(
        name: .long, help: "The output file; - for standard output (not for xlsx).",
        completion: .file(extensions: ["csv", "xlsx", "ics", "ndjson"]))
    var out: String = "-"

    @Option(
        name: .long,
        help: "Columns to write, in order, comma-separated (field names, id, external_id, updated_at, custom.<name>).")
    var columns: String?

    @Option(
        name: [.customLong("stage"), .customLong("status")], help: "Only records in this stage or status (repeatable).")
    var stages: [String] = []

    @Option(name: .long, help: "Only records of this owner (tasks: assignee; repeatable).")
    var owner: [String] = []

    @Option(
        name: .customLong("where"),
        help:
            "field=value filters, as lists take them: a field, custom.NAME, external_id or id (repeatable; the same field twice means either value)."
    )
    var wheres: [String] = []

    @Option(name: .long, help: "Only records created on or after this date (YYYY-MM-DD).")
    var createdSince: String?

    @Option(name: .long, help: "Only records changed on or after this date (YYYY-MM-DD).")
    var updatedSince: String?

    @Option(
        name: .long, help: "Only records whose expected close (tasks: due) is in FROM..TO, e.g. 2026-01-01..2026-03-31."
    )
    var closeBetween: String?

    @Flag(name: .long, help: "CSV: no byte-order mark.")
    var noBom = false

    @Option(name: .long, help: "CSV: the delimiter (, ; | or \\t).")
    var delimiter: String = ","

    @Option(name: .long, help: "CSV: a locale whose decimal separator numbers use (e.g. de writes 1234,5).")
    var locale: String?

    @Flag(
        name: .long,
        help: "CSV: do not neutralise formula-like cells (UNSAFE when the file is opened in a spreadsheet).")
    var raw = false

    @Option(name: .long, help: "XLSX: the pipelines file whose stage order the Pipeline sheet follows.")
    var pipelines = "mappings/pipelines.yaml"

    func run() throws {
        guard let type = RecordType.allCases.first(where: { $0.plural == what || $0.rawValue == what }) else {
            throw CLIError.usage(
                "export what? '\(what)' is not a record type", hint: "use opportunities, leads, customers or tasks")
        }
        guard let fmt = ExportFormat(rawValue: format) else {
            throw CLIError.usage("--format must be csv, xlsx, ics or ndjson")
        }
        guard let delim = CSVDialect.delimiter(named: delimiter) else {
            throw CLIError.usage("--delimiter must be one character", hint: "e.g. --delimiter ';', or \\t for tab")
        }
        var o = ExportOptions(recordType: type)
        o.format = fmt
        o.output = out
        o.columns = columns?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        o.byteOrderMark = !noBom
        o.delimiter = delim
        o.raw = raw
        let pipeline = try loadPipelines(pipelines)
        o.stageOrder = pipeline.opportunityStages
        if let locale {
            guard let separator = ExportOptions.decimalSeparator(locale: locale) else {
                throw CLIError.usage(
                    "--locale \(locale) is not a language code",
                    hint: "e.g. --locale de (1234,5) or --locale en (1234.5)")
            }
            o.decimalSeparator = separator
        }
        var filters = ExportFilters()
        filters.stages = stages
        filters.owners = owner
        filters.wheres = try query(wheres)
        filters.createdSince = createdSince
        filters.updatedSince = updatedSince
        filters.closeBetween = closeBetween
        do { o.query = try filters.query(for: type) } catch { throw CLIError.usage(error.message, hint: error.hint) }
        let statusField = type.pipelineField
        // Export only reads: a missing or older store is reported (exit 66 or 74) instead of created or migrated.
        let store = try StoreLocation(storeOptions.store).openExportSource()
        if let statusField, let values = o.query.anyOf.first(where: { $0.0 == statusField })?.1 {
            try checkKnown(values, field: statusField, type: type, pipeline: pipeline, store: store)
        }
        do {
            let s = try Exporter.run(store: storeOptions.store, o)
            if out != "-" {
                print(
                    "exported \(s.records) \(type.plural) to \(out) (\(fmt.rawValue)"
                        + (fmt == .xlsx ? ", \(s.sheets) data sheet\(s.sheets == 1 ? "" : "s")" : "")
                        + String(format: ") in %.2f s", s.seconds))
            }
        } catch let e as ExportError {
            throw CLIError(e.message, code: e.code == .unknownColumn || e.code == .unsupportedFormat ? 64 : 74)
        }
    }

    /// Refuses a stage or status filter value that neither the pipeline nor the store's records know (a typo would
    /// export nothing): a usage error listing the known values.
    func checkKnown(
        _ values: [String], field: String, type: RecordType, pipeline: Pipelines, store: any ExportSource
    ) throws {
        let known = try knownValues(field: field, type: type, pipeline: pipeline, store: store)
        let unknown = values.filter { v in !known.contains { $0.caseInsensitiveCompare(v) == .orderedSame } }
        guard unknown.isEmpty else {
            let option = type == .opportunity ? "--stage" : "--status"
            let what = type == .opportunity ? "stage" : "status"
            throw CLIError.usage(
                "unknown \(what) " + unknown.map { "'\($0)'" }.joined(separator: ", ") + " for \(option)",
                hint: "known \(what == "stage" ? "stages" : "statuses"): " + known.joined(separator: ", "))
        }
    }
}
