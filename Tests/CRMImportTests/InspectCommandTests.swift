import CRMTestSupport
import Foundation
import Testing

@Suite("Inspection commands: imports, mapping check, csv scan, xml scan, export flags")
struct InspectCommandTests {
    func crmgate(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let bin = try #require(TestSupport.crmgateBinary)
        return try TestSupport.run(bin, args, cwd: TestSupport.repoRoot)
    }

    @Test("imports list shows each import with its counts; imports show gives every row's outcome")
    func importsListAndShow() throws {
        let w = try Workspace()
        _ = try w.importFile("csv/bad/invalid-emails.csv", mapping: "sources/generic-leads-min.yaml")
        let list = try crmgate(["imports", "list", "--store", w.store])
        #expect(list.status == 0)
        #expect(list.stdout.contains("#1") && list.stdout.contains("committed") && list.stdout.contains("rejected 6"))
        let show = try crmgate(["imports", "show", "1", "--store", w.store])
        let lines = show.stdout.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines.filter { $0.contains("rejected") }.count == 6)
        #expect(show.stdout.contains("row 2 (line 3): rejected"))
        // The id as the lists print it (a trial typed back `#1` and was refused).
        let typed = try crmgate(["imports", "show", "#1", "--store", w.store])
        #expect(typed.status == 0 && typed.stdout == show.stdout, "\(typed.stderr)")
        #expect(try crmgate(["imports", "show", "#x", "--store", w.store]).status == 64)
    }

    @Test("mapping check: a good mapping against its file passes; an unknown key or a missing column fails with 65")
    func mappingCheck() throws {
        let ok = try crmgate([
            "mapping", "check", TestSupport.mapping("sources/hubspot-contacts.yaml"), "--file",
            TestSupport.fixture("csv/hubspot-contacts.csv"),
        ])
        #expect(ok.status == 0)
        let mismatch = try crmgate([
            "mapping", "check", TestSupport.mapping("sources/hubspot-contacts.yaml"), "--file",
            TestSupport.fixture("csv/european-excel.csv"),
        ])
        #expect(mismatch.status == 65)
        #expect(mismatch.stderr.contains("has no column"))
        let dir = try TestSupport.temporaryDirectory()
        let bad = dir.appendingPathComponent("bad.yaml")
        try "record: lead\nfields:\n  email: { colum: Email }\n".write(to: bad, atomically: true, encoding: .utf8)
        let typo = try crmgate(["mapping", "check", bad.path])
        #expect(typo.status == 65)
        #expect(typo.stderr.contains(":3") && typo.stderr.contains("colum"))
        // A column the file lacks: the mapping file named with the line of the field, and the header's nearest name.
        let spelt = dir.appendingPathComponent("spelt.yaml")
        try "record: lead\nfields:\n  first_name: First Name\n  email: { column: Emial }\n"
            .write(to: spelt, atomically: true, encoding: .utf8)
        let near = try crmgate(["mapping", "check", spelt.path, "--file", TestSupport.fixture("csv/generic-leads.csv")])
        #expect(near.status == 65)
        #expect(
            near.stderr.contains("\(spelt.path):4: the file has no column 'Emial'")
                && near.stderr.contains("did you mean 'Emial' → 'Email'?"), "\(near.stderr)")
        // An XML file, as `--file`'s help says: read as XML, its record paths checked (it was read as CSV, and every
        // field reported missing from a header of `<?xml …?>`).
        let xml = try crmgate([
            "mapping", "check", TestSupport.mapping("sources/generic-leads-xml.yaml"), "--file",
            TestSupport.fixture("xml/generic-leads.xml"),
        ])
        #expect(xml.status == 0, "\(xml.stderr)")
        #expect(xml.stdout.contains("the first 40 rows of") && xml.stdout.contains("map without a reject"))
        let xmlWrong = try crmgate([
            "mapping", "check", TestSupport.mapping("sources/soap-contacts-xml.yaml"), "--file",
            TestSupport.fixture("xml/generic-leads.xml"),
        ])
        // Another document's mapping: its record path finds nothing here. Refused, naming what the document holds (it
        // passed as "the first 0 rows map without a reject", and an import of it read nothing and exited 0).
        #expect(xmlWrong.status == 65)
        #expect(
            xmlWrong.stderr.contains("no element matches the record path")
                && xmlWrong.stderr.contains("the root element is <leads> and its first child <lead>"),
            "\(xmlWrong.stderr)")
        let dir2 = try TestSupport.temporaryDirectory()
        let store = dir2.appendingPathComponent("s.sqlite").path
        let imported = try crmgate([
            "import", TestSupport.fixture("xml/generic-leads.xml"), "--mapping",
            TestSupport.mapping("sources/soap-contacts-xml.yaml"), "--store", store, "--keep-going",
        ])
        #expect(imported.status == 65 && imported.stderr.contains("no element matches the record path"))
        #expect(!FileManager.default.fileExists(atPath: store), "no store is left by an import that read nothing")
    }

    @Test("csv scan reports dialect, encoding and malformed records; a binary file is refused")
    func csvScan() throws {
        let r = try crmgate(["csv", "scan", TestSupport.fixture("csv/european-excel.csv")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("windows-1252") && r.stdout.contains("delimiter ';'"))
        let ragged = try crmgate(["csv", "scan", TestSupport.fixture("csv/bad/ragged-rows.csv")])
        #expect(ragged.stdout.contains("malformed") && ragged.stdout.contains("line 3"))
        // Lines of spaces and delimiters are blank lines, as the import counts them, not malformed rows.
        let blank = try crmgate(["csv", "scan", TestSupport.fixture("csv/bad/empty-lines.csv")])
        #expect(blank.stdout.contains("3 records, 5 columns, 0 malformed, 6 blank lines skipped"), "\(blank.stdout)")
        let binary = try crmgate(["csv", "scan", TestSupport.fixture("csv/bad/binary.csv")])
        #expect(binary.status == 65)
        #expect(
            binary.stderr.contains("binary.csv, line 3") && binary.stderr.contains("the first on line 3"),
            "\(binary.stderr)")
        let quote = try crmgate(["csv", "scan", TestSupport.fixture("csv/bad/unterminated-quote.csv")])
        #expect(quote.stdout.contains("line 4, column 45: quoted field opened here"), "\(quote.stdout)")
    }

    @Test("xml scan counts records and reports a fault with exit 65")
    func xmlScan() throws {
        let m = TestSupport.mapping("sources/generic-leads-xml.yaml")
        let ok = try crmgate(["xml", "scan", TestSupport.fixture("xml/generic-leads.xml"), "--mapping", m])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("40 records"))
        let bad = try crmgate(["xml", "scan", TestSupport.fixture("xml/bad/unclosed-tag.xml"), "--mapping", m])
        #expect(bad.status == 65)
        #expect(bad.stdout.contains("line 5"))
        let json = try crmgate([
            "xml", "scan", TestSupport.fixture("xml/bad/unclosed-tag.xml"), "--mapping", m, "--json",
        ])
        let o = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(json.status == 65 && (o?["fault"] as? String)?.contains("line 5") == true && o?["records"] is Int)
    }

    @Test("mapping check --json: ok, the rows read, and what would be rejected by reason with lines")
    func mappingCheckJSON() throws {
        let good = try crmgate([
            "mapping", "check", TestSupport.mapping("sources/generic-leads.yaml"), "--file",
            TestSupport.fixture("csv/generic-leads.csv"), "--json",
        ])
        let g = try JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [String: Any]
        #expect(good.status == 0 && g?["ok"] as? Bool == true && g?["rows_read"] as? Int == 40)
        let bad = try crmgate([
            "mapping", "check", TestSupport.mapping("sources/generic-leads-min.yaml"), "--file",
            TestSupport.fixture("csv/bad/invalid-emails.csv"), "--json",
        ])
        let b = try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any]
        #expect(
            bad.status == 65 && b?["ok"] as? Bool == false && b?["rejected"] as? Int == 6, "\(bad.stdout)\(bad.stderr)")
        let reasons = b?["reasons"] as? [[String: Any]] ?? []
        #expect(!reasons.isEmpty && reasons.allSatisfy { !($0["lines"] as? [Int] ?? []).isEmpty })
    }

    @Test("export flags: unknown columns and bad dates are usage errors; --close-between filters")
    func exportFlags() throws {
        let w = try Workspace()
        _ = try w.importFile("csv/opportunities.csv", mapping: "sources/opportunities.yaml")
        let unknown = try crmgate(["export", "opportunities", "--columns", "name,nmae", "--store", w.store])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("nmae"))
        let badDate = try crmgate(["export", "opportunities", "--close-between", "2025-13-01..", "--store", w.store])
        #expect(badDate.status == 64)
        let q1 = try crmgate([
            "export", "opportunities", "--columns", "expected_close", "--close-between", "2025-01-01..2025-03-31",
            "--store", w.store,
        ])
        #expect(q1.status == 0)
        let days = q1.stdout.split(separator: "\r\n").dropFirst()
        #expect(!days.isEmpty)
        #expect(days.allSatisfy { $0 >= "2025-01-01" && $0 <= "2025-03-31" })
        // --locale: a language with a decimal comma writes one; a code that is no language is refused.
        let de = try crmgate([
            "export", "opportunities", "--columns", "amount", "--locale", "de-CH", "--store", w.store,
        ])
        #expect(
            de.status == 0 && de.stdout.contains("27400,5") && !de.stdout.contains("27400.5"),
            "\(de.stdout.prefix(200))")
        let xx = try crmgate(["export", "opportunities", "--locale", "xx", "--store", w.store])
        #expect(xx.status == 64 && xx.stderr.contains("not a language code"), "\(xx.stderr)")
    }
}
