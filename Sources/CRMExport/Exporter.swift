import CRMCSV
import CRMModel
import CRMStore
import Foundation

/// Exports records from the store to CSV, XLSX, ICS or NDJSON, streaming (one record in memory at a time).
public enum Exporter {
    /// Runs an export.
    /// - Throws: `ExportError` for unknown columns, a format the record type has no use for (ICS is for
    ///   tasks), an output that cannot be written, or a store that cannot be read.
    public static func run(store: String, _ options: ExportOptions) throws -> ExportSummary {
        let s: any ExportSource
        do { s = try StoreLocation(store).openExportSource() } catch { throw ExportError(.store, "\(error)") }
        switch options.recordType {
        case .lead: return try run(Lead.self, s, options)
        case .customer: return try run(Customer.self, s, options)
        case .opportunity: return try run(Opportunity.self, s, options)
        case .task: return try run(CRMTask.self, s, options)
        }
    }

    /// Runs an export of `R` to `o.output`. A regular file (or a new one) is written beside it under another name and
    /// moved over it only once complete: an export that fails (a `--where` on a field the records lack, a store that
    /// cannot be read, a full disk) leaves the file that was there as it was. A device or a pipe (`/dev/stdout`) is
    /// written directly.
    static func run<R: CRMRecord>(_ type: R.Type, _ store: any ExportSource, _ o: ExportOptions) throws -> ExportSummary
    {
        var st = stat()
        let exists = stat(o.output, &st) == 0
        guard o.output != "-", !exists || (st.st_mode & S_IFMT) == S_IFREG else { return try write(R.self, store, o) }
        let url = URL(fileURLWithPath: o.output)
        var staged = o
        staged.output =
            url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).crmgate-partial-\(getpid())"
            ).path
        do {
            var summary = try write(R.self, store, staged)
            guard rename(staged.output, o.output) == 0 else {
                throw ExportError(
                    .cannotWrite, "cannot write \(o.output): \(String(cString: strerror(errno))) (nothing was changed)")
            }
            summary.output = o.output
            return summary
        } catch let e as ExportError {
            unlink(staged.output)
            // The messages name the file the user gave, not the partial one.
            throw ExportError(e.code, e.message.replacingOccurrences(of: staged.output, with: o.output))
        } catch {
            unlink(staged.output)
            throw error
        }
    }

    static func write<R: CRMRecord>(
        _ type: R.Type, _ store: any ExportSource, _ o: ExportOptions
    ) throws
        -> ExportSummary
    {
        let started = Date()
        let columns = try Columns.resolve(o.columns, for: R.self)
        if o.format == .xlsx && o.output == "-" {
            throw ExportError(.unsupportedFormat, "XLSX cannot go to standard output; give --out FILE.xlsx")
        }
        if o.format == .ics && R.recordType != .task {
            throw ExportError(
                .unsupportedFormat, "ICS is for tasks; export \(R.recordType.plural) as csv, xlsx or ndjson")
        }
        if o.output != "-" {
            let dir = URL(fileURLWithPath: o.output).deletingLastPathComponent().path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw ExportError(.cannotWrite, "cannot write \(o.output): the folder \(dir) does not exist")
            }
        }
        var summary = ExportSummary()
        summary.output = o.output
        summary.format = o.format.rawValue
        func each(_ body: (R, _ externalID: String?) throws -> Void) throws {
            do {
                try store.forEach(R.self, where: o.query, body)
            } catch let e as ExportError {
                throw e
            } catch let e as StoreError {
                throw ExportError(e.code == .notFound ? .unknownColumn : .store, e.message)
            }
        }
        let names = columns.map(\.name)
        /// The store's errors as the export's.
        func storeErrors<T>(_ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch let e as ExportError {
                throw e
            } catch let e as StoreError {
                throw ExportError(e.code == .notFound ? .unknownColumn : .store, e.message)
            }
        }
        func eachRow(_ body: (StoredRow) throws -> Void) throws {
            try storeErrors { try store.forEachRow(R.self, columns: names, where: o.query, body) }
        }
        switch o.format {
        case .csv:
            var w = CSVWriter.Options()
            w.byteOrderMark = o.byteOrderMark && o.output != "-"
            w.delimiter = o.delimiter
            w.neutralizeFormulas = !o.raw
            let writer: CSVWriter
            do { writer = try CSVWriter(path: o.output, options: w) } catch {
                throw ExportError(.cannotWrite, "\(error)")
            }
            try wrapCSV { try writer.writeRow(names) }
            let comma = o.decimalSeparator != "."
            let kinds = columns.map(\.kind)
            try wrapCSV {
                // On two cores when the store can read in blocks; else reading on one thread, writing on another.
                var options = w
                options.byteOrderMark = false
                let inBlocks = try storeErrors {
                    try CSVPipeline.runInBlocks(kinds: kinds, decimalComma: comma, writer: writer, options: options) {
                        try store.forEachRowInBlocks(
                            R.self, columns: names, where: o.query, blockRows: CSVPipeline.blockRows, readers: $0)
                    }
                }
                if let inBlocks {
                    summary.records = inBlocks
                } else {
                    summary.records = try CSVPipeline.run(
                        kinds: kinds, decimalComma: comma, writer: writer, rows: eachRow)
                }
                try writer.flush()
            }
        case .ndjson:
            let sink = try ByteSink(path: o.output)
            try each { r, ext in
                var line = "{"
                for (i, c) in columns.enumerated() {
                    if i > 0 { line += "," }
                    ValueText.jsonString(c.name, into: &line)
                    line += ":"
                    ValueText.json(c.value(r, externalID: ext), into: &line)
                }
                if o.columns == nil && !r.custom.isEmpty {
                    line += ",\"custom\":{"
                    for (i, k) in r.custom.keys.sorted().enumerated() {
                        if i > 0 { line += "," }
                        ValueText.jsonString(k, into: &line)
                        line += ":"
                        ValueText.jsonString(r.custom[k]!, into: &line)
                    }
                    line += "}"
                }
                sink.write(line + "}\n")
                try sink.maybeFlush()
                summary.records += 1
            }
            try sink.flush()
        case .ics:
            let sink = try ByteSink(path: o.output)
            ICSWriter.begin(sink)
            try each { r, _ in
                if let t = r as? CRMTask { ICSWriter.write(t, sink) }
                try sink.maybeFlush()
                summary.records += 1
            }
            ICSWriter.end(sink)
            try sink.flush()
        case .xlsx:
            let xl = try XLSXWriter(
                path: o.output, sheetName: sheetName(R.recordType),
                columns: columns.map {
                    XLSXWriter.Column(title: $0.name, kind: $0.kind, money: $0.name == "amount", width: width($0))
                },
                rowsPerSheet: o.rowsPerSheet)
            var tally = R.recordType == .opportunity ? PipelineTally(columns: names) : nil
            try eachRow { row in
                try xl.addRow(row)
                tally?.add(row, texts: xl.texts)
                summary.records += 1
            }
            if R.recordType == .opportunity {
                let totals: [(stage: String, currency: String, count: Int, total: Double, weighted: Double)]
                if let tally, tally.isExact {
                    totals = tally.figures
                } else {
                    do { totals = try store.pipelineTotals(where: o.query) } catch {
                        throw ExportError(.store, "\(error)")
                    }
                }
                var order = o.stageOrder
                for t in totals where !order.contains(t.stage) { order.append(t.stage) }
                let rows = totals.sorted {
                    (order.firstIndex(of: $0.stage)!, $0.currency) < (order.firstIndex(of: $1.stage)!, $1.currency)
                }.map { t -> [FieldValue] in
                    [
                        .text(t.stage.isEmpty ? "(no stage)" : t.stage), .text(t.currency), .integer(t.count),
                        .number(Decimal(string: String(format: "%.2f", t.total))!),
                        .number(Decimal(string: String(format: "%.2f", t.weighted))!),
                    ]
                }
                try xl.addSummarySheet(
                    name: "Pipeline", header: ["Stage", "Currency", "Count", "Total amount", "Weighted amount"],
                    rows: rows, moneyColumns: [3, 4])
            }
            try xl.finish()
            summary.sheets = max(1, (summary.records + o.rowsPerSheet - 1) / o.rowsPerSheet)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    static func wrapCSV(_ body: () throws -> Void) throws {
        do { try body() } catch let e as CSVError { throw ExportError(.cannotWrite, e.description) }
    }

    static func sheetName(_ t: RecordType) -> String {
        switch t {
        case .lead: return "Leads"
        case .customer: return "Customers"
        case .opportunity: return "Opportunities"
        case .task: return "Tasks"
        }
    }

    /// Column widths that fit what the column usually holds.
    static func width(_ c: ExportColumn) -> Double {
        switch c.name {
        case "id": return 38
        case "name", "title", "company", "customer_name", "notes", "description": return 34
        case "email", "contact_email": return 30
        default:
            switch c.kind {
            case .number: return 14
            case .integer: return 11
            case .bool: return 9
            case .day: return 12
            case .instant: return 18
            default: return 18
            }
        }
    }
}
