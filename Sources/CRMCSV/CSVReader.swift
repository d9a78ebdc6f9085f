import Foundation

/// Options for reading a CSV file; anything left nil is detected.
public struct CSVReadOptions: Sendable, Equatable {
    /// The file's encoding; nil detects it (BOM, else UTF-8, else Windows-1252).
    public var encoding: TextEncoding?
    /// The delimiter byte; nil sniffs it among `,` `;` tab `|`.
    public var delimiter: UInt8?
    /// The quote byte.
    public var quote: UInt8 = UInt8(ascii: "\"")
    /// Fields over this many bytes are errors.
    public var maxFieldBytes: Int = 1 << 20
    /// Records per batch handed out by `nextBatch()`.
    public var batchSize: Int = 4096
    /// Bytes read from the file at a time.
    public var chunkSize: Int = 1 << 20

    public init(encoding: TextEncoding? = nil, delimiter: UInt8? = nil, maxFieldBytes: Int = 1 << 20) {
        self.encoding = encoding
        self.delimiter = delimiter
        self.maxFieldBytes = maxFieldBytes
    }
}

/// Reads a CSV file as batches of records, streaming it in chunks, with a header row.
///
/// Owns an open file descriptor; not `Sendable`. Records whose field count differs from the header's
/// carry a `.raggedRow` issue in their batch.
public final class CSVReader {
    public let path: String
    /// The encoding that was given or detected.
    public let encoding: TextEncoding
    /// The dialect that was given or sniffed.
    public let dialect: CSVDialect
    /// The header row's fields.
    public private(set) var header: [String] = []
    /// The line the header ended on.
    public private(set) var headerLine = 1
    /// Bytes read from the file so far (for progress).
    public private(set) var bytesRead = 0
    /// Empty lines skipped so far, the header's line included (they are no records).
    public var emptyLines: Int { parser.emptyLines }
    /// The file's size in bytes, when known.
    public let fileSize: Int?

    private let fd: Int32
    private var parser: CSVParser
    private var transcoder: UTF8Transcoder
    private var readBuffer: [UInt8]
    private var utf8Buffer: [UInt8] = []
    private var pendingStart: [UInt8]
    private var eof = false
    private let options: CSVReadOptions

    /// Opens `path`, detects what `options` leaves open, and reads the header.
    /// - Throws: `CSVError` `.cannotOpen`, `.binaryFile`, `.emptyFile`, `.readFailed`.
    public init(path: String, options: CSVReadOptions = CSVReadOptions()) throws {
        self.path = path
        self.options = options
        let fd = open(path, O_RDONLY)
        self.fd = fd
        guard fd >= 0 else {
            throw CSVError(
                .cannotOpen, path: path, message: "cannot open the file: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        fileSize = fstat(fd, &st) == 0 ? Int(st.st_size) : nil
        var readBuffer = [UInt8](repeating: 0, count: max(options.chunkSize, 4096))
        self.readBuffer = []
        // Read a first sample for detection.
        var sample: [UInt8] = []
        var atEOF = false
        while sample.count < 65536 {
            let got = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                let e = String(cString: strerror(errno))
                close(fd)
                throw CSVError(.readFailed, path: path, message: "cannot read the file: \(e)")
            }
            if got == 0 {
                atEOF = true
                break
            }
            sample.append(contentsOf: readBuffer[0..<got])
        }
        self.readBuffer = readBuffer
        bytesRead = sample.count
        eof = atEOF
        if sample.isEmpty {
            close(fd)
            throw CSVError(.emptyFile, path: path, message: "the file is empty")
        }
        let detected: EncodingDetection
        if let forced = options.encoding {
            var bom = 0
            if forced == .utf16LE, sample.starts(with: [0xFF, 0xFE]) { bom = 2 }
            if forced == .utf16BE, sample.starts(with: [0xFE, 0xFF]) { bom = 2 }
            if forced != .utf16LE && forced != .utf16BE, sample.starts(with: [0xEF, 0xBB, 0xBF]) {
                // UTF-8's mark says what the file is, whatever 8-bit encoding was declared: no Windows-1252 text
                // starts with `ï»¿`. So a file crmgate wrote (a reject file) reads with the mapping of its source.
                detected = EncodingDetection(encoding: .utf8, bomLength: 3)
            } else {
                detected = EncodingDetection(encoding: forced, bomLength: bom)
            }
        } else if let d = TextEncoding.detect(sample, isWholeFile: atEOF) {
            if let m = d.mixed {
                close(fd)
                func line(_ offset: Int) -> Int { 1 + sample[..<offset].reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
                throw CSVError(
                    .mixedEncoding, path: path, line: line(m.otherAt),
                    message:
                        "this file mixes UTF-8 (\(m.utf8) characters, the first on line \(line(m.utf8At))) with bytes of "
                        + "another encoding (\(m.other), the first on line \(line(m.otherAt))): read as either, some rows "
                        + "would change in silence; give --encoding utf-8 (the rows with the other bytes are rejected, with "
                        + "their lines) or --encoding windows-1252; nothing was read")
            }
            detected = d
        } else {
            close(fd)
            // A workbook is the usual binary file given as CSV: say what it is and what to do.
            let isZip = sample.starts(with: [0x50, 0x4B, 0x03, 0x04])
            let isOLE = sample.starts(with: [0xD0, 0xCF, 0x11, 0xE0])
            // The line of the first NUL byte (a trial's was on line 2, reported on line 1). Nothing is read from such
            // a file, by `import` or `csv scan`.
            let nul = sample.firstIndex(of: 0) ?? 0
            let line = 1 + sample[..<nul].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            throw CSVError(
                .binaryFile, path: path, line: isZip || isOLE ? 1 : line,
                message: isZip || isOLE
                    ? "this is a spreadsheet workbook (\(isZip ? "XLSX or another ZIP file" : "an old .xls")), not CSV text; save the sheet as CSV UTF-8 from the spreadsheet and import that; nothing was read from it"
                    : "this looks like a binary file, not CSV text (it contains NUL bytes, the first on line \(line)); nothing was read from it"
            )
        }
        encoding = detected.encoding
        transcoder = UTF8Transcoder(detected.encoding)
        var decodedSample: [UInt8] = []
        var t = UTF8Transcoder(detected.encoding)
        sample[detected.bomLength...].withUnsafeBytes { t.transcode($0, into: &decodedSample) }
        let delimiter = options.delimiter ?? CSVDialect.sniff(decodedSample, quote: options.quote)
        dialect = CSVDialect(delimiter: delimiter, quote: options.quote)
        parser = CSVParser(dialect: dialect, maxFieldBytes: options.maxFieldBytes)
        pendingStart = Array(sample[detected.bomLength...])
        try readHeader()
    }

    deinit { close(fd) }

    private func readHeader() throws {
        while parser.pendingCount == 0, try pump() {}
        let first = parser.takeBatch()
        guard first.count > 0 else {
            throw CSVError(.emptyFile, path: path, message: "the file has no header row")
        }
        if let issue = first.issues[0] {
            // A header cut at --max-field-bytes or broken by a quote would name columns that are not there.
            throw CSVError(
                issue.code, path: path, line: issue.line, column: issue.column,
                message: "the header row: \(issue.message)")
        }
        header = first.fields(0).map { $0.trimmingCharacters(in: .whitespaces) }
        headerLine = first.lines[0]
        // Put back the records after the header.
        if first.count > 1 { leftover = first.droppingFirst() }
    }

    private var leftover: CSVBatch?

    /// Reads and parses the next chunk; false once the file is read and the parser finished.
    private func pump() throws -> Bool {
        if !pendingStart.isEmpty {
            let start = pendingStart
            pendingStart = []
            feedRaw(start)
            return true
        }
        if !eof {
            let got = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                throw CSVError(
                    .readFailed, path: path, message: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if got > 0 {
                bytesRead += got
                readBuffer.withUnsafeBufferPointer { feedRaw(UnsafeBufferPointer(rebasing: $0[0..<got])) }
                return true
            }
            eof = true
        }
        if parserFinished { return false }
        utf8Buffer.removeAll(keepingCapacity: true)
        transcoder.finish(into: &utf8Buffer)
        if !utf8Buffer.isEmpty { parser.feed(utf8Buffer) }
        parser.finish()
        parserFinished = true
        return true
    }

    private var parserFinished = false

    private func feedRaw(_ raw: [UInt8]) { raw.withUnsafeBufferPointer { feedRaw($0) } }

    private func feedRaw(_ raw: UnsafeBufferPointer<UInt8>) {
        if encoding == .utf8 {
            parser.feed(raw)
        } else {
            utf8Buffer.removeAll(keepingCapacity: true)
            transcoder.transcode(UnsafeRawBufferPointer(raw), into: &utf8Buffer)
            parser.feed(utf8Buffer)
        }
    }

    private var done = false

    /// The next batch of records (at most about `batchSize`), or nil at the end of the file.
    ///
    /// - Throws: `CSVError.readFailed` when the file cannot be read; malformed records are not
    ///   thrown but carried as issues in the batch.
    public func nextBatch() throws -> CSVBatch? {
        if let l = leftover {
            leftover = nil
            return markRagged(l)
        }
        if done { return nil }
        while parser.pendingCount < options.batchSize {
            if try !pump() {
                done = true
                break
            }
        }
        let b = parser.takeBatch()
        if b.count == 0 { return done ? nil : try nextBatch() }
        return markRagged(b)
    }

    private func markRagged(_ batch: CSVBatch) -> CSVBatch {
        var b = batch
        let expected = header.count
        for r in 0..<b.count where b.fieldCount(r) != expected && b.issues[r] == nil {
            let n = b.fieldCount(r)
            // A row over several lines: quoted line breaks, most often a quote left open that another row's quote
            // closed, so the rows between are inside this one (a trial's row took in three), which says so.
            var breaks = 0
            for f in 0..<n {
                let range = b.fieldRange(r, f)
                var i = range.lowerBound
                while i < range.upperBound {
                    let c = b.bytes[i]
                    if c == 0x0A || (c == 0x0D && (i + 1 == range.upperBound || b.bytes[i + 1] != 0x0A)) { breaks += 1 }
                    i += 1
                }
            }
            let spans =
                breaks == 0
                ? ""
                : "; it runs from line \(b.lines[r]) to line \(b.lines[r] + breaks) in quotes: if a quote was left open, the lines up to the next quote are in this row"
            b.markIssue(
                r,
                CSVError(
                    .raggedRow, path: path, line: b.lines[r],
                    message: "row has \(n) field\(n == 1 ? "" : "s"), the header has \(expected)" + spans))
        }
        return b
    }
}

extension CSVBatch {
    /// The batch without its first record.
    func droppingFirst() -> CSVBatch {
        var out = CSVBatch()
        let firstEnd = recordFieldStarts[1]
        let byteStart = firstEnd == 0 ? 0 : fieldEnds[firstEnd - 1] + 1
        out.bytes = Array(bytes[byteStart...])
        out.fieldEnds = fieldEnds[firstEnd...].map { $0 - byteStart }
        out.recordFieldStarts = recordFieldStarts.dropFirst().map { $0 - firstEnd }
        out.lines = Array(lines.dropFirst())
        out.quoted = Array(quoted.dropFirst())
        for (k, v) in issues where k > 0 { out.issues[k - 1] = v }
        return out
    }
}
