import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

@Suite("The CRM commands: conversions, task permissions, views")
struct CRMCommandTests {
    func crmgate(_ args: [String], _ w: Workspace) throws -> (status: Int32, stdout: String, stderr: String) {
        let bin = try #require(TestSupport.crmgateBinary)
        return try TestSupport.run(bin, args + ["--store", w.store], cwd: TestSupport.repoRoot)
    }

    func seeded(_ kind: StoreKind = .sqlite) throws -> Workspace {
        let w = try Workspace(kind: kind)
        for (f, m) in [
            ("csv/generic-leads.csv", "sources/generic-leads.yaml"), ("csv/tasks.csv", "sources/tasks.yaml"),
            ("csv/opportunities.csv", "sources/opportunities.yaml"),
        ] {
            _ = try w.importFile(f, mapping: m)
        }
        return w
    }

    @Test(
        "leads convert: the customer is stored, the lead remembers it, converting again is refused",
        arguments: StoreKind.allCases)
    func convertLead(kind: StoreKind) throws {
        let w = try seeded(kind)
        let list = try crmgate(["leads", "list", "--json", "--where", "status=Qualified"], w)
        let leads = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let id = try #require(leads.first?["id"] as? String)
        let first = try crmgate(
            ["leads", "convert", id, "--with-opportunity", "First order", "--amount", "1200", "--currency", "EUR"], w)
        #expect(first.status == 0, "\(first.stderr)")
        let store = try w.open()
        let lead = try store.record(Lead.self, id: id)
        #expect(lead.status == "Converted")
        let customer = try store.record(Customer.self, id: lead.convertedCustomerID)
        #expect(customer.email == lead.email && customer.fromLeadID == id)
        #expect(
            try store.all(Opportunity.self).contains { $0.name == "First order" && $0.customerName == customer.name })
        let again = try crmgate(["leads", "convert", id], w)
        #expect(again.status == 3)
        #expect(again.stdout.contains("converted already"))
    }

    /// A trial: `--where last_name=nowak` found Nowak, but `last_name=иванов` and `first_name=łukasz` found nothing.
    @Test("--where ignores case in every script, on both stores", arguments: StoreKind.allCases)
    func whereInAnyScript(kind: StoreKind) throws {
        let w = try seeded(kind)
        let store = try w.open()
        for (first, last) in [("Иван", "Иванов"), ("Łukasz", "Nowak"), ("Ελένη", "Παππά")] {
            var l = Lead(id: RecordID.make())
            l.firstName = first
            l.lastName = last
            try store.saveConversion(customers: [], leads: [l], opportunities: [])
        }
        for (filter, name) in [
            ("last_name=иванов", "Иванов"), ("first_name=łukasz", "Łukasz"), ("last_name=ΠΑΠΠΆ", "Παππά"),
        ] {
            let r = try crmgate(["leads", "list", "--json", "--where", filter], w)
            let leads = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            #expect(
                leads.count == 1
                    && leads.allSatisfy { "\($0["first_name"] ?? "") \($0["last_name"] ?? "")".contains(name) },
                "\(filter): \(r.stdout)\(r.stderr)")
        }
        let ascii = try crmgate(["leads", "list", "--json", "--where", "last_name=NOWAK"], w)
        #expect(ascii.stdout.contains("Łukasz"), "\(ascii.stdout)")
    }

    @Test(
        "bulk reassign as a user without the permission changes nothing and says why, per task",
        arguments: StoreKind.allCases)
    func refusedBulk(kind: StoreKind) throws {
        let w = try seeded(kind)
        let before = try w.open().all(CRMTask.self)
        let r = try crmgate(
            ["tasks", "reassign", "--where", "assignee=Maya Cohen", "--to", "Pablo Ruiz", "--as", "Maya Cohen"], w)
        #expect(r.status == 3)
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("refused") }.count == 2)
        #expect(r.stdout.contains("may not reassign"))
        #expect(try w.open().all(CRMTask.self) == before)
        let ok = try crmgate(
            ["tasks", "reassign", "--where", "assignee=Maya Cohen", "--to", "Pablo Ruiz", "--as", "Victor Chen"], w)
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(try w.open().all(CRMTask.self).filter { $0.assignee == "Pablo Ruiz" }.count == 4)
    }

    @Test("tasks list shows only your tasks unless you can see all", arguments: StoreKind.allCases)
    func visibility(kind: StoreKind) throws {
        let w = try seeded(kind)
        let maya = try crmgate(["tasks", "list", "--json", "--as", "Maya Cohen"], w)
        let grace = try crmgate(["tasks", "list", "--json", "--as", "Grace Kim"], w)
        let m = try #require(try JSONSerialization.jsonObject(with: Data(maya.stdout.utf8)) as? [[String: Any]])
        let g = try #require(try JSONSerialization.jsonObject(with: Data(grace.stdout.utf8)) as? [[String: Any]])
        #expect(m.count == 2)
        #expect(g.count == 6)
    }

    @Test("opportunities kanban --json: columns in pipeline order with counts", arguments: StoreKind.allCases)
    func kanban(kind: StoreKind) throws {
        let w = try seeded(kind)
        let r = try crmgate(["opportunities", "kanban", "--json"], w)
        let cols = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(cols.prefix(7).compactMap { $0["name"] as? String } == OpportunityStage.defaults)
        #expect(cols.compactMap { $0["count"] as? Int }.reduce(0, +) == 30)
    }

    @Test(
        "lists print short ids that are unique and that every command takes back; a part of several ids lists them (64), an unknown id is not-found (64)",
        arguments: StoreKind.allCases)
    func shortIDs(kind: StoreKind) throws {
        let w = try seeded(kind)
        let text = try crmgate(["leads", "list"], w)
        #expect(text.status == 0, "\(text.stderr)")
        let shown = text.stdout.split(separator: "\n").map { line in String(line.prefix(while: { $0 != " " })) }
        let json = try crmgate(["leads", "list", "--json"], w)
        let leads = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let full = leads.compactMap { $0["id"] as? String }
        #expect(
            full.count > 1 && full.count == leads.count && full.allSatisfy { $0.count == 36 }, "--json keeps full ids")
        #expect(shown == full.map { String($0.suffix(12)) })
        #expect(
            Set(shown).count == shown.count,
            "one import's rows used to share their 13-character prefix: \(shown.prefix(3))")

        // The short id of a qualified lead converts it.
        let qualifiedLead = try #require(leads.first(where: { ($0["status"] as? String) == "Qualified" }))
        let qualified = try #require(qualifiedLead["id"] as? String)
        let converted = try crmgate(["leads", "convert", String(qualified.suffix(12))], w)
        #expect(converted.status == 0, "\(converted.stderr)")
        #expect(try w.open().record(Lead.self, id: qualified).status == "Converted")

        // A prefix that several ids share (the timestamp part) is a usage error naming the candidates.
        func sharedPrefix(_ n: Int) -> String? {
            Dictionary(grouping: full, by: { String($0.prefix(n)) }).first(where: { $0.value.count > 1 })?.key
        }
        let prefix = try #require(sharedPrefix(13) ?? sharedPrefix(8))
        let ambiguous = try crmgate(["leads", "convert", prefix], w)
        #expect(ambiguous.status == 64, "\(ambiguous.stderr)")
        #expect(ambiguous.stderr.hasPrefix("crmgate: error: '\(prefix)' matches"), "\(ambiguous.stderr)")
        #expect(!ambiguous.stderr.contains("[not-found]"))
        #expect(
            full.filter { $0.hasPrefix(prefix) }.sorted().prefix(5).allSatisfy {
                ambiguous.stderr.contains($0.suffix(12))
            })

        let unknown = try crmgate(["leads", "convert", "0123456789ab"], w)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no lead has the id 0123456789ab [not-found]"), "\(unknown.stderr)")

        // Tasks: the short id from `tasks list` is what `tasks reschedule` takes.
        let tasks = try crmgate(["tasks", "list", "--as", "Grace Kim"], w)
        let taskIDs = tasks.stdout.split(separator: "\n").map { line in String(line.prefix(while: { $0 != " " })) }
        #expect(taskIDs.count == 6 && Set(taskIDs).count == 6, "\(tasks.stdout)")
        let first = try #require(taskIDs.first)
        let moved = try crmgate(["tasks", "reschedule", first, "--by", "+1d", "--as", "Grace Kim"], w)
        #expect(moved.status != 64, "\(moved.stderr)")
        #expect(moved.stdout.contains(first), "\(moved.stdout)")
    }

    @Test(
        "every list's --json is one JSON array, one element a line; an empty list is []", arguments: StoreKind.allCases)
    func listsPrintArrays(kind: StoreKind) throws {
        let w = try seeded(kind)
        let lists: [(args: [String], filled: Bool)] = [
            (["leads", "list"], true), (["customers", "list"], false), (["opportunities", "list"], true),
            (["tasks", "list", "--as", "Grace Kim"], true), (["imports", "list"], true),
            (["imports", "show", "1"], true),
            (["review", "list"], false), (["conflicts", "list"], false), (["runs", "list"], false),
            (["sync", "errors", "list"], false),
        ]
        for (args, filled) in lists {
            let r = try crmgate(args + ["--json"], w)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            let array = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
            #expect(array != nil, "\(args): \(r.stdout.prefix(200))")
            let count = array?.count ?? -1
            #expect((count > 0) == filled, "\(args): \(count) elements")
            if filled {
                #expect(r.stdout.split(separator: "\n").count == count + 2, "\(args): [, a line per element, ]")
            } else {
                #expect(r.stdout == "[]\n", "\(args)")
            }
        }
    }

    @Test("a mistyped --store: reading and changing commands say there is no store (66) and create none")
    func missingStore() throws {
        let w = try Workspace()  // nothing imported: w.store does not exist
        let out = w.dir.appendingPathComponent("x.csv").path
        for args in [
            ["export", "leads", "--out", out], ["leads", "list"], ["tasks", "list", "--as", "Grace Kim"],
            ["imports", "list"],
            ["leads", "convert", "0123456789ab"], ["conflicts", "list"], ["runs", "list"], ["review", "list"],
            ["sync", "errors", "list"], ["sync", "errors", "show", "0123456789ab"], ["sync", "errors", "retry"],
            ["status"],
        ] {
            let r = try crmgate(args, w)
            #expect(r.status == 66, "\(args): \(r.status) \(r.stdout)")
            #expect(r.stderr.hasPrefix("crmgate: error: no store at \(w.store)\n"), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("crmgate import"), "the hint says how to make one")
            #expect(!FileManager.default.fileExists(atPath: w.store), "\(args) created the store")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(
        "a command that only reads does not migrate a store made by an older crmgate; it says so",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"),
            "needs the sqlite3 shell to age a store"))
    func olderStoreIsNotMigrated() throws {
        let w = try seeded()
        // Undo the newest migration, as if an older crmgate had made the store.
        let age = try TestSupport.run(
            "/usr/bin/sqlite3",
            [w.store, "DROP TABLE review_pairs; DELETE FROM grdb_migrations WHERE identifier = 'v4: review queue';"])
        #expect(age.status == 0, "\(age.stderr)")
        for args in [["leads", "list"], ["export", "leads", "--out", w.dir.appendingPathComponent("x.csv").path]] {
            let r = try crmgate(args, w)
            #expect(r.status == 74, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("made by an older crmgate"), "\(r.stderr)")
        }
        let left = try TestSupport.run(
            "/usr/bin/sqlite3",
            [w.store, "SELECT COUNT(*) FROM grdb_migrations WHERE identifier = 'v4: review queue';"])
        #expect(
            left.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "a reading command migrated the store")
        // A command that writes upgrades it.
        let unconfirmed = try crmgate(["leads", "convert", "--where", "status=Qualified"], w)
        #expect(
            unconfirmed.status == 64 && unconfirmed.stderr.contains("--yes"),
            "a bulk conversion off a terminal needs --yes")
        let dry = try crmgate(["leads", "convert", "--where", "status=Qualified", "--dry-run"], w)
        #expect(dry.status == 0 && dry.stdout.contains("would be converted"))
        let convert = try crmgate(["leads", "convert", "--where", "status=Qualified", "--yes"], w)
        #expect(convert.status == 0 || convert.status == 3, "\(convert.stderr)")  // 3: some lead refused
        #expect(try crmgate(["leads", "list"], w).status == 0)
    }

    @Test(
        "reading commands work on a store file the user may only read",
        .enabled(if: getuid() != 0, "root writes read-only files"))
    func readOnlyStoreFile() throws {
        let w = try seeded()
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: w.store)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: w.store) }
        let list = try crmgate(["leads", "list"], w)
        #expect(list.status == 0, "\(list.stderr)")
        let export = try crmgate(["export", "leads", "--out", w.dir.appendingPathComponent("x.csv").path], w)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("exported "))
    }

    @Test("status: counts per type, the last import, what waits for a person; a dry-run import has no import number")
    func status() throws {
        let w = try seeded()
        let text = try crmgate(["status"], w)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("30 opportunities") && text.stdout.contains("last import  #3 committed"))
        #expect(text.stdout.contains("0 conflict(s)") && text.stdout.contains("review pair(s)"))
        let json = try crmgate(["status", "--json"], w)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(o["opportunities"] as? Int == 30)
        #expect((o["last_import"] as? [String: Any])?["id"] as? Int == 3)
        let bin = try #require(TestSupport.crmgateBinary)
        let dry = try TestSupport.run(
            bin,
            [
                "import", TestSupport.fixture("csv/generic-leads.csv"), "--mapping",
                TestSupport.mapping("sources/generic-leads.yaml"),
                "--store", w.store, "--dry-run", "--json", "--quiet",
            ], cwd: TestSupport.repoRoot)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
        #expect(summary["import_id"] == nil || summary["import_id"] is NSNull, "\(dry.stdout)")
        #expect(try crmgate(["status"], Workspace()).status == 66, "no store there")
    }

    @Test(
        "import --fuzzy in a real pseudo-terminal says which phase the matching is in after the bar reaches 100%",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
            "util-linux script is needed for a pseudo-terminal"))
    func fuzzyPhasesOnATerminal() throws {
        let w = try Workspace()
        let bin = try #require(TestSupport.crmgateBinary)
        let command = [
            bin, "import", TestSupport.fixture("csv/gen-leads-2000.csv"), "--mapping",
            TestSupport.mapping("sources/generic-leads.yaml"),
            "--store", w.store, "--rejects", w.rejects, "--fuzzy",
        ].map { "'\($0)'" }.joined(separator: " ")
        let r = try TestSupport.run("/usr/bin/script", ["-qec", command, "/dev/null"], cwd: TestSupport.repoRoot)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let screen = r.stdout.replacingOccurrences(of: "\r", with: "\n")
        for phase in [
            "reading the store's leads", "blocking", "comparing", "estimating the model", "scoring and clustering",
            "merging",
        ] {
            #expect(screen.contains("fuzzy matching: \(phase)"), "no '\(phase)' phase shown: \(screen.suffix(600))")
        }
        // Off a terminal (as here, to a file) nothing but the summary.
        let plain = try TestSupport.run(
            bin,
            [
                "import", TestSupport.fixture("csv/gen-leads-2000.csv"), "--mapping",
                TestSupport.mapping("sources/generic-leads.yaml"),
                "--store", w.store, "--rejects", w.rejects, "--fuzzy",
            ], cwd: TestSupport.repoRoot)
        #expect(!plain.stderr.contains("fuzzy matching: blocking"))
    }

    @Test(
        "import --fuzzy that merges away a record the import updated counts it as merged, not as -1 created; the ledger agrees",
        arguments: StoreKind.allCases)
    func fuzzyMergeOfAnUpdatedRecord(kind: StoreKind) throws {
        let w = try Workspace(kind: kind)
        let header =
            "First Name,Last Name,Email,Phone,Company,Job Title,Street,City,State,Postcode,Country,Lead Source,Status,Owner,Created At,Notes\n"
        let jon =
            "Jon,Whitfield,jwhitfield@acme-corp.com,+1 415 555 0132,Acme Corp,CFO,12 Harbour Street,San Francisco,"
        let first = w.dir.appendingPathComponent("first.csv")
        try
            (header
            + "Jonathan,Whitfield,jon.whitfield@example.com,+1 415 555 0132,Acme Corp,CFO,12 Harbour Street,San Francisco,CA,94105,United States,Web,New,Grace Kim,2024-01-02T10:00:00Z,\n"
            + jon + "CA,94105,United States,Web,New,Grace Kim,2024-01-03T10:00:00Z,\n"
            + "Maria,Lopez,maria@example.org,+1 212 555 0100,Globex,CEO,5 Park Ave,New York,NY,10001,United States,Web,New,Grace Kim,2024-01-03T10:00:00Z,\n")
            .write(
                to: first, atomically: true, encoding: .utf8)
        let second = w.dir.appendingPathComponent("second.csv")
        try (header + jon + "CA,94105,United States,Web,Qualified,Grace Kim,2024-01-03T10:00:00Z,called back\n").write(
            to: second, atomically: true, encoding: .utf8)
        let mapping = TestSupport.mapping("sources/generic-leads.yaml")
        #expect(try crmgate(["import", first.path, "--mapping", mapping, "--rejects", w.rejects], w).status == 0)
        // The row updates Jon's record (same e-mail); the fuzzy pass then finds Jon is Jonathan, the older record.
        let r = try crmgate(["import", second.path, "--mapping", mapping, "--rejects", w.rejects, "--fuzzy"], w)
        #expect(r.status == 0, "\(r.stderr)")  // text mode crashed on the negative count
        #expect(r.stdout.contains("1 merged into existing records"), "\(r.stdout)")
        let json = try crmgate(["imports", "list", "--json"], w)
        let imports = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let last = try #require(imports.first { $0["id"] as? Int == 2 }?["counts"] as? [String: Any])
        #expect(last["created"] as? Int == 0 && last["updated"] as? Int == 0 && last["merged"] as? Int == 1, "\(last)")
        let summary = r.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(
            summary.contains(["created", "0"]) && summary.contains(["updated", "0"])
                && summary.contains(["merged", "1"]))
        #expect(try w.open().all(Lead.self).count == 2, "Jon merged into Jonathan")
    }

    @Test(
        "a suggested mapping reads the file's dates and numbers (3/14/2024, 1,500,000.00): its check runs the first rows through it, and the import rejects none"
    )
    func suggestedMappingFits() throws {
        let w = try Workspace()
        let bin = try #require(TestSupport.crmgateBinary)
        let draft = w.dir.appendingPathComponent("draft.yaml").path
        let suggest = try TestSupport.run(
            bin, ["mapping", "suggest", TestSupport.fixture("csv/salesforce-leads.csv")], cwd: TestSupport.repoRoot)
        #expect(suggest.status == 0, "\(suggest.stderr)")
        #expect(suggest.stdout.contains("M/d/yyyy") && suggest.stdout.contains("thousands: \",\""), "\(suggest.stdout)")
        try suggest.stdout.write(toFile: draft, atomically: true, encoding: .utf8)
        let check = try TestSupport.run(
            bin, ["mapping", "check", draft, "--file", TestSupport.fixture("csv/salesforce-leads.csv")],
            cwd: TestSupport.repoRoot)
        #expect(check.status == 0 && check.stdout.contains("map without a reject"), "\(check.stdout)\(check.stderr)")
        var o = ImportOptions(source: TestSupport.fixture("csv/salesforce-leads.csv"), mapping: draft)
        o.store = w.store
        o.rejectsPath = w.rejects
        let imported = try Importer.run(o)
        #expect(imported.rejected == 0 && imported.created == 22)
        // A mapping that does not fit: the check names the reason, how many rows and which lines, and exits 65.
        let wrong = w.dir.appendingPathComponent("wrong.yaml").path
        try suggest.stdout.replacingOccurrences(of: "\"M/d/yyyy\"", with: "\"d.M.yyyy\"").write(
            toFile: wrong, atomically: true, encoding: .utf8)
        let bad = try TestSupport.run(
            bin, ["mapping", "check", wrong, "--file", TestSupport.fixture("csv/salesforce-leads.csv")],
            cwd: TestSupport.repoRoot)
        #expect(bad.status == 65)
        #expect(
            bad.stdout.contains("22 of the first 22 rows") && bad.stdout.contains("created_at (column 'Created Date')"),
            "\(bad.stdout)")
    }

    /// A trial's consumer list: `Name` of people was drafted as the company (whole families merged as one company at
    /// one address), another system's numeric `ID` as crmgate's record ids (every row rejected), a header with a line
    /// break made a draft YAML refused, and a column named twice went unmentioned.
    @Test(
        "a suggested mapping splits a person's whole name, takes another system's ids as external ids, quotes any header"
    )
    func suggestedMappingOfAPersonList() throws {
        let w = try Workspace()
        let bin = try #require(TestSupport.crmgateBinary)
        let file = w.dir.appendingPathComponent("people.csv").path
        try """
        ID,Name,"Mobile\nPhone",Email,Email,Company Name
        101,"Okafor, Stephanie",+1 614 668 3757,s@example.com,s2@example.com,Acme Inc
        102,Daniel Jones Jr.,614.668.3758,d@example.com,,Globex
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let suggest = try TestSupport.run(bin, ["mapping", "suggest", file], cwd: TestSupport.repoRoot)
        #expect(suggest.status == 0, "\(suggest.stderr)")
        let draft = suggest.stdout
        #expect(draft.contains("first_name: { column: Name, transform: [first_name] }"), "\(draft)")
        #expect(draft.contains("last_name: { column: Name, transform: [last_name] }"), "\(draft)")
        #expect(draft.contains("company: { column: Company Name"), "\(draft)")
        #expect(draft.contains("external_id: ID") && !draft.contains("\nid: "), "\(draft)")
        #expect(draft.contains("\"Mobile\\nPhone\""), "\(draft)")
        #expect(draft.contains("the column Email appears 2 times (#4, #5)"), "\(draft)")
        #expect(draft.contains("email: { column: \"#4\""), "\(draft)")
        let path = w.dir.appendingPathComponent("draft.yaml").path
        try draft.write(toFile: path, atomically: true, encoding: .utf8)
        var o = ImportOptions(source: file, mapping: path)
        o.store = w.store
        o.rejectsPath = w.rejects
        let imported = try Importer.run(o)
        #expect(imported.rejected == 0 && imported.created == 2)
        let leads = try w.open().all(Lead.self).sorted { $0.firstName < $1.firstName }
        #expect(leads.map(\.firstName) == ["Daniel", "Stephanie"])
        #expect(leads.map(\.lastName) == ["Jones Jr.", "Okafor"])
        #expect(leads.map(\.company) == ["Globex", "Acme Inc"])
    }
}
