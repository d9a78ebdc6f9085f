import CRMCSV
import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

@testable import CRMExport

/// A store with the bundled opportunities, leads and tasks imported.
struct ExportWorkspace {
    let dir: URL
    /// The store's location: a file, or a PostgreSQL database's URL.
    let store: String

    init(kind: StoreKind = .sqlite) throws {
        dir = try TestSupport.temporaryDirectory("crmgate-export")
        store = kind == .sqlite ? dir.appendingPathComponent("crm.sqlite").path : try kind.makeLocation()
        for (file, mapping) in [
            ("csv/opportunities.csv", "sources/opportunities.yaml"), ("csv/tasks.csv", "sources/tasks.yaml"),
            ("csv/generic-leads.csv", "sources/generic-leads.yaml"),
        ] {
            var o = ImportOptions(source: TestSupport.fixture(file), mapping: TestSupport.mapping(mapping))
            o.store = store
            o.rejectsPath = dir.appendingPathComponent("rejects.csv").path
            let s = try Importer.run(o)
            precondition(s.rejected == 0)
        }
    }

    /// A store holding only `leads`, saved as they are (values no import would let through).
    init(leads: [Lead]) throws {
        dir = try TestSupport.temporaryDirectory("crmgate-export")
        store = dir.appendingPathComponent("crm.sqlite").path
        try CRMStore(path: store).save(leads)
    }

    func export(
        _ type: RecordType, _ format: ExportFormat, _ configure: (inout ExportOptions) -> Void = { _ in }
    ) throws
        -> (summary: ExportSummary, path: String)
    {
        var o = ExportOptions(recordType: type)
        o.format = format
        o.output = dir.appendingPathComponent("out-\(UUID().uuidString).\(format.rawValue)").path
        configure(&o)
        return (try Exporter.run(store: store, o), o.output)
    }

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
}

@Suite("exports from PostgreSQL")
struct PostgresExportTests {
    /// The file's text (an XLSX: its sheets' XML, read with unzip) with every UUID replaced by #1, #2… in order, and
    /// the
    /// stamps each import gave its records (millisecond ISO stamps; ICS DTSTAMP and LAST-MODIFIED lines) left out.
    static func masked(_ path: String, _ format: ExportFormat) throws -> String {
        var text: String
        if format == .xlsx {
            let r = try TestSupport.run("/usr/bin/unzip", ["-p", path, "xl/worksheets/*.xml", "xl/sharedStrings.xml"])
            text = r.stdout
        } else {
            text = try String(contentsOfFile: path, encoding: .utf8)
        }
        // A stamp is written with milliseconds only when there are any, so one import in a thousand writes `…:14Z`:
        // every
        // stamp from the test's own day on is masked, with or without them; the fixtures' older stamps stay compared.
        let since = String(Date(timeIntervalSinceNow: -86_400).iso8601UTC.prefix(19))
        text = text.replacing(try Regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3})?Z")) { m in
            m.output[0].substring.map { $0.prefix(19) >= since ? "STAMP" : String($0) } ?? ""
        }
        text = text.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("DTSTAMP") && !$0.hasPrefix("LAST-MODIFIED") }.joined(separator: "\r\n")
        let uuid = try Regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        var seen: [String: Int] = [:]
        var out = ""
        var rest = text[...]
        while let m = rest.firstMatch(of: uuid) {
            out += rest[..<m.range.lowerBound]
            let id = String(rest[m.range])
            if seen[id] == nil { seen[id] = seen.count + 1 }
            out += "#\(seen[id]!)"
            rest = rest[m.range.upperBound...]
        }
        return out + rest
    }

    @Test(
        "the same imports into SQLite and PostgreSQL export to the same bytes, in every format, with filters and custom columns"
    )
    func sameBytes() throws {
        let lite = try ExportWorkspace(kind: .sqlite)
        let pg = try ExportWorkspace(kind: .postgres)
        let cases: [(RecordType, ExportFormat, (inout ExportOptions) -> Void)] = [
            (.opportunity, .csv, { _ in }),
            (.opportunity, .csv, { $0.query.anyOf = [("stage", ["won", "Proposal"])] }),
            (
                .opportunity, .csv,
                {
                    $0.query.ranges = [.init(field: "expected_close", from: "2025-01-01", to: "2025-06-30")]
                    $0.columns = ["expected_close", "name", "amount"]
                }
            ),
            (.opportunity, .ndjson, { _ in }),
            (
                .opportunity, .xlsx,
                { $0.columns = ["name", "stage", "amount", "currency", "probability", "expected_close", "owner"] }
            ),
            (.lead, .csv, { $0.columns = ["first_name", "email", "status", "tags"] }),
            (.lead, .ndjson, { $0.query.anyOf = [("status", ["attempting to contact", "NEW"])] }),
            (.task, .ics, { _ in }),
            (.task, .csv, { _ in }),
        ]
        for (i, (type, format, configure)) in cases.enumerated() {
            let (a, pathA) = try lite.export(type, format, configure)
            let (b, pathB) = try pg.export(type, format, configure)
            #expect(a.records == b.records, "case \(i)")
            #expect(a.records > 0, "case \(i) exported nothing")
            // Record ids are made by each import, so they differ: each id is replaced by its order of first appearance.
            let (ma, mb) = (try Self.masked(pathA, format), try Self.masked(pathB, format))
            let firstDiff = zip(ma.split(separator: "\n"), mb.split(separator: "\n")).first { $0 != $1 }
            #expect(
                ma == mb,
                "case \(i): \(type) \(format) differs; first differing line: SQLite \(firstDiff.map { String($0.0) } ?? "(none)") PostgreSQL \(firstDiff.map { String($0.1) } ?? "(none)")"
            )
        }
    }
}

@Suite("A corpus of hostile strings through the exporters, read back by independent readers")
struct HostileCorpusTests {
    /// Written here: controls, noncharacters, BOMs, bidi marks, joiners, combining marks, astral characters, quotes,
    /// delimiters, line breaks, formulas, escapes and markup.
    static let corpus: [String] = {
        var c = [
            "\u{1}\u{2}\u{7}\u{8}\u{1B}[31mred\u{1B}[0m", "\u{B}\u{C}\u{1C}\u{1F}", "\u{7F}\u{80}\u{85}\u{9F}",
            "\u{FFFE}\u{FFFF}", String(String.UnicodeScalarView([Unicode.Scalar(0xFDD0)!, Unicode.Scalar(0xFDEF)!])),
            "\u{FEFF}", "\u{FEFF}lead", "\u{200B}\u{200C}\u{200D}\u{2060}",
            "\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}gnp.exe", "\u{2066}\u{2067}\u{2068}\u{2069}",
            "עברית mixed English", "مرحبا", "👩‍👩‍👧‍👦 family", "🇦🇹 flag", "e\u{301}\u{302}\u{303}", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
            "\u{10FFFF}\u{E0001}", "𝕳𝖊𝖑𝖑𝖔",
            "\"quoted\" and \"\"doubled\"\"", "comma, semicolon; tab\there", "line\nbreak", "crlf\r\nbreak", "lone\rcr",
            "\n\n", " leading and trailing ",
            "=1+1", "+SUM(A1)", "-2+3", "@cmd", "=cmd|' /C calc'!A0", "_x0041_ literal", "\\backslash\\N",
            "<script>alert(1)</script>",
            "'; DROP TABLE leads; --", "null", "NULL", "undefined", "true", "0x41", "1e309", "-0", "€ £ ¥ ₹",
            "\u{00A0}nbsp\u{3000}ideographic",
            String(repeating: "long ", count: 4000),
        ]
        c.append(c.joined(separator: "|"))
        return c
    }()

    /// The rows of a CSV export read by Python's csv module, and of an NDJSON export by its json module.
    static func python(_ script: String, _ path: String) throws -> Any? {
        guard let py = TestSupport.python else {
            Issue.record("python3 is needed")
            return nil
        }
        let r = try TestSupport.run(py, ["-c", script, path])
        guard r.status == 0 else {
            Issue.record("python: \(r.stderr)")
            return nil
        }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    func workspace() throws -> (ExportWorkspace, [Lead]) {
        let leads = Self.corpus.map { v -> Lead in
            var l = Lead(id: RecordID.make())
            l.firstName = v
            l.notes = v
            l.custom = ["value": v]
            return l
        }
        return (try ExportWorkspace(leads: leads), leads)
    }

    @Test("CSV (raw) read by Python's csv module: every value as stored")
    func csv() throws {
        let (w, leads) = try workspace()
        let (s, path) = try w.export(.lead, .csv) {
            $0.columns = ["first_name", "notes", "custom.value"]
            $0.raw = true
        }
        #expect(s.records == leads.count)
        let rows = try Self.python(
            "import csv, json, sys; json.dump(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig'))), sys.stdout)",
            path)
        let read = try #require(rows as? [[String]])
        #expect(read.first == ["first_name", "notes", "custom.value"])
        #expect(read.count == leads.count + 1)
        for (i, l) in leads.enumerated() where i + 1 < read.count {
            #expect(
                HostileRoundTripTests.scalars(read[i + 1])
                    == HostileRoundTripTests.scalars([l.firstName, l.notes, l.custom["value"] ?? ""]), "value \(i)")
        }
    }

    @Test("CSV (default): formulas neutralised by a leading quote, everything else as stored")
    func csvGuarded() throws {
        let (w, leads) = try workspace()
        let (_, path) = try w.export(.lead, .csv) { $0.columns = ["notes"] }
        let rows = try Self.python(
            "import csv, json, sys; json.dump(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig'))), sys.stdout)",
            path)
        let read = try #require(rows as? [[String]])
        for (i, l) in leads.enumerated() where i + 1 < read.count {
            // The documented rule: `=`, `@`, tab, CR always; `+`/`-` unless a plain number ("-0" stays as it is).
            let risky = CSVWriter.needsFormulaGuard(Array(l.notes.utf8))
            #expect(
                HostileRoundTripTests.scalars(read[i + 1])
                    == HostileRoundTripTests.scalars([risky ? "'" + l.notes : l.notes]), "value \(i)")
            if ["=1+1", "+SUM(A1)", "-2+3", "@cmd"].contains(l.notes) { #expect(risky, "\(l.notes) must be guarded") }
        }
    }

    @Test("NDJSON read by Python's json module: every value as stored")
    func ndjson() throws {
        let (w, leads) = try workspace()
        let (_, path) = try w.export(.lead, .ndjson) { $0.columns = ["first_name", "notes", "custom.value"] }
        let rows = try Self.python(
            "import json, sys; json.dump([json.loads(l) for l in open(sys.argv[1], encoding='utf-8')], sys.stdout)",
            path)
        let read = try #require(rows as? [[String: Any]])
        #expect(read.count == leads.count)
        for (i, l) in leads.enumerated() where i < read.count {
            let got = ["first_name", "notes", "custom.value"].map { read[i][$0] as? String ?? "(missing)" }
            #expect(
                HostileRoundTripTests.scalars(got)
                    == HostileRoundTripTests.scalars([l.firstName, l.notes, l.custom["value"] ?? ""]), "value \(i)")
        }
    }

    @Test("XLSX read by openpyxl (escapes decoded as Excel does): every value as stored")
    func xlsx() throws {
        let (w, leads) = try workspace()
        let (_, path) = try w.export(.lead, .xlsx) { $0.columns = ["first_name", "notes", "custom.value"] }
        guard let book = try XLSXExportTests.readWorkbook(path) else { return }
        let rows = try #require((book["data"] as? [String: [[Any]]])?["Leads"])
        #expect(rows.count == leads.count + 1)
        for (i, l) in leads.enumerated() where i + 1 < rows.count {
            let read = rows[i + 1].map { ($0 as? String).map(XLSXExportTests.excelUnescaped) ?? "" }
            #expect(
                HostileRoundTripTests.scalars(read)
                    == HostileRoundTripTests.scalars([l.firstName, l.notes, l.custom["value"] ?? ""]), "value \(i)")
        }
    }
}

@Suite("CSV and NDJSON exports")
struct CSVExportTests {
    @Test("CSV: BOM, CRLF, header, ISO dates, '.' decimals, formulas neutralised")
    func csvDefaults() throws {
        let w = try ExportWorkspace()
        let (s, path) = try w.export(.opportunity, .csv)
        #expect(s.records == 30)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("id,name,stage,amount,currency,probability,expected_close,owner,"))
        #expect(text.contains("\r\n"))
        #expect(text.contains(",2025-03-31,"))
        #expect(text.contains("'=HYPERLINK"))
        #expect(!text.contains(",=HYPERLINK"))
        #expect(text.contains(",27400.5,GBP,"))
        // Every row reads back with the same number of fields.
        let reader = try CSVReader(path: path)
        var rows = 0
        while let b = try reader.nextBatch() {
            rows += b.count
            #expect(b.issues.isEmpty)
        }
        #expect(rows == 30)
    }

    @Test("CSV for European Excel: no BOM, semicolons, comma decimals; --raw keeps formulas")
    func csvEuropean() throws {
        let w = try ExportWorkspace()
        let (_, path) = try w.export(.opportunity, .csv) {
            $0.byteOrderMark = false
            $0.delimiter = UInt8(ascii: ";")
            $0.decimalSeparator = ","
            $0.raw = true
            $0.columns = ["name", "amount"]
        }
        let text = try w.text(path)
        #expect(text.hasPrefix("name;amount\r\n"))
        #expect(text.contains(";27400,5\r\n"))
        #expect(text.contains("\r\n=1+2;1000\r\n"))
    }

    @Test("filters: stage, owner, expected close between; columns in the order asked")
    func filters() throws {
        let w = try ExportWorkspace()
        let (won, _) = try w.export(.opportunity, .csv) { $0.query.anyOf = [("stage", ["won"])] }
        #expect(won.records == 4)
        let (q1, path) = try w.export(.opportunity, .csv) {
            $0.query.ranges = [.init(field: "expected_close", from: "2025-01-01", to: "2025-03-31")]
            $0.columns = ["expected_close", "name"]
        }
        let lines = try w.text(path).dropFirst().split(separator: "\r\n").dropFirst()
        #expect(q1.records == lines.count)
        #expect(lines.allSatisfy { $0.hasPrefix("2025-01") || $0.hasPrefix("2025-02") || $0.hasPrefix("2025-03") })
        #expect(throws: ExportError.self) { try w.export(.opportunity, .csv) { $0.columns = ["nmae"] } }
    }

    @Test("NDJSON: one JSON object per line, numbers as numbers, dates as ISO strings")
    func ndjson() throws {
        let w = try ExportWorkspace()
        let (s, path) = try w.export(.opportunity, .ndjson)
        let lines = try w.text(path).split(separator: "\n")
        #expect(lines.count == s.records)
        for l in lines {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])
            #expect(obj["id"] is String)
            if let a = obj["amount"], !(a is NSNull) { #expect(a is NSNumber) }
        }
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["expected_close"] as? String == "2025-03-31")
    }

    @Test("NDJSON: every Unicode scalar value round-trips, in a text field, a list and a custom field")
    func ndjsonUnicode() throws {
        // Each value with its JSON text: only quotes, backslashes, controls and U+2028/U+2029 are escaped.
        let probes: [(value: String, json: String)] = [
            ("\u{FEFF}", "\"\u{FEFF}\""), ("\u{FEFF}x\u{FEFF}", "\"\u{FEFF}x\u{FEFF}\""),
            ("\u{FFFE}", "\"\u{FFFE}\""), ("\u{FFFF}", "\"\u{FFFF}\""), ("\u{0}", "\"\\u0000\""),
            ("\u{301}", "\"\u{301}\""), ("\u{20DD}\u{301}", "\"\u{20DD}\u{301}\""),
            ("\u{2028}", "\"\\u2028\""), ("\u{2029}", "\"\\u2029\""),
            ("e\u{301}\u{0}\u{1F}\u{7F}\u{85}\u{10FFFF}", "\"e\u{301}\\u0000\\u001f\u{7F}\u{85}\u{10FFFF}\""),
        ]
        let leads = probes.map { p -> Lead in
            var l = Lead(id: RecordID.make())
            l.company = p.value
            l.tags = [p.value]
            l.custom = ["probe": p.value]
            return l
        }
        let w = try ExportWorkspace(leads: leads)
        let (s, path) = try w.export(.lead, .ndjson)
        #expect(s.records == probes.count)
        // Compared as bytes: String comparison would join a lone mark to the quote before it.
        let lines = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))).split(separator: 0x0A)
        try #require(lines.count == probes.count)
        for (line, p) in zip(lines, probes) {
            let shown = p.value.unicodeScalars.map { String($0.value, radix: 16) }
            #expect(CSVExportTests.contains(line, "\"company\":" + p.json), "company \(shown)")
            #expect(CSVExportTests.contains(line, "\"tags\":[" + p.json + "]"), "tags \(shown)")
            #expect(CSVExportTests.contains(line, "\"custom\":{\"probe\":" + p.json + "}}"), "custom \(shown)")
        }
    }

    /// True when the UTF-8 bytes of `text` occur in `bytes`.
    static func contains(_ bytes: ArraySlice<UInt8>, _ text: String) -> Bool {
        let t = Array(text.utf8)
        guard !t.isEmpty, t.count <= bytes.count else { return t.isEmpty }
        return (bytes.startIndex...(bytes.endIndex - t.count)).contains { bytes[$0..<($0 + t.count)].elementsEqual(t) }
    }
}

@Suite("ICS export of tasks")
struct ICSExportTests {
    @Test("RFC 5545: VTODO with DUE, VEVENT with start and end, all-day DATE values, escaping, folding at 75 octets")
    func calendar() throws {
        let w = try ExportWorkspace()
        let (s, path) = try w.export(.task, .ics)
        #expect(s.records == 6)
        let text = try w.text(path)
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(
            text.components(separatedBy: "BEGIN:VTODO").count - 1 + text.components(separatedBy: "BEGIN:VEVENT").count
                - 1 == 6)
        #expect(text.contains("DTSTART:20261201T090000Z\r\nDTEND:20261201T093000Z"))
        #expect(text.contains("DUE;VALUE=DATE:20261215"))
        #expect(text.contains("DESCRIPTION:Discuss the 2025 renewal\\; bring pricing\\, options"))
        #expect(text.contains("STATUS:COMPLETED"))
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 75, "line longer than 75 octets: \(line)")
            #expect(!line.unicodeScalars.contains("\u{FFFD}"))
        }
        // Unfolding gives back the long title whole.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(
            unfolded.contains(
                "SUMMARY:Prepare a very long agenda item that goes on and on to test line folding in calendar files for sure"
            ))
        #expect(unfolded.contains("東京 or 😀"))
    }

    @Test("UIDs are stable across exports, so calendars update instead of duplicating")
    func stableUIDs() throws {
        let w = try ExportWorkspace()
        let uids = { (p: String) in try w.text(p).components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") } }
        let a = try uids(w.export(.task, .ics).path)
        let b = try uids(w.export(.task, .ics).path)
        #expect(a.count == 6)
        #expect(a == b)
    }

    @Test("an output folder that does not exist is a clear error")
    func missingFolder() throws {
        let w = try ExportWorkspace()
        #expect {
            _ = try w.export(.opportunity, .xlsx) { $0.output = "/nonexistent-folder/x.xlsx" }
        } throws: { ($0 as? ExportError)?.message.contains("does not exist") == true }
    }

    @Test("ICS is refused for other record types")
    func icsForLeads() throws {
        let w = try ExportWorkspace()
        #expect(throws: ExportError.self) { try w.export(.lead, .ics) }
    }
}

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
        try store.save(extra)
        let names = ["stage", "currency", "amount", "probability"]
        var tally = try #require(PipelineTally(columns: names))
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
        var odd = try #require(PipelineTally(columns: names))
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

    @Test("LibreOffice converts the workbook, where it is installed")
    func libreOffice() throws {
        guard
            let soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            return  // not installed on this machine: the openpyxl checks above stand
        }
        let w = try ExportWorkspace()
        let (_, path) = try w.export(.opportunity, .xlsx)
        let r = try TestSupport.run(soffice, ["--headless", "--convert-to", "csv", "--outdir", w.dir.path, path])
        #expect(r.status == 0)
        let csv = try w.text(URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("csv").path)
        #expect(csv.contains("Acme Corp - Enterprise renewal 2025"))
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
        "the entries are those the previous writer (ZIPFoundation) wrote for the fixtures, byte for byte but for xml:space where no whitespace needs it",
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
        #expect(Set(names) == Set(expectedNames))
        for name in expectedNames {
            let got = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
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
