import CRMCSV
import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

@testable import CRMExport

@Suite("XLSX export, checked by an independent reader", .serialized)
struct XLSXExportTests {
    /// openpyxl reading a workbook: every sheet as rows of JSON values, plus formats and layout.
    static func readWorkbook(_ path: String) throws -> [String: Any]? {
        let (python, problem) = TestSupport.pythonWith(["openpyxl"])
        guard let python else {
            Issue.record("openpyxl is needed to check XLSX files: \(problem ?? "")")
            return nil
        }
        let script = """
            import json, sys, datetime, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            out = {"sheets": wb.sheetnames, "data": {}, "meta": {}}
            def conv(v):
                if isinstance(v, datetime.datetime): return v.isoformat()
                return v
            for ws in wb.worksheets:
                out["data"][ws.title] = [[conv(c) for c in r] for r in ws.iter_rows(values_only=True)]
                out["meta"][ws.title] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
                    "bold": all(c.font.b for c in ws[1]),
                    "formats": [c.number_format for c in ws[2]] if ws.max_row > 1 else []}
            json.dump(out, sys.stdout)
            """
        let r = try TestSupport.run(python, ["-c", script, path])
        guard r.status == 0 else {
            Issue.record("openpyxl could not read the workbook: \(r.stderr)")
            return nil
        }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    }

    @Test(
        "texts repeated down a column are written once as shared strings, a column of new texts stays inline, and openpyxl reads every cell back"
    )
    func sharedStrings() throws {
        let sources = ["Web", "Trade Show", "Referral"]
        let leads = (0..<5_000).map { i -> Lead in
            var l = Lead(id: RecordID.make())
            l.firstName = "person \(i)"
            l.source = sources[i % 3]
            l.notes = i % 7 == 0 ? "  two  spaces & <tag> \(i % 2)" : "note \(i % 2)"
            return l
        }
        let w = try ExportWorkspace(leads: leads)
        let (s, path) = try w.export(.lead, .xlsx) { $0.columns = ["first_name", "source", "notes"] }
        #expect(s.records == leads.count)
        let (python, problem) = TestSupport.pythonWith(["openpyxl"])
        guard let python else {
            Issue.record("openpyxl is needed to check XLSX files: \(problem ?? "")")
            return
        }
        let script = """
            import json, re, sys, zipfile, openpyxl
            z = zipfile.ZipFile(sys.argv[1])
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            sst = z.read("xl/sharedStrings.xml").decode()
            rows = re.findall(r"<row[^>]*>(.*?)</row>", sheet)[1:]
            shared = [0, 0, 0]
            for r in rows:
                for i, c in enumerate(re.findall(r"<c[^>]*?(?:/>|>.*?</c>)", r)):
                    if 't="s"' in c: shared[i] += 1
            unique = int(re.search(r'uniqueCount="(\\d+)"', sst).group(1))
            wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
            values = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            json.dump({"shared": shared, "unique": unique, "values": values}, sys.stdout)
            """
        let r = try TestSupport.run(python, ["-c", script, path])
        try #require(r.status == 0, "\(r.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let shared = try #require(out["shared"] as? [Int])
        // Names are all new: looked up for the first 2,000 rows only. Sources repeat: every cell shared. The notes
        // that need escaping or `xml:space` stay inline; the other two repeat.
        #expect(shared[0] == SharedStrings.Column.trial, "\(shared)")
        #expect(shared[1] == leads.count, "\(shared)")
        #expect(shared[2] == leads.filter { $0.notes.hasPrefix("note") }.count, "\(shared)")
        #expect((out["unique"] as? Int) == SharedStrings.Column.trial + sources.count + 2)
        let values = try #require(out["values"] as? [[Any]])
        #expect(values.count == leads.count + 1)
        var wrong = 0
        for (i, l) in leads.enumerated() where i + 1 < values.count {
            let got = values[i + 1].map { $0 as? String ?? "" }
            if got != [l.firstName, l.source, l.notes] { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    @Test("the shared strings stop at their bounds: too long, too many, too many bytes")
    func sharedStringBounds() {
        var t = SharedStrings(maxCount: 3, maxBytes: 9, maxLength: 4)
        func index(_ s: String) -> (index: Int, found: Bool)? {
            Array(s.utf8).withUnsafeBufferPointer { t.index(of: $0) }
        }
        #expect(index("abcde") == nil, "longer than maxLength")
        #expect(index("ab")?.index == 0 && index("ab")?.found == true)
        #expect(index("cdef")?.index == 1)
        #expect(index("ghij") == nil, "10 bytes would pass maxBytes (9)")
        #expect(index("gh")?.index == 2)
        #expect(index("x") == nil, "maxCount reached")
        #expect(index("") == nil)
        #expect(t.count == 3 && String(decoding: t.bytes(1), as: UTF8.self) == "cdef")
        // Many strings: the table grows and finds every one again.
        var big = SharedStrings()
        for i in 0..<5_000 { _ = Array("v\(i)".utf8).withUnsafeBufferPointer { big.index(of: $0) } }
        let again = (0..<5_000).filter { i in
            Array("v\(i)".utf8).withUnsafeBufferPointer { big.index(of: $0) }.map { $0.index == i && $0.found } == true
        }
        #expect(again.count == 5_000 && big.count == 5_000)
    }

    @Test("every cell matches the store: typed numbers, dates, text; bold frozen header, autofilter, Pipeline sheet")
    func cells() throws {
        let w = try ExportWorkspace()
        let (s, path) = try w.export(.opportunity, .xlsx)
        #expect(s.records == 30)
        guard let book = try XLSXExportTests.readWorkbook(path) else { return }
        #expect(book["sheets"] as? [String] == ["Opportunities", "Pipeline"])
        let data = try #require(book["data"] as? [String: [[Any]]])
        let rows = try #require(data["Opportunities"])
        #expect(rows.count == 31)
        let header = rows[0].compactMap { $0 as? String }
        #expect(header.first == "id" && header.contains("amount") && header.contains("expected_close"))
        // Compare every cell with the store.
        let store = try CRMStore(path: w.store)
        let opps = try store.all(Opportunity.self)
        #expect(opps.count == 30)
        for (i, o) in opps.enumerated() {
            let row = rows[i + 1]
            for (c, name) in header.enumerated() {
                let cell = row[c]
                let expected: FieldValue =
                    name == "id"
                    ? .text(o.id.description)
                    : name == "updated_at"
                        ? (o.updatedAt.map { .instant($0) } ?? .empty) : o.value(of: name)
                switch expected {
                case .empty: #expect(cell is NSNull, "\(name) row \(i)")
                case .text(let t): #expect(cell as? String == t, "\(name) row \(i)")
                case .number(let d): #expect((cell as? NSNumber)?.decimalValue == d, "\(name) row \(i)")
                case .integer(let n): #expect((cell as? NSNumber)?.intValue == n, "\(name) row \(i)")
                case .day(let d): #expect(cell as? String == d.description + "T00:00:00", "\(name) row \(i)")
                case .instant(let d):
                    let iso = cell as? String ?? ""
                    #expect(
                        iso.hasPrefix(String(d.iso8601UTC.prefix(16))), "\(name) row \(i): \(iso) vs \(d.iso8601UTC)")
                default: break
                }
            }
        }
        let meta = try #require(book["meta"] as? [String: [String: Any]])
        #expect(meta["Opportunities"]?["freeze"] as? String == "A2")
        #expect(meta["Opportunities"]?["filter"] as? String == "A1:N31")
        #expect(meta["Opportunities"]?["bold"] as? Bool == true)
        let formats = meta["Opportunities"]?["formats"] as? [String] ?? []
        #expect(formats[header.firstIndex(of: "amount")!] == "#,##0.00")
        #expect(formats[header.firstIndex(of: "expected_close")!] == "yyyy-mm-dd")
        // Pipeline: stages in pipeline order, counts add up to all opportunities.
        let pipeline = try #require(data["Pipeline"])
        #expect(pipeline[0] as? [String] == ["Stage", "Currency", "Count", "Total amount", "Weighted amount"])
        let stages = pipeline.dropFirst().compactMap { $0[0] as? String }
        let order = OpportunityStage.defaults
        #expect(stages == stages.sorted { (order.firstIndex(of: $0) ?? 99) < (order.firstIndex(of: $1) ?? 99) })
        #expect(pipeline.dropFirst().compactMap { ($0[2] as? NSNumber)?.intValue }.reduce(0, +) == 30)
    }

    @Test(
        "the Pipeline figures summed while the rows are written equal the store's GROUP BY; an amount it cannot sum exactly makes it give way to the query"
    )
    func pipelineTally() throws {
        let w = try ExportWorkspace()
        let store = try CRMStore(path: w.store)
        var extra: [Opportunity] = []
        for (i, (amount, currency, stage)) in [
            ("0.1", "xts", "Won"), ("0.2", "XTS", "Won"), ("-5.5", "usd", ""), (nil, "usd", ""),
        ].enumerated() {
            var o = Opportunity(id: RecordID.make())
            o.name = "extra \(i)"
            o.amount = amount.flatMap { Decimal(string: $0) }
            o.currency = currency
            o.stage = stage
            o.probability = 30
            extra.append(o)
        }
        // Many groups (the tally's table grows) and a stage longer than its key buffer.
        for k in 0..<150 {
            var o = Opportunity(id: RecordID.make())
            o.name = "group \(k)"
            o.amount = Decimal(k)
            o.currency = k % 2 == 0 ? "eur" : "EUR"
            o.stage = k == 149 ? String(repeating: "long stage ", count: 40) : "Stage \(k % 75)"
            o.probability = 50
            extra.append(o)
        }
        try store.save(extra)
        let names = ["stage", "currency", "amount", "probability"]
        let tally = try #require(PipelineTally(columns: names))
        try store.forEachRow(Opportunity.self, columns: names, where: RecordQuery()) { tally.add($0) }
        #expect(tally.isExact)
        func rounded(_ t: [(stage: String, currency: String, count: Int, total: Double, weighted: Double)]) -> [String]
        {
            t.map {
                "\($0.stage)|\($0.currency)|\($0.count)|\(String(format: "%.2f", $0.total))|\(String(format: "%.2f", $0.weighted))"
            }.sorted()
        }
        let want = rounded(try store.pipelineTotals(where: RecordQuery()))
        #expect(rounded(tally.figures) == want)
        #expect(want.contains("Won|XTS|2|0.30|0.09"))  // lower-case currency counted with upper-case, 0.1 + 0.2 exactly
        #expect(want.contains { $0.hasPrefix("|USD|2|-5.50|-1.65") })  // no stage; a missing amount counted, adding nothing
        #expect(Array("12.3456789".utf8).withUnsafeBufferPointer { PipelineTally.micros($0) } == nil)
        #expect(Array("-12.5".utf8).withUnsafeBufferPointer { PipelineTally.micros($0) } == -12_500_000)
        #expect(PipelineTally(columns: ["stage", "amount"]) == nil)
        let odd = try #require(PipelineTally(columns: names))
        var precise = Opportunity(id: RecordID.make())
        precise.amount = Decimal(string: "1.0000001")
        try store.save([precise])
        try store.forEachRow(Opportunity.self, columns: names, where: RecordQuery()) { odd.add($0) }
        #expect(!odd.isExact)
    }

    @Test("the Pipeline sheet follows the configured stage order")
    func stageOrder() throws {
        let w = try ExportWorkspace()
        let order = ["Won", "Lost", "Negotiation", "Proposal", "Needs Analysis", "Qualification", "Prospecting"]
        let (_, path) = try w.export(.opportunity, .xlsx) { $0.stageOrder = order }
        guard let book = try XLSXExportTests.readWorkbook(path) else { return }
        let data = try #require(book["data"] as? [String: [[Any]]])
        var seen: [String] = []
        for row in (data["Pipeline"] ?? []).dropFirst() {
            if let s = row[0] as? String, seen.last != s { seen.append(s) }
        }
        #expect(seen == order)
    }

    @Test("rows over a sheet's limit continue on the next sheet")
    func overflow() throws {
        let w = try ExportWorkspace()
        let (s, path) = try w.export(.lead, .xlsx) { $0.rowsPerSheet = 10 }
        guard let book = try XLSXExportTests.readWorkbook(path) else { return }
        let sheets = book["sheets"] as? [String] ?? []
        #expect(sheets.count == (s.records + 9) / 10)
        #expect(sheets.first == "Leads")
        #expect(sheets.dropFirst().first == "Leads (2)")
        let data = try #require(book["data"] as? [String: [[Any]]])
        #expect(sheets.map { (data[$0]?.count ?? 0) - 1 }.reduce(0, +) == s.records)
    }

    @Test("a hostile text cell is text, never a formula")
    func noFormulas() throws {
        let w = try ExportWorkspace()
        let (_, path) = try w.export(.opportunity, .xlsx)
        let r = try TestSupport.run("/usr/bin/unzip", ["-p", path, "xl/worksheets/sheet1.xml"])
        guard r.status == 0 else {
            Issue.record("unzip is needed: \(r.stderr)")
            return
        }
        #expect(!r.stdout.contains("<f>"))
        #expect(r.stdout.contains("=HYPERLINK"))
        // The sheet says its size up front (patched in after streaming), so readers need not scan it.
        #expect(r.stdout.contains("<dimension ref=\"A1:N31\"/>"))
    }

    @Test("text XML cannot carry is written as Excel's _xHHHH_ escapes (a literal one escaped) and reads back whole")
    func excelEscapes() throws {
        var lead = Lead(id: RecordID.make())
        lead.company = "A\u{FFFE}B\u{FFFF}C\u{1}"
        lead.notes = "nul \u{0} ctl \u{1}\u{8}\u{B}\u{C}\u{1F} tab\tlf\ncrlf\r\nend <&>\" \u{7F}\u{85}\u{10FFFF}"
        lead.tags = ["t\u{0}\u{7}", "_x0041_"]
        lead.custom = ["a_x0041_": "_x0041_ _x00ab_ _X0041_ _x00G1_ __x0041__ _x005F_ _x004"]
        let w = try ExportWorkspace(leads: [lead])
        let columns = ["company", "notes", "tags", "custom.a_x0041_"]
        let (_, path) = try w.export(.lead, .xlsx) { $0.columns = columns }
        let r = try TestSupport.run("/usr/bin/unzip", ["-p", path, "xl/worksheets/sheet1.xml"])
        guard r.status == 0 else {
            Issue.record("unzip is needed: \(r.stderr)")
            return
        }
        #expect(r.stdout.contains(">A_xFFFE_B_xFFFF_C_x0001_<"))
        let notes = ">nul _x0000_ ctl _x0001__x0008__x000B__x000C__x001F_ tab\tlf\ncrlf&#13;\nend &lt;&amp;&gt;&quot; "
        #expect(r.stdout.contains(notes))
        #expect(r.stdout.contains(">t_x0000__x0007_; _x005F_x0041_<"))
        #expect(r.stdout.contains(">_x005F_x0041_ _x005F_x00ab_ _X0041_ _x00G1_ __x005F_x0041__ _x005F_x005F_ _x004<"))
        #expect(r.stdout.contains("<t>custom.a_x005F_x0041_</t>"))
        // openpyxl parses the XML (a raw U+FFFE made it fail) and leaves the escapes as written.
        guard let book = try XLSXExportTests.readWorkbook(path) else { return }
        let rows = try #require((book["data"] as? [String: [[Any]]])?["Leads"])
        try #require(rows.count == 2)
        let read = rows.map { $0.map { ($0 as? String).map(XLSXExportTests.excelUnescaped) } }
        #expect(read[0] == columns.map { Optional($0) })
        #expect(read[1] == [lead.company, lead.notes, lead.tags.joined(separator: "; "), lead.custom["a_x0041_"]])
    }

    /// Cell text as Excel reads it: each `_xHHHH_` is the UTF-16 code unit HHHH, taken left to right.
    static func excelUnescaped(_ s: String) -> String {
        let u = Array(s.utf16)
        func hex(_ c: UInt16) -> UInt16? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x37
            case 0x61...0x66: return c - 0x57
            default: return nil
            }
        }
        var out: [UInt16] = []
        var i = 0
        while i < u.count {
            if u[i] == 0x5F, i + 6 < u.count, u[i + 1] == 0x78, u[i + 6] == 0x5F, let a = hex(u[i + 2]),
                let b = hex(u[i + 3]), let c = hex(u[i + 4]), let d = hex(u[i + 5])
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

    /// LibreOffice's command, where it is installed.
    static let soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(
        "LibreOffice reads the workbook: every text, shared or inline, and every number as the store has it",
        .enabled(if: soffice != nil, "LibreOffice is not installed here (apt-get install libreoffice-calc-nogui)"))
    func libreOffice() throws {
        let w = try ExportWorkspace()
        let (_, path) = try w.export(.opportunity, .xlsx) {
            $0.columns = ["name", "stage", "amount", "currency", "owner", "notes"]
        }
        let (_, csvPath) = try w.export(.opportunity, .csv) {
            $0.columns = ["name", "stage", "amount", "currency", "owner", "notes"]
            $0.raw = true
            $0.byteOrderMark = false
        }
        // Comma-separated, quoted with `"`, UTF-8 (76), the first line as it is (1).
        let r = try TestSupport.run(
            Self.soffice!,
            ["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", w.dir.path, path])
        try #require(r.status == 0, "\(r.stderr)")
        let converted = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("csv").path
        let byLibreOffice = try CSVTestRows.read(converted)
        let byCrmgate = try CSVTestRows.read(csvPath)
        #expect(byLibreOffice.count == byCrmgate.count && byLibreOffice.count > 1)
        for (a, b) in zip(byLibreOffice, byCrmgate) {
            // Amounts: LibreOffice writes them as the money format shows them (120,000.00), the store as stored.
            let shown = a[2].replacingOccurrences(of: ",", with: "")
            let numbersAlike = a.count == b.count && Double(shown) != nil && Double(shown) == Double(b[2])
            #expect(a[0..<2] == b[0..<2] && a[3...] == b[3...] && (a[2] == b[2] || numbersAlike), "\(a) / \(b)")
        }
    }
}

/// Rows of a CSV file, read by crmgate's own reader (for comparing two files' cells).
enum CSVTestRows {
    static func read(_ path: String) throws -> [[String]] {
        let reader = try CSVReader(path: path)
        var rows: [[String]] = []
        while let b = try reader.nextBatch() {
            for r in 0..<b.count { rows.append(b.fields(r)) }
        }
        return rows
    }
}

/// The workbook's ZIP container, written by crmgate's own writer (zlib, two threads) since ZIPFoundation went.
@Suite("XLSX container")
struct XLSXContainerTests {
    /// Every entry of a workbook, read by Python's zipfile (which checks every CRC), as files under `dir`.
    func unzip(_ path: String, into dir: URL) throws -> [String] {
        let py = try #require(TestSupport.python, "python3 is needed to read the archive")
        let script = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            bad = z.testzip()
            if bad: sys.exit("bad CRC in " + bad)
            z.extractall(sys.argv[2])
            print("\\n".join(i.filename for i in z.infolist()))
            """
        let r = try TestSupport.run(py, ["-c", script, path, dir.path])
        try #require(r.status == 0, "zipfile refused the workbook: \(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test(
        "the entries are those the previous writer (ZIPFoundation) wrote for the fixtures, byte for byte but for xml:space where no whitespace needs it and shared strings",
        arguments: [
            (
                "opportunities", RecordType.opportunity,
                ["name", "stage", "amount", "currency", "probability", "expected_close", "owner", "tags", "notes"]
            ),
            (
                "leads", RecordType.lead,
                [
                    "first_name", "last_name", "company", "email", "phone", "address.city", "tags", "notes",
                    "close_date", "amount",
                ]
            ),
        ])
    func sameEntries(fixture: String, type: RecordType, columns: [String]) throws {
        let w = try ExportWorkspace()
        let (_, path) = try w.export(type, .xlsx) { $0.columns = columns }
        let out = w.dir.appendingPathComponent("unzipped")
        let names = try unzip(path, into: out)
        let expected = TestSupport.repoRoot.appendingPathComponent("fixtures/xlsx/\(fixture)")
        let expectedNames = try FileManager.default.subpathsOfDirectory(atPath: expected.path).filter {
            $0.hasSuffix(".xml") || $0.hasSuffix(".rels")
        }
        // The second change: texts repeated down a column are shared strings, in an entry of their own that the
        // workbook's relationships and content types name. Resolved into the inline strings the old writer wrote.
        #expect(Set(names) == Set(expectedNames + ["xl/sharedStrings.xml"]))
        let sst = try String(contentsOf: out.appendingPathComponent("xl/sharedStrings.xml"), encoding: .utf8)
        let strings = try NSRegularExpression(pattern: "<si><t>([^<]*)</t></si>").matches(
            in: sst, range: NSRange(sst.startIndex..., in: sst)
        ).map { String(sst[Range($0.range(at: 1), in: sst)!]) }
        #expect(sst.contains("uniqueCount=\"\(strings.count)\""), "\(sst.prefix(300))")
        func resolved(_ text: String) -> String {
            var text = text
            for (pattern, replace) in [
                ("<Override PartName=\"/xl/sharedStrings.xml\"[^>]*/>", ""),
                ("<Relationship Id=\"rIdStrings\"[^>]*/>", ""),
            ] {
                text = text.replacingOccurrences(of: pattern, with: replace, options: .regularExpression)
            }
            let ref = try! NSRegularExpression(pattern: "<c( r=\"[A-Z]+[0-9]+\")? t=\"s\"><v>([0-9]+)</v></c>")
            var result = ""
            var last = text.startIndex
            for m in ref.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let whole = Range(m.range, in: text)!
                result += text[last..<whole.lowerBound]
                let at = Range(m.range(at: 1), in: text).map { String(text[$0]) } ?? ""
                let k = Int(text[Range(m.range(at: 2), in: text)!])!
                result += "<c\(at) t=\"inlineStr\"><is><t>\(k < strings.count ? strings[k] : "?")</t></is></c>"
                last = whole.upperBound
            }
            return result + text[last...]
        }
        for name in expectedNames {
            let got = resolved(try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8))
            var want = try String(contentsOf: expected.appendingPathComponent(name), encoding: .utf8)
            // The one change since: `xml:space="preserve"` only on texts that need it (whitespace at an end, a tab or
            // line break, two spaces in a row).
            let plain = try NSRegularExpression(
                pattern:
                    "<t xml:space=\"preserve\">((?:(?![ \\t\\r\\n])[^<])(?:(?![\\t\\r\\n]|  )[^<])*(?<![ \\t\\r\\n]))</t>"
            )
            want = plain.stringByReplacingMatches(
                in: want, range: NSRange(want.startIndex..., in: want), withTemplate: "<t>$1</t>")
            #expect(got == want, "\(name) differs")
        }
    }

    @Test("an entry of many chunks (compressed on two threads) is one valid deflate stream with the right CRC")
    func manyChunks() throws {
        let dir = try TestSupport.temporaryDirectory("crmgate-zip")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 2.5 chunks of 64 KiB of varied bytes, an empty entry, and an entry ending exactly on a chunk boundary.
        var state: UInt64 = 42
        let big = (0..<(160 << 10)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 59) + 97
        }
        let exact = Array(big.prefix(128 << 10))
        let zip = dir.appendingPathComponent("t.zip").path
        let w = try ZipWriter(path: zip, level: 1, chunkSize: 64 << 10)
        try w.add("big.txt", bytes: big)
        try w.add("empty.txt", bytes: [])
        try w.add("exact.txt", bytes: exact)
        try w.finish()
        let out = dir.appendingPathComponent("x")
        #expect(try unzip(zip, into: out) == ["big.txt", "empty.txt", "exact.txt"])
        #expect(Array(try Data(contentsOf: out.appendingPathComponent("big.txt"))) == big)
        #expect(try Data(contentsOf: out.appendingPathComponent("empty.txt")).isEmpty)
        #expect(Array(try Data(contentsOf: out.appendingPathComponent("exact.txt"))) == exact)
    }
}
