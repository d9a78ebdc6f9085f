import CRMCSV
import CRMMapping
import CRMXML
import Foundation

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
    /// Empty lines the reader skipped (no record at all), counted with the blank lines.
    var emptyLines: Int { get }
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
    var emptyLines: Int { reader.emptyLines }
    var delimiterName: String {
        CSVDialect.name(of: reader.dialect.delimiter)
    }

    func nextRows(_ body: (RawRow, RowIssue?) -> Void) throws -> Bool {
        guard let batch = try reader.nextBatch() else { return false }
        batch.bytes.withUnsafeBufferPointer { bytes in
            batch.fieldEnds.withUnsafeBufferPointer { ends in
                for r in 0..<batch.count {
                    let raw = RawRow(
                        bytes: bytes, fieldEnds: ends, firstField: batch.firstField(r), count: batch.fieldCount(r),
                        line: batch.lines[r], hasQuotedField: batch.hasQuotedField(r))
                    body(raw, batch.issues[r].map { RowIssue(code: $0.code.rawValue, message: $0.messageWithColumn) })
                }
            }
        }
        return true
    }
}

/// An XML reader's batches, read ahead on a thread of their own: parsing XML costs about as much as mapping and
/// writing the records, so it takes the core the pipeline's reading thread would otherwise leave to the writer alone
/// (200k leads with ids: 2.4–2.6 s → 2.1–2.2 s; README, Speed). Two batches wait at most.
final class XMLPrefetch {
    enum Item: Sendable {
        case batch(XMLBatch, bytesRead: Int)
        case end
    }
    private let queue = BlockingQueue<Item>(capacity: 2)
    private var ended = false

    init(_ reader: XMLRecordReader) {
        // The reader is used by the new thread alone from here on (libxml2's parser is not shared).
        let handoff = Handoff(value: reader)
        let queue = self.queue
        let thread = Thread {
            let reader = handoff.value
            while let b = reader.nextBatch() {
                let fault = b.fault != nil
                if !queue.put(.batch(b, bytesRead: reader.bytesRead)) { return }
                if fault { break }
            }
            _ = queue.put(.end)
        }
        thread.name = "crmgate-xml-read"
        thread.start()
    }

    /// The next batch and the bytes read when it was made; nil at the end.
    func next() -> (XMLBatch, Int)? {
        if ended { return nil }
        switch queue.take() {
        case .batch(let b, let bytesRead): return (b, bytesRead)
        case .end:
            ended = true
            return nil
        }
    }

    /// Stops the reading thread (the import ended early or failed).
    deinit { queue.cancel() }
}

final class XMLRowSource: RowSource {
    let reader: XMLRecordReader
    let keepGoing: Bool
    let header: [String]
    private var delivered = 0
    private var prefetch: XMLPrefetch?
    private(set) var bytesRead = 0
    let fileSize: Int?
    init(_ reader: XMLRecordReader, header: [String], keepGoing: Bool) {
        self.reader = reader
        self.header = header
        self.keepGoing = keepGoing
        fileSize = reader.fileSize
    }
    var encodingName: String { "declared in the XML" }
    var emptyLines: Int { 0 }
    var delimiterName: String { "" }

    /// - Throws: the document's fault (`XMLError`), unless `keepGoing`, which turns it into a last rejected row.
    func nextRows(_ body: (RawRow, RowIssue?) -> Void) throws -> Bool {
        if prefetch == nil { prefetch = XMLPrefetch(reader) }
        guard let (batch, read) = prefetch?.next() else { return false }
        bytesRead = read
        // A document the record path finds nothing in is not cut short: there are no records to keep going with.
        if let fault = batch.fault, !keepGoing || fault.code == .noRecords { throw fault }
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
            // The row of the fault holds what was read of the record it cut, if any (laid out as the records are).
            var bytes: [UInt8] = []
            var ends: [Int] = []
            for f in batch.partial?.fields ?? [] {
                bytes += Array(f.utf8)
                ends.append(bytes.count)
                bytes.append(10)
            }
            let cut =
                batch.partial.map { "; the record that starts on line \($0.line) holds what was read of it" } ?? ""
            bytes.withUnsafeBufferPointer { b in
                ends.withUnsafeBufferPointer { e in
                    body(
                        RawRow(bytes: b, fieldEnds: e, firstField: 0, count: ends.count, line: fault.line ?? 0),
                        RowIssue(
                            code: fault.code.rawValue,
                            message: "the XML breaks here, so the rest of the file was not read: \(fault.message)"
                                + (fault.column.map { " (column \($0))" } ?? "") + cut))
                }
            }
        }
        return true
    }

    private func deliver(_ batch: XMLBatch, from start: Int = 0, _ body: (RawRow, RowIssue?) -> Void) {
        batch.bytes.withUnsafeBufferPointer { bytes in
            batch.fieldEnds.withUnsafeBufferPointer { ends in
                for r in start..<batch.count {
                    body(
                        RawRow(
                            bytes: bytes, fieldEnds: ends, firstField: batch.firstField(r),
                            count: batch.fieldsPerRecord, line: batch.lines[r]), nil)
                }
            }
        }
        delivered += batch.count - start
    }
}
