/// An incremental RFC 4180 parser over UTF-8 bytes, with the leniencies of real exports.
///
/// Feed it bytes in chunks of any size with `feed(_:)`, call `finish()` at the end of input, and
/// take complete records with `takeBatch()`. The result never depends on how the bytes are split.
///
/// Behaviour, matching Python's `csv` module where RFC 4180 is silent:
/// - CR, LF and CRLF end a record (mixed in one file too); inside quotes they are kept as written.
/// - An empty line is skipped (a line of `""` is a record); a last line without a line break is a record.
/// - A quote inside an unquoted field is literal; text after a closing quote is appended.
/// - A field over `maxFieldBytes` makes its record an error; the record keeps the field's first bytes
///   (at most `keptBytes`, whole characters) and a mark of the cut, and its other fields. An
///   unterminated quote at the end of input (or a quoted field over the limit across lines) makes the
///   record starting at the quote's line an error, and parsing resumes on the line after that record's
///   first line.
public struct CSVParser: Sendable {
    public let dialect: CSVDialect
    public let maxFieldBytes: Int

    /// Bytes of a field over the limit kept in its record, before the mark of the cut.
    public static let keptBytes = 1024

    private enum State: UInt8 {
        case fieldStart, unquoted, quoted, quoteInQuoted
        /// Past the limit: the rest of an unquoted field (or of the text after a closing quote) is counted, not kept.
        case skipUnquoted
        /// Past the limit inside quotes, on the quote's own line; then just after a quote there.
        case skipQuoted, skipQuotedQuote
    }

    private var batch = CSVBatch()
    private var state = State.fieldStart
    private var line = 1
    private var recordLine = 1
    private var fieldStart = 0
    private var fieldQuoted = false
    private var skipLF = false
    private var quotedCR = false
    private var recordIssue: CSVError?
    private var quoteLine = 0
    private var quoteColumn = 0
    /// The column (1-based byte in its line) the unquoted field being read starts at: a field over the limit is
    /// reported there, not where the chunk that pushed it over began.
    private var fieldColumn = 0
    private var consumed = 0
    private var lineStart = 0
    /// Raw bytes after the first line break inside a quoted field, kept to resume after an unterminated quote.
    private var capture: [UInt8]?
    private var captureAfterCR = false
    /// The size of the field being cut, in bytes so far.
    private var cutSize = 0

    public init(dialect: CSVDialect = .rfc4180, maxFieldBytes: Int = 1 << 20) {
        self.dialect = dialect
        self.maxFieldBytes = maxFieldBytes
    }

    /// The number of records parsed and not yet taken.
    public var pendingCount: Int { batch.count }

    /// The physical line the parser is on (1-based).
    public var currentLine: Int { line }

    /// Empty lines skipped so far (they are no records).
    public private(set) var emptyLines = 0

    /// Parses `input`, which continues the bytes fed before.
    public mutating func feed(_ input: UnsafeBufferPointer<UInt8>) {
        guard var refeed = consume(input) else { return }
        while let next = refeed.withUnsafeBufferPointer({ consume($0) }) { refeed = next }
    }

    /// Parses the bytes of an array.
    public mutating func feed(_ input: [UInt8]) { input.withUnsafeBufferPointer { feed($0) } }

    /// Ends the input: a last record without a line break is completed; an open quote becomes an error.
    public mutating func finish() {
        while state == .quoted {
            // Unterminated quote at the end of input.
            let refeed = recover(
                CSVError(
                    .unterminatedQuote, line: quoteLine, column: quoteColumn,
                    message: "quoted field opened here is never closed (file ends inside it)"),
                rest: UnsafeBufferPointer(start: nil, count: 0))
            consumed -= refeed.count
            lineStart = consumed
            var next: [UInt8]? = refeed
            while let r = next { next = r.withUnsafeBufferPointer { consume($0) } }
        }
        if state == .skipUnquoted || state == .skipQuoted || state == .skipQuotedQuote {
            endCutField(whole: state != .skipQuoted)
            endRecord()
        } else if state != .fieldStart
            || batch.fieldEnds.count > batch.recordFieldStarts[batch.recordFieldStarts.count - 1]
        {
            endField()
            endRecord()
        }
    }

    /// Removes and returns the records parsed so far; a record still being parsed stays behind.
    public mutating func takeBatch() -> CSVBatch {
        var fresh = CSVBatch()
        let partialFirstField = batch.recordFieldStarts[batch.recordFieldStarts.count - 1]
        let partialByteStart = partialFirstField == 0 ? 0 : batch.fieldEnds[partialFirstField - 1] + 1
        if partialByteStart < batch.bytes.count || partialFirstField < batch.fieldEnds.count {
            fresh.bytes.append(contentsOf: batch.bytes[partialByteStart...])
            for k in partialFirstField..<batch.fieldEnds.count {
                fresh.fieldEnds.append(batch.fieldEnds[k] - partialByteStart)
            }
            batch.bytes.removeSubrange(partialByteStart...)
            batch.fieldEnds.removeSubrange(partialFirstField...)
        }
        fresh.bytes.reserveCapacity(batch.bytes.capacity)  // the size the last batch grew to
        fieldStart -= partialByteStart
        swap(&fresh, &batch)
        return fresh
    }

    // MARK: - The state machine

    /// Consumes `input`; when a recovery needs bytes parsed again, returns them (they include the rest of `input`).
    private mutating func consume(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = input.count
        let delim = dialect.delimiter
        let quote = dialect.quote
        let cr: UInt8 = 13
        let lf: UInt8 = 10
        var i = 0
        var captureFrom: Int? = capture == nil ? nil : 0
        // Unquoted fields are not copied one by one: `input[span..<i]`, when `span >= 0`, holds fields and their
        // separators not yet appended to `batch.bytes` (whose positions count them already), copied in one go.
        var span = -1
        defer {
            flush(input, &span, upTo: n)
            consumed += n
        }
        @inline(__always) func column(_ at: Int) -> Int { consumed + at - lineStart + 1 }

        while i < n {
            if skipLF {
                skipLF = false
                if input[i] == lf {
                    flush(input, &span, upTo: i)  // the LF of a CRLF is no byte of the layout
                    i += 1
                    lineStart = consumed + i
                    continue
                }
            }
            switch state {
            case .fieldStart:
                if input[i] == quote {
                    flush(input, &span, upTo: i)
                    state = .quoted
                    fieldQuoted = true
                    quoteLine = line
                    quoteColumn = column(i)
                    i += 1
                } else {
                    state = .unquoted
                    fieldColumn = column(i)
                }

            case .unquoted, .skipUnquoted:
                let start = i
                i = CSVParser.scan(input, from: i, delim, cr, lf)
                if state == .unquoted {
                    if span < 0 { span = start }
                    if batch.bytes.count + (i - span) - fieldStart > maxFieldBytes {
                        flush(input, &span, upTo: start)
                        tooLarge(line: line, column: fieldColumn)
                        startCut(UnsafeBufferPointer(rebasing: input[start..<i]))
                        state = .skipUnquoted
                    }
                } else {
                    cutSize += i - start
                }
                if i == n { break }
                let b = input[i]
                if state == .skipUnquoted {
                    i += 1
                    endCutField(whole: true)
                    if b == delim {
                        state = .fieldStart
                    } else {
                        endRecord()
                        newline(b, at: i)
                    }
                    continue
                }
                // The field ends here; its separator byte (this delimiter or line break) stays in the span.
                let end = batch.bytes.count + (i - span)
                if b != delim, end == fieldStart, !fieldQuoted, recordIssue == nil,
                    batch.fieldEnds.count == batch.recordFieldStarts[batch.recordFieldStarts.count - 1]
                {
                    // An empty line: the way through `endField` and `endRecord` drops it.
                    flush(input, &span, upTo: i)
                    i += 1
                    endField()
                    endRecord()
                    newline(b, at: i)
                    continue
                }
                batch.fieldEnds.append(end)
                i += 1
                fieldStart = end + 1
                if b == delim {
                    state = .fieldStart
                } else {
                    endRecord()
                    newline(b, at: i)
                }

            case .skipQuoted:
                let start = i
                while i < n {
                    let b = input[i]
                    if b == quote || b == cr || b == lf { break }
                    i += 1
                }
                cutSize += i - start
                if i == n { break }
                let b = input[i]
                i += 1
                if b == quote {
                    state = .skipQuotedQuote
                } else {
                    // A line break inside the quotes of a field already over the limit: as with an unterminated
                    // quote, the record ends on its first line and reading resumes on the next.
                    endCutField(whole: false)
                    endRecord()
                    newline(b, at: i)
                }

            case .skipQuotedQuote:
                let b = input[i]
                if b == quote {
                    cutSize += 1
                    state = .skipQuoted
                    i += 1
                } else if b == delim {
                    endCutField(whole: true)
                    state = .fieldStart
                    i += 1
                } else if b == cr || b == lf {
                    i += 1
                    endCutField(whole: true)
                    endRecord()
                    newline(b, at: i)
                } else {
                    state = .skipUnquoted  // text after the closing quote: still the same field
                }

            case .quoted:
                let start = i
                i = CSVParser.scan(input, from: i, quote, cr, lf)
                if i > start {
                    quotedCR = false
                    if batch.bytes.count - fieldStart + (i - start) > maxFieldBytes {
                        switch quotedOverflow(input, at: i, runStart: start, captureFrom: captureFrom) {
                        case .cut: continue
                        case .refeed(let bytes): return bytes
                        }
                    }
                    batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<i]))
                }
                if i == n { break }
                let b = input[i]
                if b != quote, batch.bytes.count - fieldStart >= maxFieldBytes {
                    // A line break counts against the limit too: a field of nothing but line breaks must not grow
                    // without end.
                    switch quotedOverflow(input, at: i, runStart: i, captureFrom: captureFrom) {
                    case .cut: continue
                    case .refeed(let bytes): return bytes
                    }
                }
                i += 1
                if b == quote {
                    quotedCR = false
                    state = .quoteInQuoted
                } else {
                    batch.bytes.append(b)
                    if b == cr {
                        line += 1
                        quotedCR = true
                    } else {
                        if !quotedCR { line += 1 }
                        quotedCR = false
                    }
                    lineStart = consumed + i
                    if capture == nil {
                        capture = []
                        captureFrom = i
                        captureAfterCR = b == cr
                    }
                }

            case .quoteInQuoted:
                let b = input[i]
                if b == quote, batch.bytes.count - fieldStart >= maxFieldBytes {
                    // So does a doubled quote.
                    state = .quoted
                    switch quotedOverflow(input, at: i, runStart: i, captureFrom: captureFrom) {
                    case .cut:
                        // This quote, the second of a doubled pair, is a quote in the field's value.
                        cutSize += 1
                        i += 1
                        continue
                    case .refeed(let bytes): return bytes
                    }
                }
                if b == quote {
                    batch.bytes.append(quote)
                    state = .quoted
                    i += 1
                } else if b == delim {
                    endField()
                    state = .fieldStart
                    i += 1
                } else if b == cr || b == lf {
                    i += 1
                    endField()
                    endRecord()
                    newline(b, at: i)
                } else {
                    state = .unquoted
                    fieldColumn = column(i)
                }
            }
            if capture == nil { captureFrom = nil }
        }
        if let from = captureFrom, capture != nil {
            capture!.append(contentsOf: UnsafeBufferPointer(rebasing: input[from..<n]))
        }
        return nil
    }

    private enum Overflow {
        /// Still on the quote's own line: the field is cut (`skipQuoted`), the bytes at `i` not consumed.
        case cut
        /// The record became an error record; these bytes (after its first line) are parsed again.
        case refeed([UInt8])
    }

    /// A quoted field would grow past `maxFieldBytes` at `input[i]` (not consumed); `input[runStart..<i]` is the run
    /// of field bytes not yet appended. The error record holds the field's first `maxFieldBytes` bytes, however the
    /// input was split into chunks (found by fuzzing: it held whatever the chunk before had ended with).
    private mutating func quotedOverflow(
        _ input: UnsafeBufferPointer<UInt8>, at i: Int, runStart: Int, captureFrom: Int?
    ) -> Overflow {
        if capture == nil {
            tooLarge(line: quoteLine, column: quoteColumn)
            startCut(UnsafeBufferPointer(rebasing: input[runStart..<i]))
            state = .skipQuoted
            return .cut
        }
        if let from = captureFrom { capture!.append(contentsOf: UnsafeBufferPointer(rebasing: input[from..<i])) }
        let room = max(0, maxFieldBytes - (batch.bytes.count - fieldStart))
        batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<min(i, runStart + room)]))
        let refeed = recover(
            CSVError(
                .fieldTooLarge, line: quoteLine, column: quoteColumn,
                message:
                    "quoted field opened here grows over the \(maxFieldBytes)-byte field limit (an unterminated quote?)"
            ),
            rest: UnsafeBufferPointer(rebasing: input[i...]))
        consumed -= refeed.count
        lineStart = consumed + input.count
        return .refeed(refeed)
    }

    @inline(__always) private mutating func newline(_ b: UInt8, at i: Int) {
        line += 1
        if b == 13 { skipLF = true }
        lineStart = consumed + i
        state = .fieldStart
    }

    /// The index of the first of the bytes `a`, `b`, `c` in `input` from `i` on, or `input.count`.
    ///
    /// Eight bytes at a time (SWAR): a byte equal to `x` is a zero byte of `word ^ x·0x0101…`, and
    /// `(v - 0x0101…) & ~v & 0x8080…` marks the lowest zero byte of `v` exactly (a borrow can only mark bytes above
    /// it), so the first match is the lowest mark of the three, little-endian.
    @inline(__always) static func scan(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8
    ) -> Int {
        let n = input.count
        var i = start
        if let base = input.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let ma = UInt64(a) &* ones
            let mb = UInt64(b) &* ones
            let mc = UInt64(c) &* ones
            while i &+ 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self).littleEndian
                let va = w ^ ma
                let vb = w ^ mb
                let vc = w ^ mc
                let hits =
                    ((va &- ones) & ~va) | ((vb &- ones) & ~vb) | ((vc &- ones) & ~vc)
                let marks = hits & highs
                if marks != 0 { return i &+ (marks.trailingZeroBitCount >> 3) }
                i &+= 8
            }
        }
        while i < n {
            let x = input[i]
            if x == a || x == b || x == c { return i }
            i += 1
        }
        return n
    }

    /// Appends the pending run of unquoted fields, `input[span..<end]`, to the batch.
    @inline(__always) private mutating func flush(_ input: UnsafeBufferPointer<UInt8>, _ span: inout Int, upTo end: Int)
    {
        guard span >= 0 else { return }
        batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[span..<end]))
        span = -1
    }

    /// Ends a field whose bytes are all in `batch.bytes`, and appends its separator byte.
    @inline(__always) private mutating func endField() {
        batch.fieldEnds.append(batch.bytes.count)
        batch.bytes.append(10)
        fieldStart = batch.bytes.count
    }

    private mutating func endRecord() {
        let first = batch.recordFieldStarts[batch.recordFieldStarts.count - 1]
        let fieldCount = batch.fieldEnds.count - first
        let recordStartByte = first == 0 ? 0 : batch.fieldEnds[first - 1] + 1
        if fieldCount == 1, batch.fieldEnds[first] == recordStartByte, !fieldQuoted, recordIssue == nil {
            // An empty line: not a record (its field and separator go).
            batch.fieldEnds.removeLast()
            batch.bytes.removeLast()
            fieldStart = batch.bytes.count
            emptyLines += 1
        } else {
            if let issue = recordIssue { batch.markIssue(batch.count, issue) }
            batch.recordFieldStarts.append(batch.fieldEnds.count)
            batch.lines.append(recordLine)
            batch.quoted.append(fieldQuoted)
        }
        recordIssue = nil
        fieldQuoted = false
        capture = nil
        recordLine = line + 1
        state = .fieldStart
    }

    private mutating func tooLarge(line: Int, column: Int) {
        if recordIssue == nil {
            recordIssue = CSVError(
                .fieldTooLarge, line: line, column: column,
                message: "field is over the \(maxFieldBytes)-byte limit (raise it with --max-field-bytes)")
        }
    }

    /// The field being read grows past the limit with `run` (bytes not appended yet): it keeps its first
    /// `keptBytes` (no more than the limit, and no half character); the rest is only counted, in `cutSize`.
    private mutating func startCut(_ run: UnsafeBufferPointer<UInt8>) {
        let have = batch.bytes.count - fieldStart
        let keep = min(maxFieldBytes, CSVParser.keptBytes)
        if have >= keep {
            batch.bytes.removeSubrange((fieldStart + keep)...)
        } else {
            batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run.prefix(keep - have)))
        }
        cutSize = have + run.count
        // A UTF-8 character cut in its middle goes whole.
        var j = batch.bytes.count
        var continuation = 0
        while j > fieldStart, continuation < 3, batch.bytes[j - 1] & 0xC0 == 0x80 {
            j -= 1
            continuation += 1
        }
        if j > fieldStart {
            let lead = batch.bytes[j - 1]
            let needed = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0
            if continuation < needed { batch.bytes.removeSubrange((j - 1)...) }
        }
    }

    /// Ends a cut field with the mark of the cut: `…[cut: field of N bytes over the M-byte limit]`, or `at least N`
    /// when the record ended on a line break inside the field's quotes.
    private mutating func endCutField(whole: Bool) {
        let size = whole ? "\(cutSize)" : "at least \(cutSize)"
        let mark = "\u{2026}[cut: field of \(size) bytes over the \(maxFieldBytes)-byte limit]"
        batch.bytes.append(contentsOf: mark.utf8)
        endField()
    }

    /// Emits the current record as an error and returns the bytes after its first line, to parse again.
    private mutating func recover(_ error: CSVError, rest: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var refeed = capture ?? []
        if captureAfterCR, refeed.first == 10 { refeed.removeFirst() }
        refeed.append(contentsOf: rest)
        // Replace the broken record by an error record holding what was read of it, capped.
        if batch.bytes.count - fieldStart > 4096 { batch.bytes.removeSubrange((fieldStart + 4096)...) }
        endField()
        recordIssue = error
        let resumeLine = recordLine + 1
        endRecord()
        line = resumeLine
        recordLine = resumeLine
        skipLF = false
        quotedCR = false
        return refeed
    }
}
