import CRMCSV
import CRMMapping
import CRMXML

/// A structural problem with one row (CSV) or with the document from a point on (XML, `--keep-going`).
struct RowIssue {
    let code: String
    let message: String
}

/// Where raw rows come from: a CSV or an XML reader, seen the same way by the pipeline.
protocol RowSource: AnyObject {
    /// Column names (CSV) or field paths (XML), in the order of a row's fields.
    var header: [String] { get }
    var bytesRead: Int { get }
    var fileSize: Int? { get }
    var encodingName: String { get }
    var delimiterName: String { get }
    /// Calls `body` for every row of the next batch; returns false when there are no more.
    func nextRows(_ body: (RawRow, RowIssue?) -> Void) throws -> Bool
}

final class CSVRowSource: RowSource {
    let reader: CSVReader
    init(_ reader: CSVReader) { self.reader = reader }
    var header: [String] { reader.header }
    var bytesRead: Int { reader.bytesRead }
    var fileSize: Int? { reader.fileSize }
    var encodingName: String { reader.encoding.rawValue }
    var delimiterName: String { reader.dialect.delimiter == 9 ? "\\t" : String(UnicodeScalar(reader.dialect.delimiter)) }

    func nextRows(_ body: (RawRow, RowIssue?) -> Void) throws -> Bool {
        guard let batch = try reader.nextBatch() else { return false }
        batch.bytes.withUnsafeBufferPointer { bytes in
            batch.fieldEnds.withUnsafeBufferPointer { ends in
                for r in 0..<batch.count {
                    let raw = RawRow(
                        bytes: bytes, fieldEnds: ends, firstField: batch.firstField(r), count: batch.fieldCount(r),
                        line: batch.lines[r], hasQuotedField: batch.hasQuotedField(r))
                    body(raw, batch.issues[r].map { RowIssue(code: $0.code.rawValue, message: $0.message) })
                }
            }
        }
        return true
    }
}

final class XMLRowSource: RowSource {
    let reader: XMLRecordReader
    let keepGoing: Bool
    let header: [String]
    private var delivered = 0
    init(_ reader: XMLRecordReader, header: [String], keepGoing: Bool) {
        self.reader = reader
        self.header = header
        self.keepGoing = keepGoing
    }
    var bytesRead: Int { reader.bytesRead }
    var fileSize: Int? { reader.fileSize }
    var encodingName: String { "declared in the XML" }
    var delimiterName: String { "" }

    /// - Throws: the document's fault (`XMLError`), unless `keepGoing`, which turns it into a last rejected row.
    func nextRows(_ body: (RawRow, RowIssue?) -> Void) throws -> Bool {
        guard let batch = reader.nextBatch() else { return false }
        if let fault = batch.fault, !keepGoing { throw fault }
        deliver(batch, body)
        if let fault = batch.fault {
            // libxml2 parses ahead, so records just before the fault may not have come out. Read the
            // file again up to the start of the faulty line: every record complete before it comes out.
            if let line = fault.line, let limit = byteOffset(ofLine: line, inFile: reader.path),
                let again = try? XMLRecordReader(path: reader.path, options: reader.options, limit: limit)
            {
                var skip = delivered
                while let b = again.nextBatch() {
                    if b.count > skip {
                        deliver(b, from: skip, body)
                        skip = 0
                    } else {
                        skip -= b.count
                    }
                }
            }
            let none: [UInt8] = []
            let noEnds: [Int] = []
            none.withUnsafeBufferPointer { b in
                noEnds.withUnsafeBufferPointer { e in
                    body(
                        RawRow(bytes: b, fieldEnds: e, firstField: 0, count: 0, line: fault.line ?? 0),
                        RowIssue(
                            code: fault.code.rawValue,
                            message: "the XML breaks here, so the rest of the file was not read: \(fault.message)"
                                + (fault.column.map { " (column \($0))" } ?? "")))
                }
            }
        }
        return true
    }

    private func deliver(_ batch: XMLBatch, from start: Int = 0, _ body: (RawRow, RowIssue?) -> Void) {
        batch.bytes.withUnsafeBufferPointer { bytes in
            batch.fieldEnds.withUnsafeBufferPointer { ends in
                for r in start..<batch.count {
                    body(RawRow(bytes: bytes, fieldEnds: ends, firstField: batch.firstField(r), count: batch.fieldsPerRecord, line: batch.lines[r]), nil)
                }
            }
        }
        delivered += batch.count - start
    }
}
