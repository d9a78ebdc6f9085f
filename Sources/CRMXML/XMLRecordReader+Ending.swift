import CLibXML2
import Foundation

// How the reader ends: a record laid out into the batch (or, at a fault, kept as far as it was read), and the
// fault it reports when the document breaks off.
extension XMLRecordReader {
    func finish(_ fault: XMLError?) {
        finished = true
        current.fault = fault
        if fault != nil && inRecord { current.partial = partialRecord() }
        if current.count > 0 || fault != nil { ready.append(current) }
        current = XMLBatch(fieldsPerRecord: paths.count)
    }

    /// The line the parser is on.
    var line: Int { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer(context))) }

    /// The scan's fault (a DOCTYPE, a limit, an encoding), unless libxml2 reported an error before the scan
    /// stopped the input: that error is earlier in the document.
    func scanFault() -> XMLError? {
        guard var fault = input.scanner.fault, errors.first?.afterStop ?? true else { return nil }
        fault.path = path
        return fault
    }

    /// The fault to report for libxml2's error: the scan's fault when it came first (libxml2 then complains about
    /// the input ending where the scan stopped it); for a document the scan saw cut off, one plain message
    /// instead of what libxml2 makes of the end it reached ("Extra content at the end of the document").
    func settle(_ libxml2: XMLError) -> XMLError {
        if let fault = scanFault() { return fault }
        if input.scanner.endedEarly && (errors.first?.afterStop ?? true) { return truncated() }
        // No element at all: libxml2 says "Document is empty", or of a file with no byte "Extra content at the end of
        // the document" (a trial); neither names the likely cause.
        if !input.scanner.sawElement && (input.scanner.ended || input.scanner.sawCharacters) {
            return XMLError(
                .malformed, path: path, line: input.scanner.sawCharacters ? libxml2.line : nil,
                message: input.scanner.sawCharacters
                    ? "the file holds no XML element (\(libxml2.message)): is it an XML file? The mapping reads it as XML (format: xml)"
                    : "the file is empty")
        }
        return libxml2
    }

    func truncated() -> XMLError {
        XMLError(
            .malformed, path: path, line: input.scanner.line,
            message: "the document ends before its root element closes: the file is truncated")
    }

    /// Appends field `i` of the open record as the layout holds it: every value joined by "; " for a field that
    /// takes them all, else the value's bytes; at a fault (`cut`), also the text read so far of a flat record's field.
    @inline(__always)
    private func appendValue(_ i: Int, to out: inout [UInt8], cut: Bool) {
        if lastPicks[i] == .all {
            let v = allValues[i].map { $0.trimmingSpaces }.filter { !$0.isEmpty }.joined(separator: "; ")
            out.append(contentsOf: v.utf8)
        } else if valueStart[i] >= 0 {
            out.append(contentsOf: valueBytes.bytes(from: valueStart[i], to: valueEnd[i]))
        } else if cut && flat && i == flatField {
            out.append(contentsOf: valueBytes.bytes(from: flatStart))
        }
    }

    /// The fields of the record open at a fault, as far as they were read (`XMLBatch.partial`): a trial's truncated
    /// record went to the reject file without the values read before the cut.
    func partialRecord() -> (fields: [String], line: Int)? {
        var fields: [String] = []
        var value: [UInt8] = []
        for i in 0..<paths.count {
            value.removeAll(keepingCapacity: true)
            appendValue(i, to: &value, cut: true)
            fields.append(String(decoding: value, as: UTF8.self))
        }
        return fields.contains { !$0.isEmpty } ? (fields, recordLine) : nil
    }

    /// Lays out the record that just closed into the batch, and resets the record's state.
    func endRecord() {
        for i in 0..<paths.count {
            appendValue(i, to: &current.bytes, cut: false)
            current.fieldEnds.append(current.bytes.count)
            current.bytes.append(10)  // the separator byte of the layout (RawRow)
        }
        current.lines.append(recordLine)
        inRecord = false
        frames.removeAll(keepingCapacity: true)
        text.count = 0
        frameAttributes.removeAll(keepingCapacity: true)
        if !ancestors.isEmpty { ancestors.removeLast() }
        if current.count >= options.batchSize {
            ready.append(current)
            current = XMLBatch(fieldsPerRecord: paths.count)
        }
    }
}
