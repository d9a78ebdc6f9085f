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
}
