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
            let risky = CSVWriter.guards(Array(l.notes.utf8))
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
