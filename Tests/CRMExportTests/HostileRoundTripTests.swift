import CRMCSV
import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

@testable import CRMExport

/// Hostile values from a file written by Python's csv module (not by crmgate), through `import` into the store on
/// both engines, out through every export format, read back by independent readers; and the CSV export imported
/// back by crmgate itself. Tasks go to ICS and are read by the `icalendar` package.
@Suite("hostile values: file, import, store, every export, independent readers")
struct HostileRoundTripTests {
    /// The corpus of `HostileCorpusTests` and a value of exactly the field limit (1 MiB of UTF-8: 2-, 3- and 4-byte
    /// characters and ASCII).
    static let values: [String] = {
        let unit = "ü€😀x"  // 10 bytes
        let big = String(repeating: unit, count: (1 << 20) / 10) + String(repeating: "x", count: (1 << 20) % 10)
        precondition(big.utf8.count == 1 << 20)
        return HostileCorpusTests.corpus + [big]
    }()

    /// What the import stores for a cell, by README's rules: spaces, tabs, CR and LF at either end are removed, and
    /// one leading `'` before `=`, `+`, `-`, `@`, tab or CR (the CSV export's formula guard) is taken off.
    static func imported(_ v: String) -> String {
        let ends: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]
        var s = Substring.UnicodeScalarView(v.unicodeScalars)
        while let f = s.first, ends.contains(f) { s.removeFirst() }
        while let l = s.last, ends.contains(l) { s.removeLast() }
        var out = String(s)
        let triggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
        let u = Array(out.unicodeScalars)
        if u.count > 1, u[0] == "'", triggers.contains(u[1]) { out = String(String.UnicodeScalarView(u.dropFirst())) }
        return out
    }

    /// Texts as Unicode scalars: compared so, a reader that normalised (é as e + U+0301) would fail; String's `==`
    /// treats canonically equivalent texts as equal.
    static func scalars(_ texts: [String]?) -> [[Unicode.Scalar]]? { texts?.map { Array($0.unicodeScalars) } }

    static let mapping = """
        record: lead
        external_id: Key
        match: [external_id]
        fields:
          custom.key: Key
          first_name: Name
          notes: Notes
          custom.extra: Extra
        """

    /// Python's csv module writes `values` (as JSON in `dir/values.json`) to `path` in `encoding`: a key column and the
    /// value in three columns (a standard field, notes, a custom field).
    static func writeWithPython(_ values: [String], to path: String, encoding: String, in dir: URL) throws {
        let json = dir.appendingPathComponent("values.json")
        try JSONSerialization.data(withJSONObject: values).write(to: json)
        let script = """
            import csv, json, sys
            values = json.load(open(sys.argv[1], encoding="utf-8"))
            with open(sys.argv[2], "w", newline="", encoding=sys.argv[3]) as f:
                w = csv.writer(f)
                w.writerow(["Key", "Name", "Notes", "Extra"])
                for i, v in enumerate(values):
                    w.writerow(["k%d" % i, v, v, v])
            """
        let r = try TestSupport.run(
            try #require(TestSupport.python, "python3 is needed"), ["-c", script, json.path, path, encoding])
        #expect(r.status == 0, "python: \(r.stderr)")
    }

    /// Runs a Python script over `path` that prints JSON.
    static func readWithPython(_ python: String, _ script: String, _ path: String) throws -> Any? {
        let r = try TestSupport.run(python, ["-c", script, path])
        guard r.status == 0 else {
            Issue.record("python: \(r.stderr.suffix(2000))")
            return nil
        }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    func export(
        _ store: String, _ format: ExportFormat, in dir: URL, _ configure: (inout ExportOptions) -> Void = { _ in }
    ) throws
        -> String
    {
        var o = ExportOptions(recordType: .lead)
        o.format = format
        o.columns = ["custom.key", "first_name", "notes", "custom.extra"]
        o.output = dir.appendingPathComponent("out-\(UUID().uuidString).\(format.rawValue)").path
        configure(&o)
        let s = try Exporter.run(store: store, o)
        #expect(s.records == Self.values.count)
        return o.output
    }

    /// Rows read back (key, then the three values) checked against what the import stored.
    func check(_ rows: [[String]], _ what: String) {
        #expect(rows.count == Self.values.count, "\(what): rows")
        var byKey: [String: [String]] = [:]
        for r in rows where r.count == 4 { byKey[r[0]] = Array(r.dropFirst()) }
        for (i, v) in Self.values.enumerated() {
            let want = Self.imported(v)
            let got = byKey["k\(i)"]
            #expect(
                Self.scalars(got) == Self.scalars([want, want, want]),
                "\(what): value \(i) (\(v.unicodeScalars.count) scalars)")
        }
    }

    @Test(
        "UTF-8 and UTF-16 files: every export read back by Python's csv and json and by openpyxl",
        arguments: StoreKind.allCases)
    func everyExport(kind: StoreKind) throws {
        let dir = try TestSupport.temporaryDirectory("crmgate-hostile")
        let mapping = dir.appendingPathComponent("m.yaml")
        try Self.mapping.write(to: mapping, atomically: true, encoding: .utf8)
        for encoding in ["utf-8", "utf-16"] {
            let file = dir.appendingPathComponent("hostile-\(encoding).csv").path
            try Self.writeWithPython(Self.values, to: file, encoding: encoding, in: dir)
            let store =
                kind == .sqlite ? dir.appendingPathComponent("crm-\(encoding).sqlite").path : try kind.makeLocation()
            var o = ImportOptions(source: file, mapping: mapping.path)
            o.store = store
            o.rejectsPath = dir.appendingPathComponent("rejects.csv").path
            let s = try Importer.run(o)
            #expect(s.rejected == 0 && s.created == Self.values.count, "\(encoding): \(s)")
            let python = try #require(TestSupport.python)

            let raw = try export(store, .csv, in: dir) { $0.raw = true }
            let csvRows = try Self.readWithPython(
                python,
                "import csv, json, sys; csv.field_size_limit(1 << 30); json.dump(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))[1:], sys.stdout)",
                raw)
            check(csvRows as? [[String]] ?? [], "\(encoding) CSV --raw")

            let nd = try export(store, .ndjson, in: dir)
            let ndRows = try Self.readWithPython(
                python,
                "import json, sys; json.dump([[d[k] or '' for k in ('custom.key', 'first_name', 'notes', 'custom.extra')] for d in map(json.loads, open(sys.argv[1], encoding='utf-8'))], sys.stdout)",
                nd)
            check(ndRows as? [[String]] ?? [], "\(encoding) NDJSON")

            let xlsx = try export(store, .xlsx, in: dir)
            let book = try #require(try XLSXExportTests.readWorkbook(xlsx))
            let rows = try #require((book["data"] as? [String: [[Any]]])?["Leads"], "no Leads sheet")
            check(
                rows.dropFirst().map { $0.map { ($0 as? String).map(XLSXExportTests.excelUnescaped) ?? "" } },
                "\(encoding) XLSX")

            // The default CSV (formula guard on) imported back by crmgate: the guard comes off, every value as stored.
            let guarded = try export(store, .csv, in: dir)
            let back =
                kind == .sqlite ? dir.appendingPathComponent("back-\(encoding).sqlite").path : try kind.makeLocation()
            let backMapping = dir.appendingPathComponent("back.yaml")
            try """
            record: lead
            external_id: custom.key
            match: [external_id]
            fields:
              custom.key: custom.key
              first_name: first_name
              notes: notes
              custom.extra: custom.extra
            """.write(to: backMapping, atomically: true, encoding: .utf8)
            var b = ImportOptions(source: guarded, mapping: backMapping.path)
            b.store = back
            b.rejectsPath = dir.appendingPathComponent("rejects-back.csv").path
            let bs = try Importer.run(b)
            #expect(bs.rejected == 0 && bs.created == Self.values.count, "\(encoding) re-import: \(bs)")
            let again = try export(back, .ndjson, in: dir)
            let againRows = try Self.readWithPython(
                python,
                "import json, sys; json.dump([[d[k] or '' for k in ('custom.key', 'first_name', 'notes', 'custom.extra')] for d in map(json.loads, open(sys.argv[1], encoding='utf-8'))], sys.stdout)",
                again)
            check(againRows as? [[String]] ?? [], "\(encoding) CSV export imported back")
        }
    }

    @Test(
        "a UTF-16 file with unpaired surrogates: those rows are rejected with the reason, nothing is guessed, the rest import"
    )
    func unpairedSurrogates() throws {
        let dir = try TestSupport.temporaryDirectory("crmgate-hostile")
        let mapping = dir.appendingPathComponent("m.yaml")
        try Self.mapping.write(to: mapping, atomically: true, encoding: .utf8)
        func le(_ s: String) -> [UInt8] { s.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        var bytes: [UInt8] = [0xFF, 0xFE] + le("Key,Name,Notes,Extra\r\nk0,ok,ok,ok\r\nk1,lone high ")
        bytes += [0x3D, 0xD8]  // U+D83D without its low half
        bytes += le(",x,x\r\nk2,lone low ") + [0x00, 0xDE] + le(",y,y\r\nk3,pair 😀,z,z\r\nk4,w,w,cut")
        bytes += [0x3D, 0xD8]  // the file ends inside a pair
        let file = dir.appendingPathComponent("surrogates.csv")
        try Data(bytes).write(to: file)
        let store = dir.appendingPathComponent("crm.sqlite").path
        var o = ImportOptions(source: file.path, mapping: mapping.path)
        o.store = store
        let rejects = dir.appendingPathComponent("rejects.csv").path
        o.rejectsPath = rejects
        let s = try Importer.run(o)
        #expect(s.read == 5 && s.created == 2 && s.rejected == 3, "\(s)")
        let leads = try CRMStore(path: store).all(Lead.self)
        #expect(Set(leads.map(\.firstName)) == ["ok", "pair 😀"])
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(text.components(separatedBy: "unpaired UTF-16 surrogate").count == 4, "\(text)")
    }

    @Test("tasks to ICS, read by the icalendar package: every value back, line breaks as LF, controls as _xHHHH_")
    func ics() throws {
        let (python, problem) = TestSupport.pythonWith(["icalendar"])
        let py = try #require(python, "icalendar is needed to read ICS files: \(problem ?? "")")
        let dir = try TestSupport.temporaryDirectory("crmgate-hostile")
        let store = dir.appendingPathComponent("crm.sqlite").path
        let tasks = Self.values.enumerated().map { i, v -> CRMTask in
            var t = CRMTask(id: RecordID.make())
            t.title = v
            t.description = v
            t.assignee = v
            t.category = "c\(i)"
            t.due = Date(timeIntervalSince1970: 1_790_000_000 + Double(i) * 3600)
            return t
        }
        try CRMStore(path: store).save(tasks)
        var o = ExportOptions(recordType: .task)
        o.format = .ics
        o.output = dir.appendingPathComponent("tasks.ics").path
        #expect(try Exporter.run(store: store, o).records == tasks.count)
        let script = """
            import json, sys, icalendar
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            out = []
            for c in cal.walk():
                if c.name in ("VTODO", "VEVENT"):
                    out.append([str(c.get("categories").cats[0]), str(c.get("summary")), str(c.get("description")), str(c.get("x-crmgate-assignee"))])
            json.dump(out, sys.stdout)
            """
        let rows = try #require(try Self.readWithPython(py, script, o.output) as? [[String]])
        #expect(rows.count == tasks.count)
        let byCategory = Dictionary(rows.map { ($0[0], Array($0.dropFirst())) }, uniquingKeysWith: { a, _ in a })
        for (i, v) in Self.values.enumerated() {
            let want = v.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            let got = byCategory["c\(i)"]?.map(XLSXExportTests.excelUnescaped)
            #expect(
                Self.scalars(got) == Self.scalars([want, want, want]), "value \(i) (\(v.unicodeScalars.count) scalars)")
        }
        // Every content line is at most 75 octets, CRLF-terminated.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: o.output)))
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).dropLast()
        #expect(lines.allSatisfy { $0.last == 13 && $0.count - 1 <= 75 })
    }
}

@Suite("ZIP parts deflated while written")
struct DeflatingPartTests {
    @Test(
        "a part of many chunks of uneven sizes, handed over and deflated on worker threads, joins its head into one entry Python's zipfile reads back exactly (CRC checked)"
    )
    func manyChunks() throws {
        let dir = try TestSupport.temporaryDirectory("crmgate-zip")
        let zipPath = dir.appendingPathComponent("t.zip").path
        let zip = try ZipWriter(path: zipPath, level: 1)
        let part = try DeflatingPart(path: dir.appendingPathComponent("p.deflated").path, level: 1, chunkSize: 64 << 10)
        // 1.2 MB in uneven chunks of 1 to 9,000 bytes: text that compresses, and bytes that do not.
        var rng = SystemRandomNumberGenerator()
        var expected: [UInt8] = Array("<head dimension=\"patched\"/>".utf8)
        let head = expected
        var written = 0
        while written < 1_200_000 {
            let n = Int.random(in: 1...9000, using: &rng)
            let piece: [UInt8] =
                written % 3 == 0
                ? (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : Array(String(repeating: "<row r=\"1\"><c>x</c></row>", count: n / 20 + 1).utf8)
            // Handed over whole, as the sheet's buffer is: chunks of every size.
            let owned = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, piece.count))
            owned.initialize(from: piece, count: piece.count)
            try part.take(owned, count: piece.count)
            expected += piece
            written += piece.count
        }
        try zip.add("big.bin", head: head, part: part)
        try zip.add("small.txt", head: Array("only a head".utf8), part: nil)
        try zip.finish()
        let expectedPath = dir.appendingPathComponent("expected.bin")
        try Data(expected).write(to: expectedPath)
        let script =
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip()); print(z.read('big.bin') == open(sys.argv[2], 'rb').read()); print(z.read('small.txt').decode())"
        let r = try TestSupport.run(try #require(TestSupport.python), ["-c", script, zipPath, expectedPath.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.split(separator: "\n").map(String.init) == ["None", "True", "only a head"],
            "testzip, content, small entry: \(r.stdout)")
    }
}
