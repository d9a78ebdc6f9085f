import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

@testable import CRMExport

/// What an export does to the file it writes when it fails, and where else it may write.
@Suite("Export output: a failed export changes nothing")
struct ExportOutputTests {
    @Test(
        "an export that fails (a --where on a field leads lack) leaves the file that was there as it was, in every format, and no partial file",
        arguments: [ExportFormat.csv, .xlsx, .ndjson])
    func failedExportKeepsTheFile(format: ExportFormat) throws {
        let w = try ExportWorkspace()
        let out = w.dir.appendingPathComponent("leads.\(format.rawValue)").path
        try "old contents\n".write(toFile: out, atomically: true, encoding: .utf8)
        let error = #expect(throws: ExportError.self) {
            _ = try w.export(.lead, format) { o in
                o.output = out
                o.query.anyOf.append(("nosuch", ["1"]))
            }
        }
        #expect(error?.code == .unknownColumn, "\(String(describing: error))")
        #expect(error?.message.contains("partial") == false, "the message names no partial file")
        #expect(try w.text(out) == "old contents\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: w.dir.path).filter { $0.contains("partial") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("a successful export replaces the file, and a device is written to directly, not replaced")
    func successReplaces() throws {
        let w = try ExportWorkspace()
        let out = w.dir.appendingPathComponent("leads.csv").path
        try "old contents\n".write(toFile: out, atomically: true, encoding: .utf8)
        let (summary, _) = try w.export(.lead, .csv) { $0.output = out }
        #expect(summary.output == out && summary.records > 0)
        let text = try w.text(out)
        #expect(text != "old contents\n" && text.contains("email"), "\(text.prefix(200))")
        let (null, _) = try w.export(.lead, .csv) { $0.output = "/dev/null" }
        #expect(null.records == summary.records)
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "/dev/null is still a device")
    }

    @Test(
        "a number filter finds its records however the number is written (120000.00 as a list shows it, 120000, +120000.0)",
        arguments: StoreKind.allCases)
    func numberFilter(kind: StoreKind) throws {
        let w = try ExportWorkspace(kind: kind)
        for written in ["120000.00", "120000", "+120000.0", " 120000 "] {
            let (s, _) = try w.export(.opportunity, .csv) { $0.query.anyOf = [("amount", [written])] }
            #expect(s.records == 1, "amount=\(written)")
        }
        let (none, _) = try w.export(.opportunity, .csv) { $0.query.anyOf = [("amount", ["120000.01"])] }
        #expect(none.records == 0)
        let (text, _) = try w.export(.opportunity, .csv) { $0.query.anyOf = [("amount", ["12e4"])] }
        #expect(text.records == 0, "not a plain number: compared as given")
    }

    /// 3,000 leads whose notes cycle through the hostile corpus (about 3 MB of CSV: a dozen of the pipeline's batches).
    func manyLeads() throws -> (ExportWorkspace, [Lead]) {
        let corpus = HostileCorpusTests.corpus
        let leads = (0..<3_000).map { i -> Lead in
            var l = Lead(id: RecordID.make())
            l.firstName = "row \(i)"
            l.notes = corpus[i % corpus.count]
            l.tags = i % 3 == 0 ? ["a", "b,c"] : []
            return l
        }
        return (try ExportWorkspace(leads: leads), leads)
    }

    @Test("a CSV export of many batches (read on one thread, written on another) has every row, in order, as stored")
    func manyBatches() throws {
        let (w, leads) = try manyLeads()
        let (s, path) = try w.export(.lead, .csv) {
            $0.columns = ["first_name", "notes", "tags"]
            $0.raw = true
        }
        #expect(s.records == leads.count)
        let rows = try HostileCorpusTests.python(
            "import csv, json, sys; json.dump(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig'))), sys.stdout)",
            path)
        let read = try #require(rows as? [[String]])
        #expect(read.count == leads.count + 1)
        var wrong = 0
        for (i, l) in leads.enumerated() where i + 1 < read.count {
            let want = [l.firstName, l.notes, l.tags.joined(separator: "; ")]
            if HostileRoundTripTests.scalars(read[i + 1]) != HostileRoundTripTests.scalars(want) {
                if wrong < 3 {
                    Issue.record("row \(i): \(read[i + 1].map { $0.prefix(40) }) for \(want.map { $0.prefix(40) })")
                }
                wrong += 1
            }
        }
        #expect(wrong == 0)
    }

    @Test("a CSV export to a full disk stops with an error that says so, whichever thread meets it first")
    func fullDisk() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let (w, _) = try manyLeads()
        let error = #expect(throws: ExportError.self) {
            _ = try w.export(.lead, .csv) { $0.output = "/dev/full" }
        }
        #expect(error?.code == .cannotWrite, "\(String(describing: error))")
        #expect(error?.message.contains("No space left") == true, "\(String(describing: error))")
    }
}
