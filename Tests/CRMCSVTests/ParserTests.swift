import CRMCSV
import Testing

/// Parses `input` fed in chunks of `chunk` bytes (0: all at once); returns records and their issues.
func parse(
    _ input: [UInt8], chunk: Int, dialect: CSVDialect = .rfc4180, maxField: Int = 1 << 20
)
    -> (records: [[String]], lines: [Int], issues: [Int: CSVError])
{
    var p = CSVParser(dialect: dialect, maxFieldBytes: maxField)
    var records: [[String]] = []
    var lines: [Int] = []
    var issues: [Int: CSVError] = [:]
    func drain() {
        let b = p.takeBatch()
        for r in 0..<b.count {
            if let e = b.issues[r] { issues[records.count] = e }
            records.append(b.fields(r))
            lines.append(b.lines[r])
        }
    }
    if chunk == 0 {
        p.feed(input)
    } else {
        var i = 0
        while i < input.count {
            p.feed(Array(input[i..<min(i + chunk, input.count)]))
            i += chunk
            if i % (chunk * 3) == 0 { drain() }  // take batches mid-stream too
        }
    }
    p.finish()
    drain()
    return (records, lines, issues)
}

let chunkSizes = [1, 2, 3, 7, 64, 65536, 0]

@Suite("CSVParser: RFC 4180 and what real exports do")
struct ParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let input: String
        let records: [[String]]
        let lines: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain LF", input: "a,b\n1,2\n", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "CRLF", input: "a,b\r\n1,2\r\n", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "bare CR", input: "a,b\r1,2\r", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(
            name: "mixed line ends", input: "a,b\r\n1,2\n3,4\r5,6",
            records: [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]], lines: [1, 2, 3, 4]),
        Case(name: "no newline at end", input: "a,b\n1,2", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "quoted delimiter", input: "\"a,b\",c\n", records: [["a,b", "c"]], lines: [1]),
        Case(name: "doubled quotes", input: "\"say \"\"hi\"\"\",x\n", records: [["say \"hi\"", "x"]], lines: [1]),
        Case(
            name: "newline inside quotes", input: "\"l1\nl2\",x\ny,z\n", records: [["l1\nl2", "x"], ["y", "z"]],
            lines: [1, 3]),
        Case(
            name: "CRLF inside quotes", input: "\"l1\r\nl2\",x\r\ny,z\r\n", records: [["l1\r\nl2", "x"], ["y", "z"]],
            lines: [1, 3]),
        Case(
            name: "empty lines skipped", input: "a,b\n\n1,2\n\r\n\n3,4\n\n",
            records: [["a", "b"], ["1", "2"], ["3", "4"]], lines: [1, 3, 6]),
        Case(name: "empty fields", input: ",,\n,x,\n", records: [["", "", ""], ["", "x", ""]], lines: [1, 2]),
        Case(name: "quoted empty field is a record", input: "\"\"\nx\n", records: [[""], ["x"]], lines: [1, 2]),
        Case(
            name: "quote inside unquoted field is literal", input: "ab\"c,d\n", records: [["ab\"c", "d"]], lines: [1]),
        Case(name: "text after closing quote is kept", input: "\"ab\"cd,e\n", records: [["abcd", "e"]], lines: [1]),
        Case(
            name: "space before a quote keeps it literal", input: "a, \"b\"\n", records: [["a", " \"b\""]], lines: [1]),
        Case(name: "trailing delimiter", input: "a,b,\n", records: [["a", "b", ""]], lines: [1]),
        Case(name: "unicode", input: "Zoë,Müller,東京\n", records: [["Zoë", "Müller", "東京"]], lines: [1]),
    ]

    @Test("records do not depend on how the bytes arrive", arguments: cases, chunkSizes)
    func chunkInvariance(c: Case, chunk: Int) {
        let r = parse(Array(c.input.utf8), chunk: chunk)
        #expect(r.records == c.records)
        #expect(r.lines == c.lines)
        #expect(r.issues.isEmpty)
    }

    @Test("semicolon, tab and pipe dialects", arguments: [";", "\t", "|"])
    func dialects(d: String) {
        let delim = d.utf8.first!
        let input = "a\(d)\"b\(d)c\"\(d)d\n"
        let r = parse(Array(input.utf8), chunk: 0, dialect: CSVDialect(delimiter: delim))
        #expect(r.records == [["a", "b\(d)c", "d"]])
    }

    @Test("an unterminated quote is an error at the quote, and reading resumes on the next line", arguments: chunkSizes)
    func unterminatedQuote(chunk: Int) {
        let input = "a,b\n1,\"open\n2,y\n3,z\n"
        let r = parse(Array(input.utf8), chunk: chunk)
        #expect(r.records.count == 4)
        #expect(r.records[2] == ["2", "y"])
        #expect(r.records[3] == ["3", "z"])
        #expect(r.lines == [1, 2, 3, 4])
        let e = r.issues[1]
        #expect(e?.code == .unterminatedQuote)
        #expect(e?.line == 2)
        #expect(e?.column == 3)
        #expect(r.issues.count == 1)
    }

    @Test("an unterminated quote after CRLF lines keeps line numbers right", arguments: chunkSizes)
    func unterminatedQuoteCRLF(chunk: Int) {
        let input = "a,b\r\n1,\"open\r\n2,y\r\n3,z"
        let r = parse(Array(input.utf8), chunk: chunk)
        #expect(r.records.map(\.first) == ["a", "1", "2", "3"])
        #expect(r.lines == [1, 2, 3, 4])
    }

    @Test("an unquoted field over the limit rejects its record only", arguments: [1, 7, 0])
    func fieldTooLargeUnquoted(chunk: Int) {
        let big = String(repeating: "x", count: 100)
        let input = "a,b\n1,\(big)\n2,ok\n"
        let r = parse(Array(input.utf8), chunk: chunk, maxField: 50)
        #expect(r.records.count == 3)
        #expect(r.issues[1]?.code == .fieldTooLarge)
        #expect(r.issues[1]?.line == 2)
        // Where the field starts in its line, however the chunks fell (a trial saw an offset in a 1 MiB chunk).
        #expect(r.issues[1]?.column == 3, "\(String(describing: r.issues[1]))")
        #expect(
            r.records[1] == [
                "1", String(repeating: "x", count: 50) + "\u{2026}[cut: field of 100 bytes over the 50-byte limit]",
            ])
        #expect(r.records[2] == ["2", "ok"])
    }

    /// Issue 18: the record lost the field's bytes and the rest of its line, so a reject file held `Bob,Big,,`.
    @Test(
        "a field ten times over the limit keeps its first bytes, a mark of the cut and the fields after it",
        arguments: [0, 1, 7, 64])
    func oversizedFieldKept(chunk: Int) {
        let mark = { (size: String) in "\u{2026}[cut: field of \(size) bytes over the 100-byte limit]" }
        let x = String(repeating: "x", count: 1_000)
        let unquoted = parse(Array("a,b,c\n1,\(x),z\n2,ok,y\n".utf8), chunk: chunk, maxField: 100)
        #expect(
            unquoted.records == [
                ["a", "b", "c"], ["1", String(x.prefix(100)) + mark("1000"), "z"], ["2", "ok", "y"],
            ])
        #expect(unquoted.issues[1]?.code == .fieldTooLarge && unquoted.issues.count == 1)
        #expect(unquoted.lines == [1, 2, 3])
        // Quoted, with delimiters and doubled quotes in it (each counts one byte), and text after the closing quote.
        let inQuotes = String(repeating: "ab,\"\"cd", count: 200)  // 200 × 6 bytes of value
        let quoted = parse(Array("a,b,c\n1,\"\(inQuotes)\"tail,z\n2,ok,y\n".utf8), chunk: chunk, maxField: 100)
        let value = String(repeating: "ab,\"cd", count: 200)
        #expect(quoted.records[1] == ["1", String(value.prefix(100)) + mark("1204"), "z"])
        #expect(quoted.records[2] == ["2", "ok", "y"])
        // A character is never cut in two: 101 bytes of é (two bytes each) keep 50 of them.
        let accents = parse(Array("a,b\n1,\(String(repeating: "é", count: 1_000))\n".utf8), chunk: chunk, maxField: 101)
        #expect(
            accents.records[1] == [
                "1", String(repeating: "é", count: 50) + "\u{2026}[cut: field of 2000 bytes over the 101-byte limit]",
            ])
        // At most `keptBytes`, whatever the limit.
        let long = parse(Array("a,b\n1,\(String(repeating: "y", count: 50_000))\n".utf8), chunk: chunk, maxField: 5_000)
        #expect(
            long.records[1] == [
                "1",
                String(repeating: "y", count: CSVParser.keptBytes)
                    + "\u{2026}[cut: field of 50000 bytes over the 5000-byte limit]",
            ])
        // Quotes still open at the end of the line: the record ends there, as with an unterminated quote.
        let open = parse(Array("a,b\n1,\"\(x)\nmore\",z\n".utf8), chunk: chunk, maxField: 100)
        #expect(open.records[1] == ["1", String(x.prefix(100)) + mark("at least 1000")])
        #expect(open.records[2] == ["more\"", "z"])
    }

    @Test(
        "a quoted field growing over the limit across lines is treated as an unterminated quote", arguments: [1, 64, 0])
    func fieldTooLargeQuoted(chunk: Int) {
        let lines = (0..<20).map { "r\($0),v" }.joined(separator: "\n")
        let input = "a,b\n1,\"runaway\n" + lines + "\n"
        let r = parse(Array(input.utf8), chunk: chunk, maxField: 60)
        #expect(r.issues[1]?.code == .fieldTooLarge)
        // Everything after the broken record's first line is read again as records.
        #expect(r.records.suffix(20).map { $0 } == (0..<20).map { ["r\($0)", "v"] })
        #expect(r.lines.last == 22)
    }

    /// Found by fuzzing (`fixtures/fuzz/csv/crash-ae651d07…`): the error record held whatever the previous chunk
    /// had ended with, so a reject file depended on the reader's buffer size.
    @Test(
        "the error record of a runaway quote holds the field's first limit bytes, for every chunk size",
        arguments: Array(0...13))
    func runawayQuoteContentIndependentOfChunks(chunk: Int) {
        let input = "h\n\"=HY101,Acme Corp\r\nBob,=b@example.com,909-5 0177,+SUM(1+1)*cmd|' /C calc'!A0\r\nDev,Patel\n"
        let r = parse(Array(input.utf8), chunk: chunk, maxField: 64)
        #expect(r.issues[1]?.code == .fieldTooLarge)
        let expected = String(decoding: Array(input.utf8)[3..<(3 + 64)], as: UTF8.self)
        #expect(r.records[1] == [expected])
        #expect(r.records.last == ["Dev", "Patel"])
    }

    /// Found in review: line breaks and doubled quotes were appended without a look at the limit, so a quoted field
    /// of nothing else grew without end.
    @Test("line breaks and doubled quotes count against the field limit", arguments: [0, 1, 7])
    func limitCountsEveryByte(chunk: Int) {
        let breaks = "h\n\"" + String(repeating: "\n", count: 500) + "x\n"
        let r = parse(Array(breaks.utf8), chunk: chunk, maxField: 50)
        #expect(r.issues[1]?.code == .fieldTooLarge)
        #expect(r.records[1] == [String(repeating: "\n", count: 50)])
        #expect(r.records.last == ["x"])
        let quotes = "h\n\"" + String(repeating: "\"\"", count: 500) + "\"\nx\n"
        let q = parse(Array(quotes.utf8), chunk: chunk, maxField: 50)
        #expect(q.issues[1]?.code == .fieldTooLarge)
        // On the quote's own line: the field keeps its first bytes and a mark of the cut.
        #expect(
            q.records[1] == [
                String(repeating: "\"", count: 50) + "\u{2026}[cut: field of 500 bytes over the 50-byte limit]"
            ])
        #expect(q.records.last == ["x"])
    }

    @Test("line numbers count lines inside quoted fields")
    func lineNumbers() {
        let input = "h\n\"a\nb\nc\"\nx\n"
        let r = parse(Array(input.utf8), chunk: 0)
        #expect(r.lines == [1, 2, 5])
    }
}
