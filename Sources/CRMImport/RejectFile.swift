import CRMCSV
import Foundation

/// The reject file: the rejected rows as they were, plus their line and the reason, so a user
/// can fix them and import the file again with the same mapping.
///
/// A row rejected for how it was read (a reader's fault: fields missing or too many, a quote left open, a field over
/// the size limit, bytes not in the file's encoding) is not written as it was: it is padded, cut, or shows \u{FFFD}
/// for bytes. Its reason begins with `readFaultMark`, and an import of the reject file rejects such a row again until
/// the mark is deleted (`Importer.produce`): imported unedited, it would store what the reader made of it (a trial's
/// notes held the text of three rows a stray quote had swallowed). A reject file imported again gets a reject file
/// of the same columns (not a second line and reason).
final class RejectFile {
    /// The start of the reason of a row not written as it was.
    static let readFaultMark = "[read fault: fix the row, then delete this bracket] "
    /// The columns a reject file adds.
    static let addedColumns = ["crmgate_line", "crmgate_reason"]

    /// Whether `header` is a reject file's (it ends with the added columns).
    static func isRejectFile(_ header: [String]) -> Bool { header.count > 2 && Array(header.suffix(2)) == addedColumns }

    let path: String
    private let header: [String]
    /// The source is a reject file: its rows' last two fields are the line and reason of the import before.
    private let rereads: Bool
    private let delimiter: UInt8
    private var writer: CSVWriter?

    /// `delimiter` is the source's, so that the mapping that read it reads the reject file too. The file is UTF-8
    /// with a byte-order mark, which the reader takes over a mapping's declared encoding (and Excel needs).
    init(path: String, header: [String], delimiter: UInt8 = UInt8(ascii: ",")) {
        self.path = path
        rereads = Self.isRejectFile(header)
        self.header = rereads ? Array(header.dropLast(2)) : header
        self.delimiter = delimiter
    }

    /// True once a row was written.
    private(set) var isUsed = false

    /// Writes a rejected row; `asRead` says that `fields` are not the row as written (a reader's fault).
    func write(fields: [String], line: Int, reason: String, asRead: Bool) throws {
        if writer == nil {
            var o = CSVWriter.Options()
            // The file is opened in a spreadsheet to be fixed (its byte-order mark is for Excel), so a cell that would
            // run as a formula gets the guard's `'`, which the import takes off again. The cells are as read, before
            // the import took a guard off: one that already begins with `'` and a trigger stays as it is, and reads
            // the same again.
            o.neutralizeFormulas = true
            o.guardsQuotedValues = false
            o.delimiter = delimiter
            o.byteOrderMark = true
            do {
                writer = try CSVWriter(path: path, options: o)
            } catch {
                throw ImportError(
                    .rejectFile, "cannot write the reject file \(path): \(error)", underlying: error as? CSVError)
            }
            try writer!.writeRow(header + Self.addedColumns)
            isUsed = true
        }
        let fields = rereads && fields.count == header.count + 2 ? Array(fields.dropLast(2)) : fields
        var row = Array(fields.prefix(header.count))
        var why = asRead && !reason.hasPrefix(Self.readFaultMark) ? Self.readFaultMark + reason : reason
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
