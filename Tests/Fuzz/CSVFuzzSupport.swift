// Shared by the CSV fuzz targets (FuzzCSV.swift, FuzzCSVReader.swift): parsing into flat, comparable records.

/// Parsed records, flat: every field's bytes back to back, each field's length, each record's field count.
struct Parsed: Equatable {
    var bytes: [UInt8] = []
    var fieldLengths: [Int] = []
    var fieldCounts: [Int] = []
    var lines: [Int] = []
    var issues: [Int: String] = [:]
}

extension Parsed {
    /// Appends a batch's records (bytes, lengths, counts, lines and issue codes).
    mutating func append(_ b: CSVBatch) {
        for r in 0..<b.count {
            if let e = b.issues[r] { issues[lines.count] = e.code.rawValue }
            let n = b.fieldCount(r)
            for f in 0..<n {
                let range = b.fieldRange(r, f)
                bytes.append(contentsOf: b.bytes[range])
                fieldLengths.append(range.count)
            }
            fieldCounts.append(n)
            lines.append(b.lines[r])
        }
    }
}

/// The first input byte of both CSV targets: delimiter (bits 0-1), field limit (bits 2-3), chunk size (bits 4-7).
/// The field limit is small (16 to 4096 bytes), so that inputs of fuzzing size reach the over-limit paths.
struct ControlByte {
    let delimiter: UInt8, maxField: Int, chunk: Int
    init(_ c: UInt8) {
        delimiter = [44, 59, 9, 124][Int(c & 3)]
        maxField = [16, 64, 256, 4096][Int((c >> 2) & 3)]
        chunk = Int(c >> 4) % 13 + 1
    }
}

func fuzzParse(_ input: UnsafeBufferPointer<UInt8>, chunk: Int, dialect: CSVDialect, maxField: Int) -> Parsed {
    var p = CSVParser(dialect: dialect, maxFieldBytes: maxField)
    var out = Parsed()
    func drain() { out.append(p.takeBatch()) }
    if chunk == 0 {
        p.feed(input)
    } else {
        // Records are taken a few times mid-input (a record may be open then), not after every chunk: each take
        // starts a new batch buffer, and thousands per input would make the target allocation-bound.
        let takeEvery = max(3, input.count / chunk / 6)
        var i = 0
        var k = 0
        while i < input.count {
            p.feed(UnsafeBufferPointer(rebasing: input[i..<min(i + chunk, input.count)]))
            i += chunk
            k += 1
            if k % takeEvery == 0 { drain() }
        }
    }
    p.finish()
    drain()
    return out
}

/// The records without issues (and not a lone empty field), as RFC 4180 with every field quoted, and as `Parsed`.
func cleanRecords(_ parsed: Parsed, delimiter: UInt8) -> (csv: [UInt8], records: Parsed) {
    var csv: [UInt8] = []
    var clean = Parsed()
    var field = 0
    var offset = 0
    for (r, n) in parsed.fieldCounts.enumerated() {
        defer { field += n }
        let lengths = parsed.fieldLengths[field..<(field + n)]
        let size = lengths.reduce(0, +)
        defer { offset += size }
        if parsed.issues[r] != nil || (n == 1 && size == 0) { continue }
        var at = offset
        for (k, len) in lengths.enumerated() {
            if k > 0 { csv.append(delimiter) }
            csv.append(34)
            for b in parsed.bytes[at..<(at + len)] {
                if b == 34 { csv.append(34) }
                csv.append(b)
            }
            csv.append(34)
            at += len
        }
        csv += [13, 10]
        clean.bytes += parsed.bytes[offset..<(offset + size)]
        clean.fieldLengths += lengths
        clean.fieldCounts.append(n)
    }
    return (csv, clean)
}
