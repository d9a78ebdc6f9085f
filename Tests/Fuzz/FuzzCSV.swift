// libFuzzer target for the CSV parser (compiled by scripts/fuzz.sh together with Sources/CRMCSV).
// Invariants: feeding the bytes in chunks gives exactly the records, lines and issues of feeding them at once;
// records without issues written back as RFC 4180 and parsed again come out the same.

func fuzzParse(_ input: [UInt8], chunk: Int, dialect: CSVDialect) -> ([[String]], [Int], [Int: String]) {
    var p = CSVParser(dialect: dialect, maxFieldBytes: 4096)
    var records: [[String]] = [], lines: [Int] = [], issues: [Int: String] = [:]
    func drain() {
        let b = p.takeBatch()
        for r in 0..<b.count {
            if let e = b.issues[r] { issues[records.count] = e.code.rawValue }
            records.append(b.fields(r))
            lines.append(b.lines[r])
        }
    }
    if chunk == 0 { p.feed(input) } else {
        var i = 0
        while i < input.count {
            p.feed(Array(input[i..<min(i + chunk, input.count)]))
            i += chunk
            if i % (chunk * 3) == 0 { drain() }
        }
    }
    p.finish()
    drain()
    return (records, lines, issues)
}

func encode(_ records: [[String]], delimiter: UInt8) -> [UInt8] {
    var out: [UInt8] = []
    for r in records {
        for (k, f) in r.enumerated() {
            if k > 0 { out.append(delimiter) }
            out.append(34)
            for b in f.utf8 {
                if b == 34 { out.append(34) }
                out.append(b)
            }
            out.append(34)
        }
        out += [13, 10]
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let delimiter: UInt8 = [44, 59, 9, 124][Int(control & 3)]
    let dialect = CSVDialect(delimiter: delimiter)
    let whole = fuzzParse(input, chunk: 0, dialect: dialect)
    let chunk = Int(control >> 2) % 13 + 1
    let pieces = fuzzParse(input, chunk: chunk, dialect: dialect)
    if whole.0 != pieces.0 || whole.1 != pieces.1 || whole.2 != pieces.2 {
        fatalError("chunk \(chunk) changed the result: \(whole) vs \(pieces)")
    }
    let clean = whole.0.enumerated().filter { whole.2[$0.offset] == nil && !($0.element.count == 1 && $0.element[0].isEmpty) }.map(\.element)
    let again = fuzzParse(encode(clean, delimiter: delimiter), chunk: 0, dialect: dialect)
    if again.0 != clean { fatalError("write then read changed the records: \(clean) vs \(again.0)") }
    return 0
}
