import ArgumentParser
import CRMMapping
import CRMXML
import Foundation

struct XMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xml", abstract: "Look at XML files without importing them.", subcommands: [Scan.self])

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Read an XML file's records (as a mapping names them) and report how many there are, and any fault.")

        @Argument(help: "The XML file.", completion: .file(extensions: ["xml"]))
        var file: String

        @Option(name: .long, help: "An XML mapping: its record_path, namespaces and field paths are read.")
        var mapping: String
        @Flag(
            name: .long,
            help: "Print the result as one JSON object: records, record_path, fields, fault, seconds, bytes.")
        var json = false

        func run() throws {
            let m: MappingFile
            do { m = try MappingFile.load(path: mapping) } catch let e as MappingError {
                throw CLIError("\(e)", code: e.code == .cannotRead ? 66 : 65)
            }
            guard m.format == "xml", let recordPath = m.recordPath else {
                throw CLIError(
                    "\(mapping) is not an XML mapping", hint: "an XML mapping has format: xml and a record_path",
                    code: 65)
            }
            var o = XMLReadOptions(recordPath: recordPath, fields: m.sourceColumns)
            o.namespaces = m.namespaces
            let started = Date()
            let reader: XMLRecordReader
            do { reader = try XMLRecordReader(path: file, options: o) } catch let e as XMLError {
                throw CLIError("\(e)", code: e.code == .cannotOpen ? 66 : 65)
            }
            var records = 0
            var fault: XMLError?
            while let b = reader.nextBatch() {
                records += b.count
                if let f = b.fault { fault = f }
            }
            let secs = Date().timeIntervalSince(started)
            let size = reader.fileSize ?? reader.bytesRead
            if json {
                print(
                    "{\"file\":\(jsonString(file)),\"records\":\(records),\"record_path\":\(jsonString(recordPath)),\"fields\":\(o.fields.count),"
                        + "\"fault\":\(fault.map { jsonString("\($0)") } ?? "null"),\"seconds\":\(String(format: "%.3f", secs)),\"bytes\":\(size)}"
                )
            } else {
                print("\(file): \(records) records at \(recordPath), \(o.fields.count) fields each")
                if let fault { print("  fault: \(fault)") }
                print(
                    String(
                        format: "  %.2f s, %.0f records/s, %.1f MB/s", secs, Double(records) / max(secs, 1e-9),
                        Double(size) / 1e6 / max(secs, 1e-9)))
            }
            if fault != nil { throw ExitCode(65) }
        }
    }
}
