import ArgumentParser
import CRMCSV
import CRMMapping
import Foundation

struct CSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv", abstract: "Look at CSV files without importing them.", subcommands: [Scan.self])

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a CSV file and report its dialect, encoding, record count and malformed records.",
            discussion: "Warns of header names that several columns share: a mapping cannot use such a name.")

        @Argument(help: "The CSV file.", completion: .file(extensions: ["csv", "tsv", "txt"]))
        var file: String

        @Option(name: .long, help: "The file's encoding (default: detect).")
        var encoding: String?

        @Option(name: .long, help: "The delimiter (default: sniff).")
        var delimiter: String?

        @Flag(name: .long, help: "Print the report as one JSON object.")
        var json = false

        func run() throws {
            var o = CSVReadOptions()
            o.encoding = encoding.flatMap(TextEncoding.init(name:))
            o.delimiter = delimiter.flatMap(CSVDialect.delimiter(named:))
            let started = Date()
            let reader: CSVReader
            do {
                reader = try CSVReader(path: file, options: o)
            } catch let e as CSVError {
                throw CLIError("\(e)", code: e.code == .cannotOpen || e.code == .readFailed ? 66 : 65)
            }
            var records = 0
            var fields = 0
            var issues = 0
            var firstIssues: [String] = []
            var blank = 0
            while let b = try reader.nextBatch() {
                // Lines of spaces and delimiters are blank, as the import counts them (not malformed short rows).
                let blanks = (0..<b.count).filter {
                    b.isBlank($0) && (b.issues[$0] == nil || b.issues[$0]?.code == .raggedRow)
                }
                blank += blanks.count
                records += b.count - blanks.count
                fields += b.fieldEnds.count - blanks.reduce(0) { $0 + b.fieldCount($1) }
                for (r, e) in b.issues.sorted(by: { $0.key < $1.key }) where !blanks.contains(r) {
                    issues += 1
                    if firstIssues.count < 10 { firstIssues.append("line \(b.lines[r]), \(e.messageWithColumn)") }
                }
            }
            blank += reader.emptyLines
            let secs = Date().timeIntervalSince(started)
            let size = reader.fileSize ?? reader.bytesRead
            let duplicates = HeaderNames.duplicates(in: reader.header)
            if json {
                let obj: [String: Any] = [
                    "records": records, "fields": fields, "malformed": issues, "columns": reader.header.count,
                    "blank": blank,
                    "encoding": reader.encoding.rawValue, "delimiter": String(UnicodeScalar(reader.dialect.delimiter)),
                    "seconds": secs, "bytes": size,
                    "duplicate_columns": duplicates.map { ["name": $0.name, "columns": $0.columns] as [String: Any] },
                ]
                print(
                    String(
                        decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self
                    ))
            } else {
                print(
                    "\(file): \(records) records, \(reader.header.count) columns, \(issues) malformed"
                        + (blank > 0 ? ", \(blank) blank line\(blank == 1 ? "" : "s") skipped" : ""))
                print(
                    "  encoding \(reader.encoding.rawValue), delimiter '\(CSVDialect.name(of: reader.dialect.delimiter))'"
                )
                print("  header: " + reader.header.joined(separator: " | "))
                for d in duplicates {
                    print(
                        "  warning: " + HeaderNames.describe(d.name, columns: d.columns)
                            + "; a mapping cannot use it by name: rename one, or map by position "
                            + "(column: \"#\(d.columns.last!)\")")
                }
                for i in firstIssues { print("  " + i) }
                print(
                    String(
                        format: "  %.2f s, %.0f records/s, %.1f MB/s", secs, Double(records) / max(secs, 1e-9),
                        Double(size) / 1e6 / max(secs, 1e-9)))
            }
        }
    }
}
