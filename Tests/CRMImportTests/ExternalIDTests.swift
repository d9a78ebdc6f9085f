import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// The id a record has in the file or system it came from (a mapping's `external_id`) is what a user reconciles
/// with: a trial found it could be imported and matched on but never seen again. Lists, `show`, filters and exports
/// give it back, on both engines.
@Suite("External ids: shown, filtered on, exported")
struct ExternalIDTests {
    func crmgate(_ args: [String], _ w: Workspace) throws -> (status: Int32, stdout: String, stderr: String) {
        let bin = try #require(TestSupport.crmgateBinary, "build crmgate first (swift build --build-tests)")
        return try TestSupport.run(bin, args + ["--store", w.store], cwd: TestSupport.repoRoot)
    }

    func json(_ text: String) throws -> [[String: Any]] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "not an array: \(text)")
    }

    @Test(
        "list --json and show carry external_id; --where external_id= and id= find the record; export --columns writes it",
        arguments: StoreKind.allCases)
    func externalIDs(kind: StoreKind) throws {
        let w = try Workspace(kind: kind)
        _ = try w.importFile("csv/salesforce-leads.csv", mapping: "sources/salesforce-leads.yaml")
        _ = try w.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")  // no external ids

        let all = try json(try crmgate(["leads", "list", "--json"], w).stdout)
        let withIDs = all.filter { $0["external_id"] != nil }
        #expect(withIDs.count >= 2 && withIDs.count < all.count, "some leads have external ids, not all")
        let carter = try #require(withIDs.first { $0["last_name"] as? String == "Carter" })
        #expect(carter["external_id"] as? String == "00Q5e00000AbCdEFG1")
        let full = try #require(carter["id"] as? String)

        // A filter on the external id (case-insensitive like every filter) and one on the full id.
        let byExt = try json(
            try crmgate(["leads", "list", "--json", "--where", "external_id=00q5e00000abcdefg1"], w).stdout)
        #expect(byExt.count == 1 && byExt.first?["id"] as? String == full)
        let byID = try json(try crmgate(["leads", "list", "--json", "--where", "id=\(full.uppercased())"], w).stdout)
        #expect(byID.count == 1 && byID.first?["external_id"] as? String == "00Q5e00000AbCdEFG1")
        #expect(try json(try crmgate(["leads", "list", "--json", "--where", "external_id=nope"], w).stdout).isEmpty)

        // show: a line of its own, and the JSON key.
        let show = try crmgate(["leads", "show", String(full.suffix(12))], w)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(
            show.stdout.split(separator: "\n").contains {
                $0.hasPrefix("external_id") && $0.hasSuffix("00Q5e00000AbCdEFG1")
            })
        let shown = try #require(
            try JSONSerialization.jsonObject(with: Data(try crmgate(["leads", "show", full, "--json"], w).stdout.utf8))
                as? [String: Any])
        #expect(shown["external_id"] as? String == "00Q5e00000AbCdEFG1")
        let plain = try #require(all.first { $0["external_id"] == nil }?["id"] as? String)
        #expect(!(try crmgate(["leads", "show", plain], w).stdout.contains("external_id")))

        // Exports: the raw-row path (CSV) and the record path (NDJSON) give the same external ids.
        let out = w.dir.appendingPathComponent("ext.csv").path
        let csv = try crmgate(
            ["export", "leads", "--columns", "id,external_id,last_name", "--out", out, "--where", "last_name=Carter"], w
        )
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\r\n")
        #expect(lines.first?.hasSuffix("id,external_id,last_name") == true)
        #expect(lines.dropFirst().contains { $0 == "\(full),00Q5e00000AbCdEFG1,Carter" }, "\(lines)")
        let nd = try crmgate(["export", "leads", "--format", "ndjson", "--columns", "id,external_id"], w)
        let objects = nd.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) as? [String: Any]
        }
        #expect(objects.count == all.count)
        #expect(objects.first { $0["id"] as? String == full }?["external_id"] as? String == "00Q5e00000AbCdEFG1")
        #expect(objects.filter { $0["external_id"] is String }.count == withIDs.count)
    }

    @Test("tasks show: every field and the external id to a user who may see the task; not found to one who may not")
    func tasksShow() throws {
        let w = try Workspace(kind: .sqlite)
        _ = try w.importFile("csv/tasks.csv", mapping: "sources/tasks.yaml")
        let list = try crmgate(["tasks", "list", "--json", "--as", "Grace Kim"], w)
        let tasks = try json(list.stdout)
        let call = try #require(tasks.first { $0["title"] as? String == "Call Acme about renewal" })
        let full = try #require(call["id"] as? String)
        let show = try crmgate(["tasks", "show", String(full.suffix(12)), "--as", "Grace Kim"], w)
        #expect(show.status == 0, "\(show.stderr)")
        let lines = show.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("external_id") && $0.hasSuffix("T-1001") })
        #expect(lines.contains { $0.hasPrefix("description") && $0.contains("bring pricing, options") })
        #expect(lines.contains { $0.hasPrefix("assignee") && $0.hasSuffix("Maya Cohen") })
        let object = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try crmgate(["tasks", "show", full, "--json", "--as", "Maya Cohen"], w).stdout.utf8))
                as? [String: Any])
        #expect(object["external_id"] as? String == "T-1001" && object["id"] as? String == full)
        // Noah may only create tasks: one assigned to Maya is not his to see, so it is reported as not there.
        let refused = try crmgate(["tasks", "show", full, "--as", "Noah Fischer"], w)
        #expect(refused.status == 64 && refused.stdout.isEmpty, "\(refused.stdout)")
        // The same words as for an id no task has: nothing tells Noah the task exists.
        let none = try crmgate(["tasks", "show", "0123456789ab", "--as", "Noah Fischer"], w)
        #expect(
            refused.stderr.replacingOccurrences(of: full, with: "ID")
                == none.stderr.replacingOccurrences(of: "0123456789ab", with: "ID"), "\(refused.stderr)")
        #expect(refused.stderr.contains("no task has the id") && refused.stderr.contains("[not-found]"))
        // A start of an id that fits several tasks is resolved among the user's own: Maya sees one of them.
        let ids = tasks.compactMap { $0["id"] as? String }
        let shared = String(full.prefix(8))  // the timestamp's start: every task of the import has it
        #expect(ids.filter { $0.hasPrefix(shared) }.count > 1)
        let mayas = try json(try crmgate(["tasks", "list", "--json", "--as", "Maya Cohen"], w).stdout)
        let mine = try crmgate(["tasks", "show", shared, "--as", "Maya Cohen"], w)
        if mayas.filter({ ($0["id"] as? String)?.hasPrefix(shared) == true }).count == 1 {
            #expect(mine.status == 0 && mine.stdout.contains("Maya Cohen"), "\(mine.stderr)")
        } else {
            #expect(mine.status == 64 && mine.stderr.contains("of your tasks"), "\(mine.stderr)")
        }
        #expect(!mine.stderr.contains("Pablo Ruiz"), "no task of someone else is named")
    }

    /// A trial's tasks B1 and B2, "Call Bob" and "call  bob" due the same day for two people, were merged into one by
    /// the bundled mapping's title-and-due key: B2's assignee and description were lost.
    @Test(
        "tasks the file keeps apart by their ids stay apart; a task without an id still matches by title and due",
        arguments: StoreKind.allCases)
    func tasksWithIDsStayApart(kind: StoreKind) throws {
        let w = try Workspace(kind: kind)
        let file = w.dir.appendingPathComponent("tasks.csv")
        let header =
            "Task ID,Title,Description,Category,Assigned To,Created By,Start,Due,Status,All Day,Important,Needs Approval,Related To\n"
        try
            (header
            + "B1,Call Bob,first,Call,Maya Cohen,Victor Chen,,2026-12-02,Open,no,no,no,\n"
            + "B2,call  bob,second,Call,Pablo Ruiz,Grace Kim,,2026-12-02,Open,no,no,no,lead:Bob\n"
            + ",CALL BOB,,Call,,,,2026-12-02,Open,no,no,no,\n").write(to: file, atomically: true, encoding: .utf8)
        let first = try w.importFile(file.path, mapping: "sources/tasks.yaml")
        #expect(first.created == 2 && first.merged == 1 && first.rejected == 0)
        let tasks = try w.open().all(CRMTask.self).sorted { $0.description < $1.description }
        #expect(tasks.map(\.description) == ["first", "second"])
        #expect(tasks.map(\.assignee) == ["Maya Cohen", "Pablo Ruiz"])
        #expect(tasks.map(\.relatedTo) == ["", "lead:Bob"])
        let again = try w.importFile(file.path, mapping: "sources/tasks.yaml")
        #expect(again.created == 0 && again.rejected == 0)
        #expect(try w.open().all(CRMTask.self).count == 2)
    }
}
