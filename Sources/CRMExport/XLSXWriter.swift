import CRMModel
import CRMStore
import Foundation

/// Writes an XLSX workbook as a stream: each sheet's XML goes to a temporary file row by row,
/// and the files are zipped at the end, so memory stays flat in the row count.
///
/// Cells are typed: numbers, money with a number format, dates and date-times as serials with a
/// date format, booleans, and text as inline strings (never formulas, so a hostile `=...` is text).
final class XLSXWriter {
    struct Column {
        let title: String
        let kind: FieldKind
        let money: Bool
        let width: Double
    }

    private let path: String
    private let sheetName: String
    private let columns: [Column]
    private let rowsPerSheet: Int
    private let tempDir: URL
    /// Finished sheets: the head of each (up to its rows, patched with the sheet's size at its end) and its rows,
    /// deflated while they were written (none for a small summary sheet, all of which is in its head).
    private var sheetFiles: [(name: String, head: [UInt8], part: DeflatingPart?)] = []
    private var sink: ByteSink?
    private var head = ByteSink()
    private var part: DeflatingPart?
    private var rowInSheet = 0
    private let letters: [String]
    /// Texts repeated down a column, written once (`SharedStrings`), and which columns use them.
    // Unchecked: only this writer's thread touches them, and a checked access per cell cost more than the look-up.
    @exclusivity(unchecked) private var strings = SharedStrings()
    @exclusivity(unchecked) private var sharing: [SharedStrings.Column]
    /// Per date column, the last stored text and the serial number written for it (`dateSlot` bytes: the text's
    /// length and up to 31 bytes, the serial's length and up to 31 bytes): a column of one import's stamps, or of dates
    /// that repeat, is converted once.
    private let dateCache: UnsafeMutablePointer<UInt8>
    static let dateSlot = 64
    /// Which columns are read as text (all but integers and booleans).
    private let asText: UnsafeMutableBufferPointer<Bool>
    /// The last row's texts of those columns, read in one call, valid until the store moves on (the Pipeline tally
    /// reads its stage, currency and amount here too).
    let texts: UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>
    /// Rows written, not counting headers.
    private(set) var rows = 0
    /// The deflate level for the workbook's parts, libdeflate's (and zlib's for a piece that does not join,
    /// `DeflateSegment`): 1 fastest and the default; higher levels split pieces into blocks more often, which zlib
    /// then compresses.
    var compressionLevel: Int32 = 1

    init(path: String, sheetName: String, columns: [Column], rowsPerSheet: Int) throws {
        self.path = path
        self.sheetName = sheetName
        self.columns = columns
        self.rowsPerSheet = max(1, rowsPerSheet)
        letters = (0..<columns.count).map(XLSXWriter.columnLetters)
        sharing = columns.map { _ in SharedStrings.Column() }
        dateCache = .allocate(capacity: columns.count * XLSXWriter.dateSlot)
        dateCache.initialize(repeating: 0, count: columns.count * XLSXWriter.dateSlot)
        asText = .allocate(capacity: columns.count)
        for (i, c) in columns.enumerated() { asText[i] = c.kind != .integer && c.kind != .bool }
        texts = .allocate(capacity: columns.count)
        texts.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0))
        tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-xlsx-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
        } catch {
            throw ExportError(.cannotWrite, "cannot create a temporary directory: \(error.localizedDescription)")
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: tempDir)
        asText.deallocate()
        texts.deallocate()
        dateCache.deallocate()
    }

    /// `A`, `B`, … `Z`, `AA`, …
    static func columnLetters(_ index: Int) -> String {
        var n = index + 1
        var s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// Appends a data row read in place from the store (the fast path): cells typed by the column kinds.
    ///
    /// Cells carry no `r` attribute (their position is their column, as the format allows), which keeps
    /// the sheet XML, and the deflating of it, small.
    func addRow(_ row: StoredRow) throws {
        if sink == nil || rowInSheet >= rowsPerSheet { try startSheet() }
        rowInSheet += 1
        rows += 1
        let s = sink!
        s.write(static: XLSXWriter.rowOpen)
        s.writeDecimal(rowInSheet + 1)
        s.write(static: XLSXWriter.tagClose)
        // The texts in one call a row; a text column's NULL is a text without an address.
        row.bytes(UnsafeBufferPointer(asText), into: texts)
        var skipped = false
        for i in columns.indices {
            let b = texts[i]
            if asText[i] ? b.baseAddress == nil : row.isNull(i) {
                skipped = true
                continue
            }
            if skipped {
                // After an empty cell, the position must be said again.
                s.write(static: XLSXWriter.cellRefOpen)
                s.write(letters[i])
                s.writeDecimal(rowInSheet + 1)
                s.write(static: XLSXWriter.quote)
                skipped = false
            } else {
                s.write(static: XLSXWriter.cellOpen)
            }
            switch columns[i].kind {
            case .number:
                s.write(static: columns[i].money ? XLSXWriter.moneyValue : XLSXWriter.plainValue)
                s.write(bytes: b)
                s.write(static: XLSXWriter.valueClose)
            case .integer:
                s.write(static: XLSXWriter.plainValue)
                s.writeDecimal(Int(row.int64(i) ?? 0))
                s.write(static: XLSXWriter.valueClose)
            case .bool:
                s.write(static: XLSXWriter.boolValue)
                s.write(static: (row.int64(i) ?? 0) != 0 ? XLSXWriter.one : XLSXWriter.zero)
                s.write(static: XLSXWriter.valueClose)
            case .day, .instant:
                let day = columns[i].kind == .day
                s.write(static: day ? XLSXWriter.dateValue : XLSXWriter.dateTimeValue)
                // The column's cache: the stored text's length and bytes, then the serial's.
                let cache = dateCache + i * XLSXWriter.dateSlot
                if !b.isEmpty && Int(cache[0]) == b.count && memcmp(cache + 1, b.baseAddress!, b.count) == 0 {
                    s.write(raw: cache + 33, Int(cache[32]))
                } else {
                    let before = s.count
                    if day {
                        s.writeDecimal((RawCells.days(b) ?? 0) + 25569)
                    } else {
                        let secs = RawCells.seconds(b) ?? 0
                        // Days and a ten-digit fraction (about 9 µs): a stamp reads back to the millisecond.
                        let scale = 10_000_000_000
                        let units = Int(((secs / 86400) * Double(scale)).rounded()) + 25569 * scale
                        s.writeDecimal(units / scale)
                        s.write(static: XLSXWriter.dot)
                        s.writeDecimal(units % scale, width: 10)
                    }
                    let serial = s.last(s.count - before)
                    if b.count <= 31 && serial.count <= 31 {
                        cache[0] = UInt8(b.count)
                        (cache + 1).update(from: b.baseAddress!, count: b.count)
                        cache[32] = UInt8(serial.count)
                        (cache + 33).update(from: serial.baseAddress!, count: serial.count)
                    }
                }
                s.write(static: XLSXWriter.valueClose)
            case .list:
                var out: [UInt8] = []
                RawCells.appendList(b, into: &out)
                out.withUnsafeBufferPointer { b in
                    s.write(static: XLSXWriter.needsPreserve(b) ? XLSXWriter.inlineOpen : XLSXWriter.inlineOpenPlain)
                    s.writeXMLEscaped(bytes: b)
                }
                s.write(static: XLSXWriter.inlineClose)
            case .text, .email, .phone:
                guard XLSXWriter.isPlain(b) else {
                    s.write(static: XLSXWriter.needsPreserve(b) ? XLSXWriter.inlineOpen : XLSXWriter.inlineOpenPlain)
                    s.writeXMLEscaped(bytes: b)
                    s.write(static: XLSXWriter.inlineClose)
                    continue
                }
                if sharing[i].shared, !b.isEmpty, let (k, found) = strings.index(of: b) {
                    sharing[i].count(found: found)
                    s.write(static: XLSXWriter.sharedValue)
                    let d = strings.decimal(k)
                    s.write(word: d.word, d.count)
                    s.write(static: XLSXWriter.valueClose)
                } else {
                    s.write(static: XLSXWriter.inlineOpenPlain)
                    s.write(bytes: b)
                    s.write(static: XLSXWriter.inlineClose)
                }
            }
        }
        s.write(static: XLSXWriter.rowClose)
        try s.maybeFlush()
    }

    static let rowOpen: StaticString = "<row r=\""
    static let tagClose: StaticString = "\">"
    static let rowClose: StaticString = "</row>\n"
    static let cellOpen: StaticString = "<c"
    static let cellRefOpen: StaticString = "<c r=\""
    static let quote: StaticString = "\""
    static let plainValue: StaticString = "><v>"
    static let moneyValue: StaticString = " s=\"4\"><v>"
    static let dateValue: StaticString = " s=\"2\"><v>"
    static let dateTimeValue: StaticString = " s=\"3\"><v>"
    static let boolValue: StaticString = " t=\"b\"><v>"
    static let valueClose: StaticString = "</v></c>"
    static let inlineOpen: StaticString = " t=\"inlineStr\"><is><t xml:space=\"preserve\">"
    static let inlineOpenPlain: StaticString = " t=\"inlineStr\"><is><t>"
    static let sharedValue: StaticString = " t=\"s\"><v>"

    /// Whether a text needs `xml:space="preserve"` for Excel to keep it as it is: whitespace at either end, a tab
    /// or line break, or two spaces in a row. Most values need none, and leaving it out is a fifth of the sheet.
    static func needsPreserve(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last else { return false }
        func edge(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        if edge(first) || edge(last) { return true }
        var previousSpace = false
        for c in b {
            if c == 9 || c == 10 || c == 13 { return true }
            if c == 32 {
                if previousSpace { return true }
                previousSpace = true
            } else {
                previousSpace = false
            }
        }
        return false
    }
    /// Whether a text goes into a cell as it is: printable ASCII without `&`, `<`, `>`, `"` or `_` (which
    /// `ByteSink.writeXMLEscaped` may escape), and without what needs `xml:space="preserve"` (`needsPreserve`: a
    /// space at either end, two in a row). Most cells are; one table look-up a byte instead of two scans with a
    /// branch each (the sheet's text was a fifth of the XLSX export's time on its writing thread).
    @inline(__always) static func isPlain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last, first != 32, last != 32 else { return b.isEmpty }
        var seen: UInt8 = 0
        var previous: UInt8 = 0
        for c in b {
            let k = plainClass[Int(c)]
            // Bit 1: a byte to escape; bit 0 of `previous & k`: a space after a space.
            seen |= (k & 2) | (previous & k)
            previous = k
        }
        return seen == 0
    }

    /// `isPlain`'s classes: 0 plain, 1 a space, 2 a byte that is escaped or outside printable ASCII.
    static let plainClass: [UInt8] = (0..<256).map { c in
        if c == 32 { return 1 }
        if c < 32 || c >= 127 { return 2 }
        return [UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "_")]
            .contains(UInt8(c)) ? 2 : 0
    }

    static let inlineClose: StaticString = "</t></is></c>"
    static let one: StaticString = "1"
    static let zero: StaticString = "0"
    static let dot: StaticString = "."

    private func startSheet() throws {
        try endSheet()
        let n = sheetFiles.count + 1
        // The head (up to the first data row) stays in memory until the sheet ends, when its size is known; the rows
        // are deflated as they come, on the other core.
        let s = ByteSink()
        head = s
        let p = try DeflatingPart(
            path: tempDir.appendingPathComponent("sheet\(n).deflated").path, level: compressionLevel)
        part = p
        sink = ByteSink(part: p)
        rowInSheet = 0
        s.write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
        s.write("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
        // The sheet's size, patched in when the sheet ends (readers use it to size the sheet without reading it).
        dimensionOffset = s.count
        s.write(XLSXWriter.dimension(columns: columns.count, rows: 1))
        s.write(
            "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
        )
        s.write("<sheetFormatPr defaultRowHeight=\"15\"/><cols>")
        for (i, c) in columns.enumerated() {
            s.write("<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(c.width)\" customWidth=\"1\"/>")
        }
        s.write("</cols><sheetData>\n<row r=\"1\">")
        for (i, c) in columns.enumerated() {
            s.write("<c r=\"\(letters[i])1\" t=\"inlineStr\" s=\"1\"><is><t>")
            s.writeXMLEscaped(c.title)
            s.write("</t></is></c>")
        }
        s.write("</row>\n")
    }

    private func endSheet() throws {
        guard let s = sink, let p = part else { return }
        s.write("</sheetData>")
        if !columns.isEmpty { s.write("<autoFilter ref=\"A1:\(letters[columns.count - 1])\(rowInSheet + 1)\"/>") }
        s.write("</worksheet>\n")
        try s.flush()
        try p.finish()
        var bytes = head.bytes
        let dimension = Array(XLSXWriter.dimension(columns: columns.count, rows: rowInSheet + 1).utf8)
        bytes.replaceSubrange(dimensionOffset..<(dimensionOffset + dimension.count), with: dimension)
        let n = sheetFiles.count + 1
        sheetFiles.append((n == 1 ? sheetName : "\(sheetName) (\(n))", bytes, p))
        sink = nil
        part = nil
    }

    private var dimensionOffset = 0

    /// `<dimension ref="A1:N31"/>` padded with spaces to a fixed width, so that it can be patched in place.
    static func dimension(columns: Int, rows: Int) -> String {
        let ref = "A1:" + columnLetters(max(0, columns - 1)) + String(rows)
        let text = "<dimension ref=\"\(ref)\"/>"
        return text + String(repeating: " ", count: max(0, 40 - text.utf8.count))
    }

    /// Writes a small sheet held in memory (a summary), after the data sheets.
    func addSummarySheet(name: String, header: [String], rows summary: [[FieldValue]], moneyColumns: Set<Int>) throws {
        try endSheet()
        let s = ByteSink()
        s.write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
        s.write("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
        s.write(
            "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
        )
        s.write("<cols>")
        for i in header.indices {
            s.write("<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(i == 0 ? 22 : 18)\" customWidth=\"1\"/>")
        }
        s.write("</cols><sheetData><row r=\"1\">")
        for (i, h) in header.enumerated() {
            s.write("<c r=\"\(XLSXWriter.columnLetters(i))1\" t=\"inlineStr\" s=\"1\"><is><t>")
            s.writeXMLEscaped(h)
            s.write("</t></is></c>")
        }
        s.write("</row>\n")
        for (k, row) in summary.enumerated() {
            s.write("<row r=\"\(k + 2)\">")
            for (i, v) in row.enumerated() {
                let ref = XLSXWriter.columnLetters(i) + String(k + 2)
                switch v {
                case .text(let t):
                    let preserve = Array(t.utf8).withUnsafeBufferPointer { XLSXWriter.needsPreserve($0) }
                    s.write("<c r=\"\(ref)\" t=\"inlineStr\"><is><t\(preserve ? " xml:space=\"preserve\"" : "")>")
                    s.writeXMLEscaped(t)
                    s.write("</t></is></c>")
                case .number(let d):
                    s.write(
                        "<c r=\"\(ref)\"\(moneyColumns.contains(i) ? " s=\"4\"" : "")><v>\(NSDecimalNumber(decimal: d).stringValue)</v></c>"
                    )
                case .integer(let n):
                    s.write("<c r=\"\(ref)\"><v>\(n)</v></c>")
                default:
                    break
                }
            }
            s.write("</row>\n")
        }
        s.write("</sheetData></worksheet>\n")
        sheetFiles.append((name, s.bytes, nil))
    }

    /// Closes the last sheet and writes the workbook.
    func finish() throws {
        if sheetFiles.isEmpty && sink == nil { try startSheet() }
        try endSheet()
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { try? fm.removeItem(atPath: path) }
        do {
            let archive = try ZipWriter(path: path, level: compressionLevel)
            func add(_ name: String, _ text: String) throws { try archive.add(name, bytes: Array(text.utf8)) }
            var overrides = ""
            let shared = strings.count > 0
            let stringsType =
                shared
                ? "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
                : ""
            let stringsRel =
                shared
                ? "<Relationship Id=\"rIdStrings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
                : ""
            var sheetsXML = ""
            var rels = ""
            for (i, sheet) in sheetFiles.enumerated() {
                overrides +=
                    "<Override PartName=\"/xl/worksheets/sheet\(i + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                sheetsXML += "<sheet name=\"\(xmlAttr(sheet.name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
                rels +=
                    "<Relationship Id=\"rId\(i + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>"
            }
            try add(
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\(overrides)\(stringsType)</Types>"
            )
            try add(
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            )
            try add(
                "xl/workbook.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>\(sheetsXML)</sheets></workbook>"
            )
            try add(
                "xl/_rels/workbook.xml.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(rels)\(stringsRel)<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>"
            )
            try add("xl/styles.xml", XLSXWriter.styles)
            if shared { try archive.add("xl/sharedStrings.xml", bytes: strings.xml()) }
            for (i, sheet) in sheetFiles.enumerated() {
                try archive.add("xl/worksheets/sheet\(i + 1).xml", head: sheet.head, part: sheet.part)
            }
            try archive.finish()
        } catch let e as ExportError {
            throw e
        } catch {
            throw ExportError(.cannotWrite, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    private func xmlAttr(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;")
    }

    /// Styles: 0 default, 1 bold header, 2 date, 3 date and time, 4 money.
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="166" formatCode="#,##0.00"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """
}
