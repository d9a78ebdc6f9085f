import CRMCSV
import CRMTestSupport
import Foundation
import Testing

/// Every record of a file, through `CSVReader`, with their issues.
func readAll(
    _ path: String, _ options: CSVReadOptions = CSVReadOptions()
) throws
    -> (reader: CSVReader, records: [[String]], lines: [Int], issues: [(Int, CSVError)])
{
    let reader = try CSVReader(path: path, options: options)
    var records: [[String]] = []
    var lines: [Int] = []
    var issues: [(Int, CSVError)] = []
    while let b = try reader.nextBatch() {
        for r in 0..<b.count {
            if let e = b.issues[r] { issues.append((records.count, e)) }
            records.append(b.fields(r))
            lines.append(b.lines[r])
        }
    }
    return (reader, records, lines, issues)
}

@Suite("CSVReader on the bundled fixtures")
struct ReaderFixtureTests {
    @Test("Excel 'Unicode text' (UTF-16LE, BOM, tabs) reads like UTF-8")
    func excelUnicode() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/utf16le-excel-unicode.txt"))
        #expect(r.reader.encoding == .utf16LE)
        #expect(r.reader.dialect.delimiter == 9)
        #expect(r.reader.header.first == "First Name")
        #expect(r.issues.isEmpty)
        #expect(
            r.records.contains {
                $0.contains { $0.contains("😀") || $0.contains("🎉") || $0.unicodeScalars.contains { $0.value > 0xFFFF } }
            })
    }

    @Test("a header over --max-field-bytes, or with a quote left open, is an error naming the header, not columns")
    func brokenHeader() throws {
        let dir = try TestSupport.temporaryDirectory()
        let long = dir.appendingPathComponent("long.csv")
        try "First Name,Last Name\nAnn,Lee\n".write(to: long, atomically: true, encoding: .utf8)
        var o = CSVReadOptions()
        o.maxFieldBytes = 5
        let e = try #require(throws: CSVError.self) { try CSVReader(path: long.path, options: o) }
        #expect(e.code == .fieldTooLarge && e.line == 1 && e.message.hasPrefix("the header row: "), "\(e)")
        let open = dir.appendingPathComponent("open.csv")
        try "First Name,\"Last Name\nAnn,Lee\n".write(to: open, atomically: true, encoding: .utf8)
        let q = try #require(throws: CSVError.self) { try CSVReader(path: open.path) }
        #expect(q.message.hasPrefix("the header row: "), "\(q)")
        // Within the limit the same header reads.
        #expect(try CSVReader(path: long.path).header == ["First Name", "Last Name"])
    }

    @Test("UTF-16BE with a BOM")
    func utf16BE() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/utf16be-bom.csv"))
        #expect(r.reader.encoding == .utf16BE)
        #expect(r.issues.isEmpty)
        #expect(r.records.joined().contains { $0.contains("ş") || $0.contains("ı") })
    }

    @Test("Latin-1 bytes without a BOM fall back to a single-byte decoding")
    func latin1() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/latin1-no-bom.csv"))
        #expect(r.reader.encoding == .windows1252)
        #expect(r.records.joined().contains { $0.contains("é") })
    }

    @Test(
        "UTF-8 with one stray byte is read as UTF-8: the other rows as written, not each turned into Windows-1252 text")
    func utf8WithAStrayByte() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("stray.csv").path
        let bytes =
            Array("name,note\nZoë,fine €\nJörg,Straße\n".utf8) + Array("Bad,x".utf8) + [0x92]
            + Array("y\nAnn,ok\n".utf8)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let r = try readAll(path)
        #expect(r.reader.encoding == .utf8)
        #expect(r.records.contains(["Zoë", "fine €"]) && r.records.contains(["Jörg", "Straße"]), "\(r.records)")
        #expect(r.records.contains(["Ann", "ok"]))
        // The stray byte stays in its row (the mapping refuses that row as not UTF-8, with the --encoding hint).
        #expect(r.records.contains { $0.first == "Bad" && $0.count == 2 && $0[1].contains("\u{FFFD}") }, "\(r.records)")
    }

    /// A trial's file of UTF-8 rows and Windows-1252 rows was read as Windows-1252: `Zoë` became `ZoÃ«` in silence.
    @Test("a file mixing UTF-8 and Windows-1252 is refused with both lines; --encoding utf-8 reads it")
    func mixedEncodings() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("mixed.csv").path
        let latin: [UInt8] = [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72]  // "Müller" in Windows-1252
        var bytes = Array("name,note\nZoë,fine\nJosé,ok\n".utf8)
        for _ in 0..<3 { bytes += latin + Array(",x\n".utf8) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect {
            _ = try CSVReader(path: path)
        } throws: { error in
            guard let e = error as? CSVError else { return false }
            return e.code == .mixedEncoding && e.line == 4 && e.message.contains("the first on line 2")
                && e.message.contains("--encoding utf-8")
        }
        var o = CSVReadOptions()
        o.encoding = .utf8
        let r = try CSVReader(path: path, options: o)
        #expect(r.encoding == .utf8)
        // The UTF-8 rows read as written.
        let b = try #require(try r.nextBatch())
        #expect(b.string(0, 0) == "Zoë" && b.string(1, 0) == "José")
        // One Windows-1252 pair in a Windows-1252 file (`Ã©` is two valid UTF-8 bytes) is no mixture.
        let one = dir.appendingPathComponent("one.csv").path
        let single: [UInt8] = Array("name\n".utf8) + [0xC3, 0xA9] + Array("\n".utf8) + latin + Array("\n".utf8)
        _ = FileManager.default.createFile(atPath: one, contents: Data(single))
        #expect(try CSVReader(path: one).encoding == .windows1252)
    }

    @Test("German Excel export: Windows-1252 and semicolons, detected")
    func germanExcel() throws {
        let r = try readAll(TestSupport.fixture("csv/european-excel.csv"))
        #expect(r.reader.encoding == .windows1252)
        #expect(r.reader.dialect.delimiter == UInt8(ascii: ";"))
        #expect(r.reader.header.contains("Straße"))
        #expect(r.issues.isEmpty)
    }

    @Test("a binary file is refused with one clear error")
    func binary() {
        #expect {
            _ = try CSVReader(path: TestSupport.fixture("csv/bad/binary.csv"))
        } throws: { ($0 as? CSVError)?.code == .binaryFile }
    }

    @Test("a NUL byte is reported on its line, and the message promises nothing about an import (csv scan reads too)")
    func nulOnItsLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("nul.csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("a,b\n1,2\nx\u{0}y,3\n".utf8))
        #expect { _ = try CSVReader(path: path) } throws: { e in
            guard let e = e as? CSVError else { return false }
            return e.code == .binaryFile && e.line == 3 && e.message.contains("the first on line 3")
                && !e.message.contains("imported")
        }
    }

    @Test("an empty file and a missing file are errors")
    func emptyAndMissing() throws {
        let dir = try TestSupport.temporaryDirectory()
        let empty = dir.appendingPathComponent("empty.csv").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect { _ = try CSVReader(path: empty) } throws: { ($0 as? CSVError)?.code == .emptyFile }
        #expect { _ = try CSVReader(path: dir.appendingPathComponent("nope.csv").path) } throws: {
            ($0 as? CSVError)?.code == .cannotOpen
        }
    }

    @Test("ragged rows are marked, good rows are not")
    func ragged() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/ragged-rows.csv"))
        #expect(!r.issues.isEmpty)
        #expect(r.issues.allSatisfy { $0.1.code == .raggedRow && $0.1.line != nil })
        let good = r.records.enumerated().filter { i, _ in !r.issues.contains { $0.0 == i } }
        #expect(good.allSatisfy { $0.element.count == r.reader.header.count })
    }

    @Test("the unterminated-quote fixture: one error, the rows after it still read")
    func unterminated() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/unterminated-quote.csv"))
        let quoteErrors = r.issues.filter { $0.1.code == .unterminatedQuote }
        #expect(quoteErrors.count == 1)
        #expect(quoteErrors.first?.1.line == 4)  // data row 3 is on line 4
        #expect(r.records.count >= 5)
    }

    @Test("mixed line endings and a missing final newline")
    func mixed() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/mixed-line-endings.csv"))
        #expect(r.issues.isEmpty)
        #expect(r.records.allSatisfy { $0.count == r.reader.header.count })
        #expect(r.records.joined().contains { $0.contains("\n") })
    }

    @Test("blank lines are not records")
    func emptyLines() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/empty-lines.csv"))
        #expect(r.records.allSatisfy { !$0.allSatisfy(\.isEmpty) })
    }

    @Test("a record with a quoted field, even \"\", says so; a line of spaces and delimiters does not")
    func quotedEmptyRecords() throws {
        let rows: [(line: String, quoted: Bool)] = [
            ("a,\"b\",c", true), ("\"\"", true), ("\"\",\"\"", true), (",,\"\",", true), (",,", false), ("   ", false),
            (" , ,", false), ("\"\",\"\",\"\"", true), ("\"\",,", true), ("x,y,z", false), ("\"  \",,", true),
            ("a,b\"\",c", false),
        ]
        let text = "Last,Company,Notes\r\n" + rows.map { $0.line }.joined(separator: "\r\n") + "\r\n"
        // The reader (the records after the header come from the header's batch)...
        let path = try TestSupport.temporaryDirectory("crmgate-csv").appendingPathComponent("quoted-empty.csv")
        try Data(text.utf8).write(to: path)
        var o = CSVReadOptions()
        o.delimiter = UInt8(ascii: ",")
        let reader = try CSVReader(path: path.path, options: o)
        var flags: [Bool] = []
        var records: [[String]] = []
        while let b = try reader.nextBatch() {
            for r in 0..<b.count {
                flags.append(b.hasQuotedField(r))
                records.append(b.fields(r))
            }
        }
        #expect(flags == rows.map { $0.quoted })
        try #require(records.count == rows.count)
        #expect(records[1] == [""] && records[2] == ["", ""])
        #expect(records[3] == ["", "", "", ""] && records[4] == ["", "", ""])
        // ...and the parser, however the bytes arrive and whenever batches are taken.
        for chunk in [1, 3, 64] {
            var p = CSVParser()
            var parsed: [Bool] = []
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                p.feed(Array(bytes[start..<min(start + chunk, bytes.count)]))
                let b = p.takeBatch()
                for r in 0..<b.count { parsed.append(b.hasQuotedField(r)) }
            }
            p.finish()
            let b = p.takeBatch()
            for r in 0..<b.count { parsed.append(b.hasQuotedField(r)) }
            #expect(parsed == [false] + rows.map { $0.quoted }, "chunks of \(chunk)")
        }
    }

    @Test("a file cut inside a quoted field ends with an error for that record only")
    func truncated() throws {
        let r = try readAll(TestSupport.fixture("csv/bad/truncated.csv"))
        #expect(r.issues.count == 1)
        #expect(r.issues.first?.1.code == .unterminatedQuote)
        #expect(r.issues.first?.0 == r.records.count - 1)
    }

    @Test("batch boundaries do not change the result", arguments: [1, 3, 100, 4096])
    func batchSizes(size: Int) throws {
        var o = CSVReadOptions()
        o.batchSize = size
        o.chunkSize = 4096
        let a = try readAll(TestSupport.fixture("csv/gen-leads-2000.csv"), o)
        let b = try readAll(TestSupport.fixture("csv/gen-leads-2000.csv"))
        #expect(a.records == b.records)
        #expect(a.lines == b.lines)
    }
}

@Suite("CSVReader agrees with Python's csv module")
struct OracleTests {
    /// Python's reading of a file, as JSON: the oracle.
    static func pythonRead(_ path: String, encoding: String = "utf-8-sig") throws -> [[String]]? {
        guard let py = TestSupport.python else { return nil }
        let script = """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding=sys.argv[2]) as f:
                rows = [r for r in csv.reader(f) if r]
            json.dump(rows, sys.stdout)
            """
        let out = try TestSupport.run(py, ["-c", script, path, encoding])
        guard out.status == 0 else {
            Issue.record("python failed: \(out.stderr)")
            return nil
        }
        return try JSONDecoder().decode([[String]].self, from: Data(out.stdout.utf8))
    }

    @Test(
        "generated lead lists (quotes, commas, newlines, non-ASCII inside fields)",
        arguments: [
            "csv/gen-leads-2000.csv", "csv/gen-leads-300-lf-bom.csv", "csv/salesforce-leads.csv",
            "csv/bad/mixed-line-endings.csv",
        ])
    func oracle(fixture: String) throws {
        let path = TestSupport.fixture(fixture)
        guard let expected = try OracleTests.pythonRead(path) else {
            Issue.record("python3 is needed for the oracle test")
            return
        }
        let r = try readAll(path)
        #expect([r.reader.header] + r.records == expected)
    }

    @Test("the oracle file fed in chunks of 1, 2, 3, 7, 64 and 64 KiB bytes", arguments: [1, 2, 3, 7, 64, 65536])
    func chunkedOracle(chunk: Int) throws {
        let bytes = try TestSupport.bytes("csv/gen-leads-300-lf-bom.csv")
        let whole = parse(Array(bytes.dropFirst(3)), chunk: 0)
        let chunked = parse(Array(bytes.dropFirst(3)), chunk: chunk)
        #expect(chunked.records == whole.records)
        #expect(chunked.lines == whole.lines)
        guard let expected = try OracleTests.pythonRead(TestSupport.fixture("csv/gen-leads-300-lf-bom.csv")) else {
            return
        }
        #expect(chunked.records == expected)
    }
}
