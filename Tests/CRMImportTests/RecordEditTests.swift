import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// What a trial of the command line found about edits and conversions: an edit left `updated_at` as the import set
/// it (so `export --updated-since` missed it), a typo in a status opened a board column of its own, a converted
/// lead's status could be set back, a negative `--by` was taken for an option, and a conversion into a store that
/// cannot be written printed "converted" before it failed.
@Suite("Editing records from the command line: stamps, pipeline values, conversions")
struct RecordEditTests {
    func crmgate(
        _ args: [String], _ w: Workspace, store: String? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let bin = try #require(TestSupport.crmgateBinary, "build crmgate first (swift build --build-tests)")
        return try TestSupport.run(bin, args + ["--store", store ?? w.store], cwd: TestSupport.repoRoot)
    }

    func seeded(_ kind: StoreKind) throws -> Workspace {
        let w = try Workspace(kind: kind)
        _ = try w.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")
        _ = try w.importFile("csv/opportunities.csv", mapping: "sources/opportunities.yaml")
        _ = try w.importFile("csv/tasks.csv", mapping: "sources/tasks.yaml")
        return w
    }

    @Test(
        "set stamps updated_at; a status or stage must be the pipeline's or the store's (typed in any case); a converted lead keeps its status",
        arguments: StoreKind.allCases)
    func setChecksAndStamps(kind: StoreKind) throws {
        let w = try seeded(kind)
        let store = try w.open()
        let lead = try #require(try store.all(Lead.self).first { $0.status != "Converted" && !$0.email.isEmpty })
        let id = lead.id.short
        let before = try #require(lead.updatedAt)

        let set = try crmgate(["leads", "set", id, "status=qualified", "owner=Grace Kim"], w)
        #expect(set.status == 0, "\(set.stderr)")
        let after = try w.open().record(Lead.self, id: id)
        #expect(after.status == "Qualified", "stored as the pipeline spells it")
        #expect(try #require(after.updatedAt) > before)
        // The edit is what an incremental export of today finds.
        let today = String(Date().iso8601UTC.prefix(10))
        let export = try crmgate(["export", "leads", "--updated-since", today, "--columns", "id,owner"], w)
        #expect(export.stdout.contains("\(after.id),Grace Kim"), "\(export.stdout)")

        let typo = try crmgate(["leads", "set", id, "status=Qualifed"], w)
        #expect(typo.status == 65 && typo.stderr.contains("'Qualifed' is neither in the pipeline"), "\(typo.stderr)")
        #expect(typo.stderr.contains("Attempting to Contact"), "the hint lists the statuses")
        #expect(try w.open().record(Lead.self, id: id).status == "Qualified")

        let opportunity = try #require(try store.all(Opportunity.self).first { $0.stage != "Negotiation" })
        let stage = try crmgate(["opportunities", "set", opportunity.id.short, "stage=Wonn"], w)
        #expect(stage.status == 65 && stage.stderr.contains("stage: 'Wonn'"), "\(stage.stderr)")
        let won = try crmgate(["opportunities", "set", opportunity.id.short, "stage=negotiation"], w)
        #expect(won.status == 0 && won.stdout.contains("-> \"Negotiation\""), "\(won.stdout)\(won.stderr)")

        // A status the store already holds (an import brought it) is allowed though the pipeline lacks it.
        let other = try #require(try store.all(Lead.self).first { $0.id != lead.id && $0.status != "Converted" })
        let nurturing = try crmgate(["leads", "set", other.id.short, "status=nurturing"], w)
        #expect(nurturing.status == 0, "\(nurturing.stderr)")
        #expect(try w.open().record(Lead.self, id: other.id.short).status == "Nurturing")

        #expect(try crmgate(["leads", "convert", id], w).status == 0)
        let back = try crmgate(["leads", "set", id, "status=New"], w)
        #expect(back.status == 64 && back.stderr.contains("its status stays Converted"), "\(back.stderr)")
    }

    @Test("leads convert prints what it converted only once it is saved; a store it cannot write converts nothing")
    func convertReportsAfterSaving() throws {
        let w = try seeded(.sqlite)
        let lead = try #require(try w.open().all(Lead.self).first { $0.status != "Converted" })
        // A store whose save of the customer fails after it opened (a trigger refuses the insert, as a full disk or a
        // read-only file would fail the write; root, which runs the tests, writes read-only files).
        let python = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("CREATE TRIGGER refuse BEFORE INSERT ON customers BEGIN SELECT RAISE(ABORT, 'refused by a test'); END")
            c.commit()
            """
        let made = try TestSupport.run("/usr/bin/env", ["python3", "-c", python, w.store], cwd: TestSupport.repoRoot)
        try #require(made.status == 0, "\(made.stderr)")
        let r = try crmgate(["leads", "convert", lead.id.short], w)
        #expect(r.status == 74 && r.stderr.contains("refused by a test"), "\(r.stderr)")
        #expect(!r.stdout.contains("converted lead"), "nothing was converted, and nothing says so: \(r.stdout)")
        #expect(try w.open().record(Lead.self, id: lead.id.short).status == lead.status)
        #expect(
            try crmgate(["customers", "list", "--json"], w).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == "[]")
        let none = try crmgate(["leads", "convert", "--where", "status=No Such Status", "--yes"], w)
        #expect(none.status == 0 && none.stdout.contains("no lead matched"), "\(none.stdout)")
        let neither = try crmgate(["leads", "convert"], w)
        #expect(neither.status == 64 && neither.stderr.contains("give a lead id or --where"))
        #expect(!neither.stderr.contains("not both"))
    }

    @Test("tasks reschedule takes a negative shift after --by as its value")
    func negativeShift() throws {
        let w = try seeded(.sqlite)
        let task = try #require(try w.open().all(CRMTask.self).first { $0.title == "Call Acme about renewal" })
        let due = try #require(task.due)
        let moved = try crmgate(["tasks", "reschedule", task.id.short, "--by", "-4h", "--as", "Grace Kim"], w)
        #expect(moved.status == 0, "\(moved.stdout)\(moved.stderr)")
        let after = try #require(try w.open().record(CRMTask.self, id: task.id.short).due)
        #expect(after == due.addingTimeInterval(-4 * 3600))
    }

    /// A trial's tag `Smith, John` (pulled from a CRM) showed as `Smith, John, vip`, which `set` read back as three tags.
    @Test("a list field shows as text that set reads back as the same list, tags holding commas too")
    func listsTypedBack() throws {
        let w = try seeded(.sqlite)
        var lead = try #require(try w.open().all(Lead.self).first { $0.status != "Converted" })
        let id = lead.id.short
        for tags in [["Smith, John", "vip"], ["Smith, John"], ["a", "b"]] {
            lead.tags = tags
            try w.open().save([lead])
            let shown = try crmgate(["leads", "show", id, "--json"], w)
            let json = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
            let text = try #require(json?["tags"] as? String)
            let set = try crmgate(["leads", "set", id, "tags=\(text)"], w)
            #expect(set.status == 0, "\(set.stderr)")
            #expect(try w.open().record(Lead.self, id: id).tags == tags, "\(tags) shown as \(text)")
            lead = try w.open().record(Lead.self, id: id)
        }
    }

    @Test("set refuses a percentage outside 0 to 100 and a fraction, as an import does", arguments: StoreKind.allCases)
    func setPercentages(kind: StoreKind) throws {
        let w = try seeded(kind)
        let deal = try #require(try w.open().all(Opportunity.self).first)
        for bad in ["probability=150", "probability=-5", "probability=25.5"] {
            let r = try crmgate(["opportunities", "set", deal.id.short, bad], w)
            #expect(r.status != 0, "\(bad): \(r.stdout)")
        }
        #expect(try w.open().record(Opportunity.self, id: deal.id.short).probability == deal.probability)
        let ok = try crmgate(["opportunities", "set", deal.id.short, "probability=100"], w)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try w.open().record(Opportunity.self, id: deal.id.short).probability == 100)
        // Written as an import takes it (a trial's `probability=40%` was refused by `set` alone).
        for (text, value) in [("40%", 40), ("35.0", 35), (" 30 % ", 30)] {
            let r = try crmgate(["opportunities", "set", deal.id.short, "probability=\(text)"], w)
            #expect(r.status == 0, "\(text): \(r.stderr)")
            #expect(try w.open().record(Opportunity.self, id: deal.id.short).probability == value)
        }
        let lead = try #require(try w.open().all(Lead.self).first { $0.status != "Converted" })
        let chance = try crmgate(["leads", "set", lead.id.short, "close_chance=500"], w)
        #expect(chance.status != 0 && chance.stderr.contains("between 0 and 100"), "\(chance.stderr)")
    }

    @Test("set stores a phone number with its country code as an import does (E.164); a national one as typed")
    func setPhones() throws {
        let w = try seeded(.sqlite)
        let lead = try #require(try w.open().all(Lead.self).first)
        let r = try crmgate(["leads", "set", lead.id.short, "phone=+81 3-4360-887", "mobile=0412 345 678"], w)
        #expect(r.status == 0, "\(r.stderr)")
        let after = try w.open().record(Lead.self, id: lead.id.short)
        #expect(after.phone == "+8134360887")
        #expect(after.mobile == "0412 345 678")
    }

    @Test(
        "delete marks records deleted (lists and counts leave them out); --dry-run and an unknown id delete nothing",
        arguments: StoreKind.allCases)
    func deleteRecords(kind: StoreKind) throws {
        let w = try seeded(kind)
        let leads = try w.open().all(Lead.self)
        let (a, b) = (leads[0].id.short, leads[1].id.short)
        let dry = try crmgate(["leads", "delete", a, "--dry-run"], w)
        #expect(dry.status == 0 && dry.stdout.contains("would delete lead \(a)"), "\(dry.stdout) \(dry.stderr)")
        #expect(try w.open().all(Lead.self).count == leads.count)
        let unknown = try crmgate(["leads", "delete", a, "0123456789ab"], w)
        #expect(unknown.status != 0)
        #expect(try w.open().all(Lead.self).count == leads.count, "one unknown id deletes none")
        let done = try crmgate(["leads", "delete", a, b], w)
        #expect(done.status == 0 && done.stdout.contains("deleted lead \(b)"), "\(done.stderr)")
        #expect(try w.open().all(Lead.self).count == leads.count - 2)
        #expect(try crmgate(["leads", "show", a], w).status != 0)
        let list = try crmgate(["leads", "list"], w)
        #expect(!list.stdout.contains(a) && !list.stdout.contains(b))
    }
}
