import CRMCSV
import Foundation

/// The reject file: the rejected rows as they were, plus their line and the reason, so a user
/// can fix them and import the file again with the same mapping.
final class RejectFile {
    let path: String
    private let header: [String]
    private let delimiter: UInt8
    private var writer: CSVWriter?

    /// `delimiter` is the source's, so that the mapping that read it reads the reject file too. The file is UTF-8
    /// with a byte-order mark, which the reader takes over a mapping's declared encoding (and Excel needs).
    init(path: String, header: [String], delimiter: UInt8 = UInt8(ascii: ",")) {
        self.path = path
        self.header = header
        self.delimiter = delimiter
    }

    /// True once a row was written.
    private(set) var isUsed = false

    func write(fields: [String], line: Int, reason: String) throws {
        if writer == nil {
            var o = CSVWriter.Options()
            o.neutralizeFormulas = false  // the file goes back into crmgate, not into a spreadsheet
            o.delimiter = delimiter
            o.byteOrderMark = true
            do {
                writer = try CSVWriter(path: path, options: o)
            } catch {
                throw ImportError(
                    .rejectFile, "cannot write the reject file \(path): \(error)", underlying: error as? CSVError)
            }
            try writer!.writeRow(header + ["crmgate_line", "crmgate_reason"])
            isUsed = true
        }
        var row = Array(fields.prefix(header.count))
        var why = reason
        if fields.count > header.count {
            why += "; extra fields: " + fields[header.count...].joined(separator: " | ")
        }
        while row.count < header.count { row.append("") }
        try writer!.writeRow(row + [String(line), why])
    }

    func close() throws {
        try writer?.flush()
        writer = nil
    }
}
