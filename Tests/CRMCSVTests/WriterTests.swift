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
}
