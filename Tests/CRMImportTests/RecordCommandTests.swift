import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// Issue 17: `list`, `show` and `set` for leads, opportunities and customers, and an import history that tells what
/// happened (failures before the first row, Ctrl-C, the record each row made).
@Suite("Record commands and import history")
struct RecordCommandTests {
    func crmgate(_ args: [String], _ w: Workspace) throws -> (status: Int32, stdout: String, stderr: String) {
        let bin = try #require(TestSupport.crmgateBinary, "build crmgate first (swift build --build-tests)")
        return try TestSupport.run(bin, args + ["--store", w.store], cwd: TestSupport.repoRoot)
    }

    func seeded(_ kind: StoreKind) throws -> Workspace {
        let w = try Workspace(kind: kind)
        _ = try w.importFile("csv/opportunities.csv", mapping: "sources/opportunities.yaml")
        _ = try w.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")
        let store = try w.open()
        let lead = try #require(try store.all(Lead.self).first { !$0.email.isEmpty })
        let (c, l2) = try Conversion.leadToCustomer(lead, customerID: RecordID.make(), at: Date())
        try store.saveConversion(customers: [c], leads: [l2], opportunities: [])
        return w
    }

    @Test(
        "list prints short ids that show and set take back; set checks values, saves, and --dry-run saves nothing",
        arguments: StoreKind.allCases)
    func listShowSet(kind: StoreKind) throws {
        let w = try seeded(kind)
        for type in ["leads", "opportunities", "customers"] {
            let list = try crmgate([type, "list", "--width", "120"], w)
            #expect(list.status == 0, "\(type): \(list.stderr)")
            let first = try #require(list.stdout.split(separator: "\n").first, "\(type) list is empty")
            let id = String(first.prefix { $0 != " " })
            #expect(id.count == 12)
            let show = try crmgate([type, "show", id], w)
            #expect(show.status == 0 && show.stdout.hasPrefix("id "), "\(type): \(show.stderr)")
            let json = try crmgate([type, "show", id, "--json"], w)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect((object["id"] as? String)?.hasSuffix(id) == true)
            // The start of the short id, as a user types it after reading the list.
            let typed = try crmgate([type, "show", String(id.prefix(9)).uppercased()], w)
            #expect(typed.status == 0 && typed.stdout == show.stdout, "\(type): \(typed.stderr)")

            let dry = try crmgate([type, "set", id, "notes=checked by phone", "custom.region=EMEA", "--dry-run"], w)
            #expect(
                dry.status == 0 && dry.stdout.contains("custom.region: (empty) -> \"EMEA\"")
                    && dry.stdout.contains("dry run"))
            #expect(try crmgate([type, "show", id], w).stdout.contains("EMEA") == false)
            let set = try crmgate([type, "set", id, "notes=checked by phone", "custom.region=EMEA"], w)
            #expect(set.status == 0 && set.stdout.contains("saved"), "\(type): \(set.stderr)")
            let after = try crmgate([type, "show", id], w).stdout
            #expect(after.contains("checked by phone") && after.contains("custom.region") && after.contains("EMEA"))
            let again = try crmgate([type, "set", id, "custom.region=EMEA"], w)
            #expect(again.stdout.contains("nothing to change"))
            // A custom field filters a list like any field: case-insensitive, either of two values.
            let region = try crmgate(
                [type, "list", "--json", "--where", "custom.region=emea", "--where", "custom.region=APAC"], w)
            let regional = try JSONSerialization.jsonObject(with: Data(region.stdout.utf8)) as? [[String: Any]]
            #expect(regional?.count == 1 && (regional?.first?["id"] as? String)?.hasSuffix(id) == true, "\(type)")
            let none = try crmgate([type, "list", "--json", "--where", "custom.region=APAC"], w)
            #expect(none.status == 0 && none.stdout == "[]\n", "\(type): \(none.stderr)")

            let unknown = try crmgate([type, "set", id, "colour=red"], w)
            #expect(
                unknown.status == 64 && unknown.stderr.contains("no field 'colour'")
                    && unknown.stderr.contains("hint: fields are:"))
            #expect(!unknown.stderr.contains("USAGE"))
        }
        // Values are checked as an import checks them.
        let opp = try #require(try crmgate(["opportunities", "list"], w).stdout.split(separator: "\n").first).prefix(12)
        let badAmount = try crmgate(["opportunities", "set", String(opp), "amount=1,5"], w)
        #expect(badAmount.status == 65 && badAmount.stderr.contains("not a number"))
        #expect(
            try crmgate(["opportunities", "set", String(opp), "amount=1.2.3"], w).status == 65,
            "the whole text must be a number")
        let badDay = try crmgate(["opportunities", "set", String(opp), "expected_close=31/12/2026"], w)
        #expect(badDay.status == 65 && badDay.stderr.contains("YYYY-MM-DD"))
        let good = try crmgate(
            ["opportunities", "set", String(opp), "amount=1250.50", "expected_close=2026-12-31", "tags=vip; renewal"], w
        )
        #expect(good.status == 0, "\(good.stderr)")
        let o = try w.open().record(Opportunity.self, id: String(opp))
        #expect(
            o.amount == Decimal(string: "1250.50") && o.expectedClose?.description == "2026-12-31"
                && o.tags == ["vip", "renewal"])
        let lead = try #require(try crmgate(["leads", "list"], w).stdout.split(separator: "\n").first).prefix(12)
        let badEmail = try crmgate(["leads", "set", String(lead), "email=not-an-address"], w)
        #expect(badEmail.status == 65 && badEmail.stderr.contains("e-mail"))
        let byHand = try crmgate(["leads", "set", String(lead), "status=converted"], w)
        #expect(byHand.status == 64 && byHand.stderr.contains("leads convert"))
        let converted = try crmgate(["leads", "set", String(lead), "converted_customer_id=x"], w)
        #expect(converted.status == 64 && converted.stderr.contains("conversion"))
        // An edit is a change like any other: the record's change counter moves, so the next sync pushes it.
        let full = try w.open().record(Lead.self, id: String(lead)).id.description
        let before = try #require(try w.open().recordForSync(Lead.self, id: full)).changeSeq
        #expect(try crmgate(["leads", "set", String(lead), "owner=Grace Kim"], w).status == 0)
        let after = try #require(try w.open().recordForSync(Lead.self, id: full))
        #expect(after.changeSeq > before && after.record.owner == "Grace Kim")
    }

    @Test(
        "an edit is saved only against the record it was made on: a write in between makes it refuse, saving nothing",
        arguments: StoreKind.allCases)
    func editAgainstItsRead(kind: StoreKind) throws {
        let w = try seeded(kind)
        let store = try w.open()
        let read = try #require(try store.all(Lead.self).first)
        let seq = try #require(try store.recordForSync(Lead.self, id: read.id.description)).changeSeq
        var sync = read
        sync.company = "Written by a sync"
        try store.save([sync])
        var edit = read
        edit.owner = "Grace Kim"
        #expect(try store.saveEdit(edit, ifUnchangedSince: seq) == false)
        let now = try store.record(Lead.self, id: read.id.description)
        #expect(now.company == "Written by a sync" && now.owner == read.owner)
        let fresh = try #require(try store.recordForSync(Lead.self, id: read.id.description)).changeSeq
        var again = now
        again.owner = "Grace Kim"
        #expect(try store.saveEdit(again, ifUnchangedSince: fresh) == true)
        let after = try store.record(Lead.self, id: read.id.description)
        #expect(after.owner == "Grace Kim" && after.company == "Written by a sync")
    }

    @Test(
        "mapping suggest guesses the record type from the header and maps an opportunity's name; the draft imports every row"
    )
    func suggestOpportunities() throws {
        let w = try Workspace()
        let bin = try #require(TestSupport.crmgateBinary)
        let draft = try TestSupport.run(bin, ["mapping", "suggest", TestSupport.fixture("csv/opportunities.csv")])
        #expect(draft.status == 0, "\(draft.stderr)")
        #expect(draft.stdout.contains("record: opportunity"))
        #expect(draft.stdout.contains("name: { column: Opportunity }"), "\(draft.stdout)")
        #expect(!draft.stdout.contains("not mapped: Opportunity"))
        let file = w.dir.appendingPathComponent("draft.yaml")
        try draft.stdout.write(to: file, atomically: true, encoding: .utf8)
        var o = ImportOptions(source: TestSupport.fixture("csv/opportunities.csv"), mapping: file.path)
        o.store = w.store
        o.rejectsPath = w.rejects
        let s = try Importer.run(o)
        #expect(s.created == 30 && s.rejected == 0, "\(s.rejectReasons)")
        // Leads are still leads.
        let leads = try TestSupport.run(bin, ["mapping", "suggest", TestSupport.fixture("csv/generic-leads.csv")])
        #expect(leads.stdout.contains("record: lead"))
    }

    @Test(
        "newcomer mistakes get an error that says what to do: a workbook given as CSV, the wrong --delimiter; XML has no delimiter"
    )
    func mistakes() throws {
        let w = try Workspace()
        let book = w.dir.appendingPathComponent("leads.xlsx")
        try Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0] + [UInt8](repeating: 0, count: 40)).write(to: book)
        let xlsx = try crmgate(["import", book.path, "--mapping", "mappings/sources/generic-leads.yaml"], w)
        #expect(
            xlsx.status == 65 && xlsx.stderr.contains("spreadsheet workbook")
                && xlsx.stderr.contains("save the sheet as CSV"))
        let semicolons = try crmgate(
            [
                "import", TestSupport.fixture("csv/european-excel.csv"), "--mapping",
                "mappings/sources/european-excel.yaml", "--delimiter", ",",
            ], w)
        #expect(semicolons.status == 65 && semicolons.stderr.contains("try --delimiter ';'"), "\(semicolons.stderr)")
        let missing = try crmgate(
            [
                "import", TestSupport.fixture("csv/european-excel.csv"), "--mapping",
                "mappings/sources/generic-leads.yaml",
            ], w)
        let named = missing.stderr.components(separatedBy: "; its header is")[0]
        #expect(named.components(separatedBy: "'Country'").count == 2, "each missing column once: \(named)")
        let xml = try crmgate(
            [
                "import", TestSupport.fixture("xml/generic-leads.xml"), "--mapping",
                "mappings/sources/generic-leads-xml.yaml",
            ], w)
        #expect(xml.status == 0 && !xml.stdout.contains("delimiter"), "\(xml.stdout)")
    }

    @Test(
        "imports that fail before their first row are listed as failed with the error; a failed import creates no store"
    )
    func failedBeforeFirstRow() throws {
        let w = try seeded(.sqlite)
        let dir = try TestSupport.temporaryDirectory()
        let binary = dir.appendingPathComponent("photo.csv")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]).write(
            to: binary)
        let bin = try crmgate(["import", binary.path, "--mapping", "mappings/sources/generic-leads.yaml"], w)
        #expect(bin.status == 65)
        let wrong = try crmgate(
            [
                "import", TestSupport.fixture("csv/generic-leads.csv"), "--mapping",
                "mappings/sources/hubspot-contacts.yaml",
            ], w)
        #expect(wrong.status == 65)
        let list = try crmgate(["imports", "list", "--json"], w)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let failed = rows.filter { $0["status"] as? String == "failed" }
        #expect(failed.count == 2)
        #expect(failed.allSatisfy { !(($0["error"] as? String) ?? "").isEmpty })
        #expect(failed.contains { ($0["source"] as? String) == binary.path })
        // No store is made for an import that failed.
        let fresh = dir.appendingPathComponent("fresh.sqlite").path
        let r = try TestSupport.run(
            try #require(TestSupport.crmgateBinary),
            ["import", binary.path, "--mapping", "mappings/sources/generic-leads.yaml", "--store", fresh],
            cwd: TestSupport.repoRoot)
        #expect(r.status == 65 && !FileManager.default.fileExists(atPath: fresh))
    }

    @Test(
        "imports show names the record each row made, and the survivor a duplicate row was merged into",
        arguments: StoreKind.allCases)
    func ledgerNamesRecords(kind: StoreKind) throws {
        let w = try Workspace(kind: kind)
        let file = w.dir.appendingPathComponent("dupes.csv")
        try
            "First Name,Last Name,Email,Phone,Company\nAnn,Lee,ann@example.com,,\nBob,Ray,bob@example.com,,\nAnnie,Lee,ANN@example.com,,\n"
            .write(to: file, atomically: true, encoding: .utf8)
        _ = try w.importFile(file.path, mapping: "sources/generic-leads-min.yaml")
        let show = try crmgate(["imports", "show", "1"], w)
        let lines = show.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(show.stdout)\(show.stderr)")
        let ann = try #require(try w.open().all(Lead.self).first { $0.email == "ann@example.com" })
        #expect(lines.first == "row 1 (line 2): created lead \(ann.id.short)")
        #expect(lines.last == "row 3 (line 4): merged into lead \(ann.id.short)")
        let json = try crmgate(["imports", "show", "1", "--json"], w)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(
            rows.last?["record_id"] as? String == ann.id.description && rows.last?["outcome"] as? String == "merged")
    }

    @Test("Ctrl-C during an import: exit 130 with a message, nothing imported, the import listed as failed")
    func interrupted() throws {
        let w = try Workspace()
        let file = w.dir.appendingPathComponent("big.csv")
        var text = "First Name,Last Name,Email,Phone,Company\n"
        for i in 0..<300_000 { text += "A\(i),B,a\(i)@example.com,,\n" }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(TestSupport.crmgateBinary))
        p.arguments = [
            "import", file.path, "--mapping", TestSupport.mapping("sources/generic-leads-min.yaml"), "--store", w.store,
            "--quiet",
        ]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Wait until the import has begun writing (its batch is in the store's history as running), then interrupt.
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning, Date() < deadline {
            if FileManager.default.fileExists(atPath: w.store),
                (try? CRMStore(path: w.store, mode: .readOnly).imports().first?.status) == nil
            {
                Thread.sleep(forTimeInterval: 0.3)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(p.isRunning, "the import ended before it could be interrupted")
        p.interrupt()
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 130)
        #expect(stderr.contains("crmgate: error: interrupted") && stderr.contains("nothing was imported"))
        let store = try CRMStore(path: w.store, mode: .readOnly)
        #expect(try store.count(.lead) == 0)
        #expect(try store.imports().first?.status == "failed")
    }
}
