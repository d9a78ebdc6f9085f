// libFuzzer target for the exporters. scripts/fuzz.sh links it against CRMExport, CRMStore, CRMModel and CRMCSV built
// instrumented by SwiftPM (with -enable-testing), and compiles Sources/CRMSync/JSONValue.swift in as the NDJSON reader.
// One binary, four targets: FUZZ_EXPORT=csv|ndjson|xlsx|ics picks the format.
//
// Input: a control byte (CSV: raw or guarded, delimiter, BOM), then up to five values separated by 0x1E (the fourth
// is a list, its items separated by 0x1F). They become one lead (first name, company, notes, tags, a custom field) or
// one task (title, description, assignee, related-to, category), saved in a real SQLite store and exported by the
// exporter's own code path (Exporter.run over the store).
// Invariant: the file is well formed (CSV: one header and one row, no issues; NDJSON: one JSON object per line;
// XLSX: a zip whose entries inflate with matching CRC-32 and whose XML parts libxml2 reads without recovery; ICS:
// UTF-8, CRLF lines of at most 75 octets, no control characters), and each value reads back exactly (as Unicode
// scalars) under the format's documented escapes: the CSV formula guard, lists joined by "; ", Excel's _xHHHH_,
// RFC 5545 TEXT escapes with line breaks as LF.
// NUL is taken out of values: the store never holds it (PostgreSQL text cannot, and every reader refuses it).

import CLibXML2
import CRMCSV
import CRMModel
import CZlib
import Foundation

@testable import CRMExport
@testable import CRMStore

enum Target: String { case csv, ndjson, xlsx, ics }

let target: Target = {
    guard let name = ProcessInfo.processInfo.environment["FUZZ_EXPORT"], let t = Target(rawValue: name) else {
        fatalError("set FUZZ_EXPORT to csv, ndjson, xlsx or ics")
    }
    return t
}()
let workDir: String = {
    let d = "/dev/shm/crmgate-fuzz-export-\(getpid())"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}()
let store: CRMStore = try! CRMStore(path: workDir + "/crm.sqlite")
let leadID = RecordID.make()
let taskID = RecordID.make()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExport(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let parts = Array(UnsafeBufferPointer(start: data + 1, count: size - 1)).split(
        separator: 0x1E, maxSplits: 4, omittingEmptySubsequences: false
    ).map(text)
    let v = (0..<5).map { $0 < parts.count ? parts[$0] : "" }
    let list = v[3].split(separator: "\u{1F}", omittingEmptySubsequences: true).map(String.init)
    var o = ExportOptions(recordType: target == .ics ? .task : .lead)
    o.output = workDir + "/out." + target.rawValue
    o.format = ExportFormat(rawValue: target.rawValue)!
    o.raw = control & 1 != 0
    o.delimiter = [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")][Int(control >> 1) & 3]
    o.byteOrderMark = control & 8 != 0
    if target == .ics {
        var t = CRMTask(id: taskID)
        t.title = v[0]
        t.description = v[1]
        t.assignee = v[2]
        t.relatedTo = list.joined(separator: ",")
        t.category = v[4]
        t.due = Date(timeIntervalSince1970: 1_790_000_000)
        try! store.save([t])
        _ = try! Exporter.run(CRMTask.self, store, o)
        checkICS(read(o.output), [v[0], v[1], v[2], t.relatedTo, v[4]])
        return 0
    }
    var l = Lead(id: leadID)
    l.firstName = v[0]
    l.company = v[1]
    l.notes = v[2]
    l.tags = list
    l.custom = v[4].isEmpty ? [:] : ["v": v[4]]
    try! store.save([l])
    o.columns = ["first_name", "company", "notes", "tags", "custom.v"]
    _ = try! Exporter.run(Lead.self, store, o)
    let bytes = read(o.output)
    let want = [v[0], v[1], v[2], list.joined(separator: "; "), v[4]]
    switch target {
    case .csv: checkCSV(bytes, o, want)
    case .ndjson: checkNDJSON(bytes, o.columns!, [v[0], v[1], v[2]], list, v[4])
    case .xlsx: checkXLSX(o.output, o.columns!, want)
    case .ics: break
    }
    return 0
}

/// Bytes as the text a value may hold: invalid UTF-8 repaired (a String cannot hold it), NUL taken out.
func text(_ b: ArraySlice<UInt8>) -> String {
    var s = String(decoding: b, as: UTF8.self)
    s.unicodeScalars.removeAll { $0.value == 0 }
    return s
}

func read(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

func same(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }

func fail(_ what: String, _ got: String, _ want: String) -> Never {
    fatalError("\(target): \(what): read back \(got.debugDescription), stored \(want.debugDescription)")
}

// MARK: CSV

func checkCSV(_ file: [UInt8], _ o: ExportOptions, _ want: [String]) {
    var body = file[...]
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    if o.byteOrderMark {
        guard body.starts(with: bom) else { fatalError("csv: no BOM") }
        body = body.dropFirst(3)
    }
    var p = CSVParser(dialect: CSVDialect(delimiter: o.delimiter), maxFieldBytes: 1 << 30)
    p.feed(Array(body))
    p.finish()
    let b = p.takeBatch()
    guard b.issues.isEmpty else { fatalError("csv: the reader reports \(b.issues)") }
    guard b.count == 2 else {
        // A row of nothing but empty fields is written as delimiters only; readers skip it as blank.
        if b.count == 1 && want.allSatisfy(\.isEmpty) { return }
        fatalError("csv: \(b.count) records, not a header and one row")
    }
    guard b.fields(0) == o.columns! else { fatalError("csv: header \(b.fields(0))") }
    guard b.fieldCount(1) == want.count else { fatalError("csv: \(b.fieldCount(1)) fields") }
    for (i, w) in want.enumerated() {
        let got = String(decoding: b.bytes[b.fieldRange(1, i)], as: UTF8.self)
        let expected = !o.raw && CSVWriter.guards(Array(w.utf8)) ? "'" + w : w
        if !same(got, expected) { fail("column \(i)", got, expected) }
    }
}

// MARK: NDJSON

func checkNDJSON(_ file: [UInt8], _ columns: [String], _ texts: [String], _ list: [String], _ custom: String) {
    let lines = file.split(separator: 10, omittingEmptySubsequences: false)
    guard lines.count == 2, lines[1].isEmpty else { fatalError("ndjson: not one line ending in LF") }
    guard case .object(let fields) = try? JSONValue.parse(Array(lines[0])) else {
        fatalError("ndjson: not a JSON object")
    }
    guard fields.map(\.0) == columns else { fatalError("ndjson: keys \(fields.map(\.0))") }
    func string(_ v: JSONValue) -> String {
        switch v {
        case .null: return ""
        case .string(let s): return s
        default: fatalError("ndjson: \(v) where text was stored")
        }
    }
    for (i, w) in texts.enumerated() where !same(string(fields[i].1), w) { fail(columns[i], string(fields[i].1), w) }
    if !same(string(fields[4].1), custom) { fail("custom.v", string(fields[4].1), custom) }
    switch fields[3].1 {
    case .null where list.isEmpty: break
    case .array(let items):
        let got = items.map(string)
        guard got.count == list.count, zip(got, list).allSatisfy(same) else {
            fatalError("ndjson: tags \(got) for \(list)")
        }
    default: fatalError("ndjson: tags \(fields[3].1) for \(list)")
    }
}

// MARK: XLSX

func checkXLSX(_ path: String, _ columns: [String], _ want: [String]) {
    let entries = unzip(read(path))
    for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"] {
        guard entries[name] != nil else { fatalError("xlsx: no \(name) among \(entries.keys.sorted())") }
    }
    var sheetRows: [[Int: String]] = []
    var shared: [String] = []
    var sharedRefs: [[Int: Bool]] = []
    for (name, bytes) in entries where name.hasSuffix(".xml") || name.hasSuffix(".rels") {
        guard
            let doc = bytes.withUnsafeBufferPointer({ b in
                b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) {
                    xmlReadMemory($0, Int32(b.count), name, nil, Int32(XML_PARSE_NONET.rawValue))
                }
            })
        else { fatalError("xlsx: \(name) is not well-formed XML") }
        if name == "xl/worksheets/sheet1.xml" { (sheetRows, sharedRefs) = cells(doc) }
        if name == "xl/sharedStrings.xml" { shared = sharedStrings(doc) }
        xmlFreeDoc(doc)
    }
    // A cell of type `s` holds an index into the shared strings.
    for (r, refs) in sharedRefs.enumerated() {
        for (column, _) in refs {
            guard let k = Int(sheetRows[r][column] ?? ""), k >= 0, k < shared.count else {
                fatalError("xlsx: shared string \(sheetRows[r][column] ?? "") of \(shared.count)")
            }
            sheetRows[r][column] = shared[k]
        }
    }
    guard sheetRows.count == 2 else { fatalError("xlsx: \(sheetRows.count) rows") }
    for (i, c) in columns.enumerated() where sheetRows[0][i] != c { fatalError("xlsx: header \(sheetRows[0])") }
    for (i, w) in want.enumerated() {
        let got = excelUnescaped(sheetRows[1][i] ?? "")
        if !same(got, w) { fail("column \(i)", got, w) }
    }
}

/// The texts of `xl/sharedStrings.xml`, in order (each `<si>`'s text).
func sharedStrings(_ doc: xmlDocPtr) -> [String] {
    var out: [String] = []
    var c = xmlDocGetRootElement(doc)?.pointee.children
    while let x = c {
        if x.pointee.type == XML_ELEMENT_NODE, String(cString: x.pointee.name) == "si" {
            if let p = xmlNodeGetContent(x) {
                out.append(String(cString: p))
                xmlFree(p)
            } else {
                out.append("")
            }
        }
        c = x.pointee.next
    }
    return out
}

/// Each row's cells by column index (a cell's `r`, else the one after the last), as text: an inline string's `<t>`
/// or a value's `<v>`; and which of them are shared strings (`t="s"`: the text is an index).
func cells(_ doc: xmlDocPtr) -> ([[Int: String]], [[Int: Bool]]) {
    var rows: [[Int: String]] = []
    var sharedRows: [[Int: Bool]] = []
    func children(_ n: xmlNodePtr?) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var c = n?.pointee.children
        while let x = c {
            if x.pointee.type == XML_ELEMENT_NODE { out.append(x) }
            c = x.pointee.next
        }
        return out
    }
    func name(_ n: xmlNodePtr) -> String { String(cString: n.pointee.name) }
    func content(_ n: xmlNodePtr) -> String {
        guard let p = xmlNodeGetContent(n) else { return "" }
        defer { xmlFree(p) }
        return String(cString: p)
    }
    let root = xmlDocGetRootElement(doc)
    for data in children(root) where name(data) == "sheetData" {
        for row in children(data) where name(row) == "row" {
            var cellsOfRow: [Int: String] = [:]
            var sharedOfRow: [Int: Bool] = [:]
            var column = -1
            for c in children(row) where name(c) == "c" {
                if let r = xmlGetProp(c, "r") {
                    let ref = String(cString: r)
                    xmlFree(r)
                    column =
                        ref.unicodeScalars.prefix { $0.properties.isAlphabetic }.reduce(0) {
                            $0 * 26 + Int($1.value) - 64
                        } - 1
                } else {
                    column += 1
                }
                cellsOfRow[column] = children(c).first.map(content) ?? ""
                if let t = xmlGetProp(c, "t") {
                    if String(cString: t) == "s" { sharedOfRow[column] = true }
                    xmlFree(t)
                }
            }
            rows.append(cellsOfRow)
            sharedRows.append(sharedOfRow)
        }
    }
    return (rows, sharedRows)
}

/// Cell text as Excel reads it: each `_xHHHH_` is the UTF-16 code unit HHHH, taken left to right.
func excelUnescaped(_ s: String) -> String {
    let u = Array(s.utf16)
    var out: [UInt16] = []
    var i = 0
    func hex(_ c: UInt16) -> UInt16? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
    while i < u.count {
        if u[i] == 95, i + 6 < u.count, u[i + 1] == 120, u[i + 6] == 95,
            let a = hex(u[i + 2]), let b = hex(u[i + 3]), let c = hex(u[i + 4]), let d = hex(u[i + 5])
        {
            out.append(a << 12 | b << 8 | c << 4 | d)
            i += 7
        } else {
            out.append(u[i])
            i += 1
        }
    }
    return String(decoding: out, as: UTF16.self)
}

/// A zip's entries by name, each inflated (or stored) and checked against its CRC-32 and size; from the central
/// directory, as strict readers do.
func unzip(_ z: [UInt8]) -> [String: [UInt8]] {
    func u16(_ i: Int) -> Int { Int(z[i]) | Int(z[i + 1]) << 8 }
    func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
    guard z.count >= 22, u32(z.count - 22) == 0x0605_4B50 else { fatalError("xlsx: no end of central directory") }
    let count = u16(z.count - 22 + 10)
    var at = u32(z.count - 22 + 16)
    var out: [String: [UInt8]] = [:]
    for _ in 0..<count {
        guard at + 46 <= z.count, u32(at) == 0x0201_4B50 else { fatalError("xlsx: bad central directory entry") }
        let method = u16(at + 10)
        let crc = u32(at + 16)
        let packed = u32(at + 20)
        let size = u32(at + 24)
        let nameLength = u16(at + 28)
        let extra = u16(at + 30)
        let comment = u16(at + 32)
        let local = u32(at + 42)
        let name = String(decoding: z[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
        guard u32(local) == 0x0403_4B50 else { fatalError("xlsx: \(name): bad local header") }
        let start = local + 30 + u16(local + 26) + u16(local + 28)
        let stored = Array(z[start..<(start + packed)])
        let bytes = method == 0 ? stored : inflate(stored, size)
        guard bytes.count == size else { fatalError("xlsx: \(name): \(bytes.count) bytes, the directory says \(size)") }
        let sum = bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        guard Int(sum) == crc else { fatalError("xlsx: \(name): CRC-32 mismatch") }
        out[name] = bytes
        at += 46 + nameLength + extra + comment
    }
    return out
}

func inflate(_ input: [UInt8], _ size: Int) -> [UInt8] {
    var s = z_stream()
    guard crmgate_inflate_init_raw(&s) == Z_OK else { fatalError("inflateInit2 failed") }
    defer { inflateEnd(&s) }
    var out = [UInt8](repeating: 0, count: size + 1)
    let produced: Int = input.withUnsafeBufferPointer { inp in
        out.withUnsafeMutableBufferPointer { o in
            s.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            s.avail_in = uInt(inp.count)
            s.next_out = o.baseAddress
            s.avail_out = uInt(o.count)
            guard CZlib.inflate(&s, Z_FINISH) == Z_STREAM_END else {
                fatalError("xlsx: the deflate stream does not end")
            }
            return o.count - Int(s.avail_out)
        }
    }
    return Array(out.prefix(produced))
}

// MARK: ICS

func checkICS(_ file: [UInt8], _ want: [String]) {
    guard String(validating: file, as: UTF8.self) != nil else { fatalError("ics: not UTF-8") }
    let lines = file.split(separator: 10, omittingEmptySubsequences: false)
    guard lines.last?.isEmpty == true else { fatalError("ics: the last line has no line break") }
    for l in lines.dropLast() {
        guard l.last == 13, l.count - 1 <= 75 else { fatalError("ics: a line of \(l.count - 1) octets or without CR") }
        guard String(validating: l, as: UTF8.self) != nil else { fatalError("ics: a fold splits a character") }
        if l.dropLast().contains(where: { $0 < 32 && $0 != 9 || $0 == 127 }) {
            fatalError("ics: a control character in \(Array(l))")
        }
    }
    // Unfold (CRLF and one space), then one property per line.
    var unfolded: [UInt8] = []
    var i = 0
    while i < file.count {
        if file[i] == 13, i + 2 < file.count, file[i + 1] == 10, file[i + 2] == 32 {
            i += 3
            continue
        }
        unfolded.append(file[i])
        i += 1
    }
    // Lines compared as bytes: as Strings, a value starting with a combining mark joins the ':' before it into one
    // Character, and `hasPrefix("SUMMARY:")` would not see the property.
    var props: [ArraySlice<UInt8>] = []
    var start = 0
    for k in unfolded.indices where unfolded[k] == 10 && k > 0 && unfolded[k - 1] == 13 {
        props.append(unfolded[start..<(k - 1)])
        start = k + 1
    }
    func value(_ prefix: String) -> String {
        let p = Array(prefix.utf8)
        guard let line = props.first(where: { $0.starts(with: p) }) else { return "" }
        return unescapeText(String(decoding: line.dropFirst(p.count), as: UTF8.self))
    }
    let names = [
        "SUMMARY:", "DESCRIPTION:", "X-CRMGATE-ASSIGNEE;VALUE=TEXT:", "X-CRMGATE-RELATED-TO;VALUE=TEXT:", "CATEGORIES:",
    ]
    for (name, w) in zip(names, want) {
        let expected = lineBreaksAsLF(w)
        let got = excelUnescaped(value(name))
        if !same(got, expected) { fail(name, got, expected) }
    }
}

/// CRLF and a lone CR as LF, scalar by scalar (String's search treats CR before a combining mark as another
/// character and left it: found by this target).
func lineBreaksAsLF(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    let u = Array(s.unicodeScalars)
    var i = 0
    while i < u.count {
        if u[i] == "\r" {
            out.append("\n")
            if i + 1 < u.count && u[i + 1] == "\n" { i += 1 }
        } else {
            out.append(u[i])
        }
        i += 1
    }
    return String(out)
}

/// RFC 5545 TEXT: `\\`, `\;`, `\,`, `\n` and `\N`.
func unescapeText(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    var it = s.unicodeScalars.makeIterator()
    while let c = it.next() {
        guard c == "\\" else {
            out.append(c)
            continue
        }
        guard let n = it.next() else { fatalError("ics: a lone backslash at the end of \(s.debugDescription)") }
        switch n {
        case "n", "N": out.append("\n")
        case "\\", ";", ",": out.append(n)
        default: fatalError("ics: unknown escape \\\(n) in \(s.debugDescription)")
        }
    }
    return String(out)
}
