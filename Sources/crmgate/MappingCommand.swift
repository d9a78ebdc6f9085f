import ArgumentParser
import CRMCSV
import CRMImport
import CRMMapping
import CRMModel
import CRMSync
import Foundation

struct MappingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping", abstract: "Write and check mapping files.", subcommands: [Suggest.self, Check.self])

    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a draft mapping for a CSV file from its header.",
            discussion:
                "Columns are matched to fields exactly, after normalising, by synonym, or fuzzily; what is not mapped is listed as comments."
        )

        @Argument(help: "The CSV file.", completion: .file(extensions: ["csv", "tsv", "txt"]))
        var file: String

        @Option(
            name: .long,
            help: "The record type: lead, customer, opportunity or task (default: the one the header fits best).")
        var record: String?

        func run() throws {
            if let record, RecordType(rawValue: record) == nil {
                throw CLIError.usage("unknown record type '\(record)'", hint: "use lead, customer, opportunity or task")
            }
            let out: String
            do {
                out = try MappingDraft.suggest(file: file, record: record.flatMap(RecordType.init(rawValue:)))
            } catch let e as CSVError {
                throw CLIError("\(e)", code: e.code == .cannotOpen ? 66 : 65)
            } catch let e as ImportError {
                throw CLIError(e.message, code: e.exitCode)
            }
            print(out, terminator: "")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a mapping file, and optionally that a CSV or XML file has its columns.")

        @Argument(help: "The mapping file.", completion: .file(extensions: ["yaml", "yml"]))
        var mapping: String

        @Option(
            name: .long,
            help: "A CSV or XML file: its header is checked against the mapping, and its first rows run through it.")
        var file: String?
        @Option(name: .long, parsing: .unconditional, help: "How many rows of --file to run through the mapping.")
        var rows: Int = 1000
        func validate() throws { if rows < 1 { throw ValidationError("--rows must be at least 1") } }
        @Flag(
            name: .long,
            help:
                "Print the result as one JSON object: ok, record_type, fields, rows_read, rejected, reasons (with lines)."
        )
        var json = false

        /// The check's result as JSON.
        func report(_ m: MappingFile, read: Int, rejected: Int, reasons: [(reason: String, count: Int, lines: [Int])]) {
            let rs = reasons.map {
                "{\"reason\":\(jsonString($0.reason)),\"count\":\($0.count),\"lines\":[\($0.lines.map(String.init).joined(separator: ","))]}"
            }
            print(
                "{\"ok\":\(rejected == 0),\"mapping\":\(jsonString(mapping)),\"record_type\":\(jsonString(m.record.plural)),\"fields\":\(m.fields.count),"
                    + "\"file\":\(file.map(jsonString) ?? "null"),\"rows_read\":\(read),\"rejected\":\(rejected),\"reasons\":[\(rs.joined(separator: ","))]}"
            )
        }

        func run() throws {
            do {
                let m = try MappingFile.load(path: mapping)
                if let file {
                    let sample = try MappingSample.run(mapping: m, mappingPath: mapping, path: file, rows: rows)
                    if json {
                        report(
                            m, read: sample.read, rejected: sample.rejected,
                            reasons: sample.reasons.map { ($0.reason, $0.count, $0.lines) })
                        if sample.rejected > 0 { throw ExitCode(65) }
                        return
                    }
                    guard sample.rejected == 0 else {
                        print(
                            "\(mapping): \(sample.rejected) of the first \(sample.read) rows of \(file) would be rejected:"
                        )
                        for r in sample.reasons.prefix(10) {
                            print(
                                "  \(r.count) × \(r.reason) (line\(r.lines.count > 1 ? "s" : "") \(r.lines.map(String.init).joined(separator: ", ")))"
                            )
                        }
                        throw CLIError(
                            "the mapping does not fit \(file): rows would be rejected",
                            hint: "fix the transforms named above", code: 65)
                    }
                    print(
                        "\(mapping): ok (\(m.record.plural), \(m.fields.count) field\(m.fields.count == 1 ? "" : "s")); the first \(sample.read) rows of \(file) map without a reject"
                    )
                    return
                }
                if json {
                    report(m, read: 0, rejected: 0, reasons: [])
                } else {
                    print(
                        "\(mapping): ok (\(m.record.plural), \(m.fields.count) field\(m.fields.count == 1 ? "" : "s"))")
                }
            } catch let e as MappingError {
                throw CLIError("\(e)", code: e.code == .cannotRead ? 66 : 65)
            } catch let e as CSVError {
                throw CLIError("\(e)", code: 66)
            } catch let e as ImportError {
                throw CLIError("\(e)", code: e.exitCode)
            }
        }
    }
}
