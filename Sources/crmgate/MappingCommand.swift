import ArgumentParser
import CRMCSV
import CRMMapping
import CRMModel
import Foundation

struct MappingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping", abstract: "Write and check mapping files.", subcommands: [Suggest.self, Check.self])

    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a draft mapping for a CSV file from its header.",
            discussion: "Columns are matched to fields exactly, after normalising, by synonym, or fuzzily; what is not mapped is listed as comments.")

        @Argument(help: "The CSV file.")
        var file: String

        @Option(name: .long, help: "The record type: lead, customer, opportunity or task.")
        var record: String = "lead"

        func run() throws {
            guard let type = RecordType(rawValue: record) else {
                throw CLIError.usage("unknown record type '\(record)'", hint: "use lead, customer, opportunity or task")
            }
            let reader: CSVReader
            do { reader = try CSVReader(path: file) } catch let e as CSVError {
                throw CLIError("\(e)", code: e.code == .cannotOpen ? 66 : 65)
            }
            let fields = MappingFile.fieldNames(of: type)
            let (mapped, unmapped) = HeaderSuggester.suggest(header: reader.header, record: type, fields: fields)
            var out = "# Draft mapping for \(URL(fileURLWithPath: file).lastPathComponent), made by `crmgate mapping suggest`.\n"
            out += "# Check every line; fuzzy matches are guesses.\n"
            out += "record: \(type.rawValue)\n"
            if reader.dialect.delimiter != UInt8(ascii: ",") || reader.encoding != .utf8 {
                out += "csv:\n  delimiter: \"\(reader.dialect.delimiter == 9 ? "\\t" : String(UnicodeScalar(reader.dialect.delimiter)))\"\n  encoding: \(reader.encoding.rawValue)\n"
            }
            out += "fields:\n"
            for s in mapped {
                let transform: String
                switch s.field {
                case "email": transform = ", transform: [email]"
                case "phone", "mobile": transform = ", transform: [phone]"
                case "created_at": transform = ", transform: [{date: {formats: [iso8601]}}]"
                default: transform = ""
                }
                out += "  \(s.field): { column: \(yamlQuote(s.column))\(transform) }   # \(s.match.rawValue)\n"
            }
            for u in unmapped { out += "  # not mapped: \(yamlQuote(u))  (map it to a field, or to custom.<name>)\n" }
            print(out, terminator: "")
        }

        func yamlQuote(_ s: String) -> String {
            let plain = s.range(of: "^[A-Za-z][A-Za-z0-9 _/().-]*$", options: .regularExpression) != nil
            return plain ? s : "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a mapping file, and optionally that a CSV file's header has its columns.")

        @Argument(help: "The mapping file.")
        var mapping: String

        @Option(name: .long, help: "A CSV file to check the columns against.")
        var file: String?

        func run() throws {
            do {
                let m = try MappingFile.load(path: mapping)
                if let file {
                    let reader = try CSVReader(path: file)
                    switch m.record {
                    case .lead: _ = try RowMapper<Lead>(mapping: m, header: reader.header)
                    case .customer: _ = try RowMapper<Customer>(mapping: m, header: reader.header)
                    case .opportunity: _ = try RowMapper<Opportunity>(mapping: m, header: reader.header)
                    case .task: _ = try RowMapper<CRMTask>(mapping: m, header: reader.header)
                    }
                }
                print("\(mapping): ok (\(m.record.plural), \(m.fields.count) fields)")
            } catch let e as MappingError {
                throw CLIError("\(e)", code: e.code == .cannotRead ? 66 : 65)
            } catch let e as CSVError {
                throw CLIError("\(e)", code: 66)
            }
        }
    }
}
