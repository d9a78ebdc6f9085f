import CRMCSV
import CRMTestSupport
import Foundation
import Testing

@Suite("CSVWriter")
struct WriterTests {
    func write(_ rows: [[String]], _ configure: (inout CSVWriter.Options) -> Void = { _ in }) throws -> [UInt8] {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("out.csv").path
        var o = CSVWriter.Options()
        configure(&o)
        let w = try CSVWriter(path: path, options: o)
        for r in rows { try w.writeRow(r) }
        try w.flush()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("quotes only what needs quoting, CRLF by default")
    func quoting() throws {
        let out = try write([["a", "b,c", "say \"hi\"", "l1\nl2", " pad"]])
        #expect(String(decoding: out, as: UTF8.self) == "a,\"b,c\",\"say \"\"hi\"\"\",\"l1\nl2\",\" pad\"\r\n")
    }

    @Test(
        "formula-looking cells are neutralised unless told not to",
        arguments: [
            "=1+1", "@SUM(A1)", "\tx", "\rx", "+A1", "-1+1", "-2+3+cmd|' /C calc'!A0", "+1 415-555-0101", "-", "+",
            "-e5", "+1e5",
        ])
    func formulas(cell: String) throws {
        let safe = String(decoding: try write([[cell]]), as: UTF8.self)
        #expect(safe.hasPrefix("'") || safe.hasPrefix("\"'"))
        #expect(CSVWriter.needsFormulaGuard(Array(cell.utf8)))
        let raw = String(decoding: try write([[cell]]) { $0.neutralizeFormulas = false }, as: UTF8.self)
        #expect(!raw.hasPrefix("'") && !raw.hasPrefix("\"'"))
    }

    @Test(
        "a plain number after + or - (digits, spaces, dots, commas, apostrophes, parentheses) is written as it is, by both write paths",
        arguments: [
            "+4311552754", "+43 (1) 155 2754", "-12.5", "-5", "+.5", "1+1", "a=b", "-12,5", "-1.234,56", "-1'234.5",
        ])
    func plainNumbersAreNotGuarded(cell: String) throws {
        #expect(!CSVWriter.needsFormulaGuard(Array(cell.utf8)))
        let text = String(decoding: try write([[cell]]), as: UTF8.self)
        #expect(text == cell + "\r\n" || text == "\"\(cell)\"\r\n")
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("bytes.csv").path
        let w = try CSVWriter(path: path, options: CSVWriter.Options())
        Array(cell.utf8).withUnsafeBufferPointer { w.writeField(bytes: $0) }
        try w.endRow()
        try w.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("with ' as the delimiter, a guarded cell is quoted: its ' is not taken for a field break")
    func apostropheDelimiter() throws {
        let out = try write([["=1", "a"]]) { $0.delimiter = UInt8(ascii: "'") }
        #expect(String(decoding: out, as: UTF8.self) == "\"'=1\"'a\r\n")
    }

    @Test("BOM and LF on request")
    func bomAndLF() throws {
        let out = try write([["x"]]) {
            $0.byteOrderMark = true
            $0.lineEnding = .lf
        }
        #expect(out == [0xEF, 0xBB, 0xBF, 0x78, 0x0A])
    }

    @Test("what the writer writes, the reader reads back unchanged", arguments: [",", ";", "\t"])
    func roundTrip(d: String) throws {
        let rows = [["h1", "h2", "h3"], ["a", "b;c,d\te", "x\"y"], ["multi\r\nline", "", "Zoë 東京"], ["", "", ""]]
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("rt.csv").path
        var o = CSVWriter.Options()
        o.delimiter = d.utf8.first!
        o.neutralizeFormulas = false
        let w = try CSVWriter(path: path, options: o)
        for r in rows { try w.writeRow(r) }
        try w.flush()
        var ro = CSVReadOptions()
        ro.delimiter = d.utf8.first!
        let back = try readAll(path, ro)
        #expect([back.reader.header] + back.records == rows)
    }

    /// The writer as it was before its buffer became raw and its scan went 8 bytes a step: the oracle of the test
    /// below (each field after a delimiter unless first, guarded, quoted when it holds the delimiter, a quote, CR or
    /// LF, or starts or ends with a space; quotes doubled inside).
    static func reference(_ rows: [[[UInt8]]], _ o: CSVWriter.Options) -> [UInt8] {
        var out: [UInt8] = o.byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
        let d = o.delimiter
        for row in rows {
            for (i, f) in row.enumerated() {
                if i > 0 { out.append(d) }
                let neutralize = o.neutralizeFormulas && CSVWriter.guards(f, quotedValues: o.guardsQuotedValues)
                let quote =
                    f.first == 32 || f.last == 32 || (neutralize && d == UInt8(ascii: "'"))
                    || f.contains { $0 == d || $0 == 34 || $0 == 10 || $0 == 13 }
                if quote { out.append(34) }
                if neutralize { out.append(UInt8(ascii: "'")) }
                for b in f {
                    if quote && b == 34 { out.append(34) }
                    out.append(b)
                }
                if quote { out.append(34) }
            }
            if o.lineEnding == .crlf { out.append(13) }
            out.append(10)
        }
        return out
    }

    @Test(
        "every field is written as the plain per-byte writer wrote it, whatever its length, bytes and options",
        arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "'"), UInt8(ascii: "|")])
    func sameAsPerByteWriter(delimiter: UInt8) throws {
        // Fields of 0-40 bytes (and a few past the buffer's 128 KB) from an alphabet weighted towards the bytes that
        // matter: the delimiters, quotes, CR, LF, space, the formula triggers, `'`, digits and multi-byte UTF-8.
        let alphabet: [UInt8] = Array("aZ09 ,;'|\"\r\n\t=+-@.()é€".utf8) + [0, 0x80, 0xFF]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(delimiter)
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        var rows: [[[UInt8]]] = []
        for r in 0..<2_000 {
            rows.append(
                (0..<(1 + next(6))).map { _ in
                    let n = r % 500 == 7 ? 140_000 + next(9) : next(41)
                    return (0..<n).map { _ in alphabet[next(alphabet.count)] }
                })
        }
        for (neutralize, quoted, crlf, bom) in [(true, true, true, false), (false, false, false, true)] {
            var o = CSVWriter.Options()
            o.delimiter = delimiter
            o.neutralizeFormulas = neutralize
            o.guardsQuotedValues = quoted
            o.lineEnding = crlf ? .crlf : .lf
            o.byteOrderMark = bom
            let dir = try TestSupport.temporaryDirectory()
            let path = dir.appendingPathComponent("out.csv").path
            let w = try CSVWriter(path: path, options: o)
            for row in rows {
                for f in row { f.withUnsafeBufferPointer { w.writeField(bytes: $0) } }
                try w.endRow()
            }
            try w.flush()
            let got = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let want = Self.reference(rows, o)
            #expect(got.count == want.count)
            #expect(got == want, "first difference at byte \(got.indices.first { $0 >= want.count || got[$0] != want[$0] } ?? -1)")
        }
    }
}
