import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

/// A store and a real amagi-crm server, with the bundled profile pointed at it.
final class RealCRMBench: @unchecked Sendable {
    let crm: RealCRM
    let dir: URL
    let store: CRMStore
    let profile: RemoteProfile
    var storePath: String { dir.appendingPathComponent("store.sqlite").path }
    static let profilePath = TestSupport.mapping("remotes/amagi-crm.yaml")
    /// The name `sync apply --profile …` gives its job, so that the library and the command share cursors.
    static let jobName = "amagi-crm-flags"

    init() throws {
        crm = try RealCRM()
        dir = try TestSupport.temporaryDirectory("crmgate-real")
        store = try CRMStore(path: dir.appendingPathComponent("store.sqlite").path)
        profile = try RemoteProfile.load(Self.profilePath)
    }

    deinit {
        crm.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func job(
        _ types: [RecordType] = [.lead], policy: ConflictPolicy = .newestWins, direction: SyncJob.Direction = .both
    ) -> SyncJob {
        SyncJob(
            name: Self.jobName, profile: Self.profilePath, types: types, direction: direction, policy: policy,
            batchSize: 100, concurrency: 4)
    }

    func run(_ job: SyncJob) async throws -> SyncReport {
        let client = try RemoteClient(profile: profile, baseURL: crm.apiURL, environment: crm.environment)
        return try await SyncEngine(store: store, job: job, client: client, dryRun: false).run()
    }

    /// `crmgate ARGS` with the server's token in the environment; nil when the binary is not built.
    func command(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let bin = try #require(TestSupport.crmgateBinary, "crmgate is not built")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = args
        p.currentDirectoryURL = TestSupport.repoRoot
        p.environment = ProcessInfo.processInfo.environment.merging(crm.environment) { $1 }
        let out = dir.appendingPathComponent("cmd.out")
        let err = dir.appendingPathComponent("cmd.err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        return (
            p.terminationStatus, try String(contentsOf: out, encoding: .utf8),
            try String(contentsOf: err, encoding: .utf8)
        )
    }

    var syncArgs: [String] {
        [
            "sync", "apply", "--profile", Self.profilePath, "--base-url", crm.apiURL, "--store", storePath, "--types",
            "leads",
        ]
    }

    /// The server's contacts by e-mail, failing on a duplicate e-mail.
    func contactsByEmail() throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for c in try crm.contacts() {
            let email = c["email"] as? String ?? "(none)"
            #expect(out[email] == nil, "the server holds \(email) twice")
            out[email] = c
        }
        return out
    }

    func localLead(email: String) throws -> ChangedRecord<Lead>? {
        for l in try store.all(Lead.self) where l.email == email {
            return try store.recordForSync(Lead.self, id: l.id.description)
        }
        // Deleted records are not in `all`: look through the change feed.
        return try store.changed(Lead.self, afterSeq: 0, limit: 1_000_000).first { $0.record.email == email }
    }
}

private func jsonText(_ object: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

@Suite("Sync against a real CRM (amagi-crm 0.1.0 on 127.0.0.1)", .serialized)
struct RealCRMTests {
    @Test(
        "leads both ways: 300 pushed once, a rerun changes nothing, server edits pulled, local edits pushed, deletes and reused ids noticed, a refused record set aside"
    )
    func leadsScenario() async throws {
        let b = try RealCRMBench()
        try b.store.save(SyncBench.leads(300))
        let first = try await b.run(b.job())
        #expect(first.counts.pushedCreated == 300)
        var server = try b.contactsByEmail()
        #expect(server.count == 300)
        #expect(server["p42@example.com"]?["last_name"] as? String == "Last42")

        let again = try await b.run(b.job())
        #expect(again.counts.pushedCreated == 0 && again.counts.pushedUpdated == 0)
        #expect(again.counts.pulledCreated == 0 && again.counts.pulledUpdated == 0 && again.counts.pulledDeleted == 0)

        // Changes made on the server: a new contact, an edit.
        let p5 = try #require(server["p5@example.com"]?["id"] as? Int)
        #expect(
            try b.crm.api(
                "POST", "/contacts",
                json: jsonText(["first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"])
            ).status == 201)
        #expect(
            try b.crm.api("PATCH", "/contacts/\(p5)", json: jsonText(["company": "Edited On Server"])).status == 200)
        // A change made here.
        var p6 = try #require(try b.localLead(email: "p6@example.com")).record
        p6.phone = "+14155559999"
        try b.store.save([p6])
        let third = try await b.run(b.job())
        #expect(third.counts.pulledCreated == 1 && third.counts.pulledUpdated == 1 && third.counts.pushedUpdated == 1)
        #expect(try b.localLead(email: "grace@example.com")?.record.lastName == "Hopper")
        #expect(try b.localLead(email: "p5@example.com")?.record.company == "Edited On Server")
        server = try b.contactsByEmail()
        #expect(server["p6@example.com"]?["phone"] as? String == "+14155559999")
        let quiet = try await b.run(b.job())
        #expect(
            quiet.counts.pulledUpdated == 0 && quiet.counts.pushedUpdated == 0, "a pull after a push changes nothing")

        // A delete on the server is noticed by the complete listing, and the lead is deleted here (the default).
        let p7 = try #require(server["p7@example.com"]?["id"] as? Int)
        #expect(try b.crm.api("DELETE", "/contacts/\(p7)").status == 204)
        let afterDelete = try await b.run(b.job())
        #expect(afterDelete.counts.remoteGone == 1 && afterDelete.counts.pulledDeleted == 1)
        #expect(try b.localLead(email: "p7@example.com")?.deleted == true)
        #expect(
            try b.contactsByEmail()["p7@example.com"] == nil, "a remote delete is not undone by recreating the record")

        // The server reuses the id of its newest contact once it is deleted: a different person at that id.
        let grace = try #require(try b.contactsByEmail()["grace@example.com"]?["id"] as? Int)
        #expect(grace == (try b.crm.contacts().compactMap { $0["id"] as? Int }.max()))
        #expect(try b.crm.api("DELETE", "/contacts/\(grace)").status == 204)
        let reused = try b.crm.api(
            "POST", "/contacts",
            json: jsonText(["first_name": "Alan", "last_name": "Turing", "email": "alan@example.com"]))
        #expect(
            (reused.body as? [String: Any])?["id"] as? Int == grace, "amagi-crm reused the id (the case under test)")
        let afterReuse = try await b.run(b.job())
        #expect(afterReuse.counts.reusedIDs == 1)
        let oldGrace = try #require(try b.localLead(email: "grace@example.com"))
        #expect(
            oldGrace.deleted && oldGrace.record.firstName == "Grace", "the deleted person's record keeps her own data")
        let alan = try #require(try b.localLead(email: "alan@example.com"))
        #expect(!alan.deleted && alan.record.lastName == "Turing")
        #expect(try b.contactsByEmail()["alan@example.com"]?["first_name"] as? String == "Alan")
        let link = try b.store.link(remote: "amagi-crm@" + b.crm.apiURL, type: .lead, remoteID: String(grace))
        #expect(link?.localID == alan.record.id.description)

        // A record the server refuses (422, not a valid e-mail) is set aside; the other change of the run is pushed.
        var bad = Lead(id: RecordID.make())
        bad.firstName = "Bad"
        bad.lastName = "Address"
        bad.email = "not-an-address"
        var p8 = try #require(try b.localLead(email: "p8@example.com")).record
        p8.company = "Pushed Despite A Refusal"
        try b.store.save([bad, p8])
        let refusedRun = try b.command(b.syncArgs)
        #expect(refusedRun.status == 3, "\(refusedRun.stdout)\(refusedRun.stderr)")
        #expect(refusedRun.stdout.contains("1 refused and set aside"))
        #expect(try b.contactsByEmail()["p8@example.com"]?["company"] as? String == "Pushed Despite A Refusal")
        let aside = try b.store.setAsideRecords()
        #expect(aside.count == 1 && aside.first?.localID == bad.id.description && aside.first?.status == 422)
        #expect(aside.first?.message.contains("not a valid email") == true)
        let listed = try b.command(["sync", "errors", "list", "--store", b.storePath])
        #expect(
            listed.status == 0 && listed.stdout.contains(bad.id.short) && !listed.stdout.contains(bad.id.description))
        let shown = try b.command(["sync", "errors", "show", bad.id.short, "--json", "--store", b.storePath])
        let one = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        #expect(one?["local_id"] as? String == bad.id.description, "\(shown.stdout)")
        // Typed as every other command reads an id: any case, the start of the short id; too short is refused (a
        // one-character id retried every set-aside record that began with it).
        let typed = try b.command([
            "sync", "errors", "show", String(bad.id.short.uppercased().prefix(8)), "--json", "--store", b.storePath,
        ])
        #expect(typed.status == 0 && typed.stdout == shown.stdout, "\(typed.stderr)")
        let short = try b.command(["sync", "errors", "retry", String(bad.id.short.prefix(1)), "--store", b.storePath])
        #expect(short.status == 64 && short.stderr.contains("is not a record id"), "\(short.stderr)")
        // Later runs do not stop on it; once fixed here, it goes through and leaves the queue.
        #expect(try b.command(b.syncArgs).status == 0)
        bad.email = "fixed@example.com"
        try b.store.save([bad])
        #expect(try b.command(b.syncArgs).status == 0)
        #expect(try b.contactsByEmail()["fixed@example.com"]?["first_name"] as? String == "Bad")
        #expect(try b.store.setAsideRecords().isEmpty)
    }

    @Test(
        "an e-mail another contact has (409) on a create and on an update: set aside with the server's answer, the rest pushed, never linked to that contact"
    )
    func duplicateEmailRefused() async throws {
        let b = try RealCRMBench()
        try b.store.save(SyncBench.leads(10))
        #expect(try await b.run(b.job()).counts.pushedCreated == 10)
        let remote = "amagi-crm@" + b.crm.apiURL
        // An update to an e-mail p4 has, a new lead with p5's, and an edit the server takes.
        var p3 = try #require(try b.localLead(email: "p3@example.com")).record
        p3.email = "p4@example.com"
        var twin = Lead(id: RecordID.make())
        twin.firstName = "Col"
        twin.lastName = "Lide"
        twin.email = "p5@example.com"
        var p6 = try #require(try b.localLead(email: "p6@example.com")).record
        p6.company = "Pushed Despite Two Refusals"
        try b.store.save([p3, twin, p6])
        let run = try b.command(b.syncArgs)
        // It was exit 69 ("the remote record kept changing"), on every run after it too.
        #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("2 refused and set aside"), "\(run.stdout)")
        let server = try b.contactsByEmail()
        #expect(server["p6@example.com"]?["company"] as? String == "Pushed Despite Two Refusals")
        #expect(server["p5@example.com"]?["first_name"] as? String == "First5")
        #expect(server["p3@example.com"] != nil && server["p4@example.com"]?["first_name"] as? String == "First4")
        let aside = try b.store.setAsideRecords()
        #expect(Set(aside.map(\.localID)) == [p3.id.description, twin.id.description])
        #expect(aside.allSatisfy { $0.status == 409 && $0.message.contains("already exists") }, "\(aside)")
        // A rerun neither stops on them nor takes the other contact for the lead's own (an interrupted create was
        // once "recovered" by linking it to p5's contact).
        let again = try b.command(b.syncArgs)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try b.store.link(remote: remote, type: .lead, localID: twin.id.description) == nil)
        #expect(try b.contactsByEmail()["p5@example.com"]?["first_name"] as? String == "First5")
        // Fixed here, the update goes through and leaves the queue.
        p3 = try #require(try b.store.recordForSync(Lead.self, id: p3.id.description)).record
        p3.email = "p3-new@example.com"
        try b.store.save([p3])
        #expect(try b.command(b.syncArgs).status == 0)
        #expect(try b.contactsByEmail()["p3-new@example.com"]?["first_name"] as? String == "First3")
        #expect(try b.store.setAsideRecords().map(\.localID) == [twin.id.description])
    }

    @Test(
        "a contact deleted on the server while its lead was edited here: the edit wins, the lead is kept and created again"
    )
    func remoteDeleteOfAnEditedRecord() async throws {
        let b = try RealCRMBench()
        try b.store.save(SyncBench.leads(30))  // two deletes stay under the mass-delete guard's 10%
        #expect(try await b.run(b.job()).counts.pushedCreated == 30)
        let p2 = try #require(try b.contactsByEmail()["p2@example.com"]?["id"] as? Int)
        #expect(try b.crm.api("DELETE", "/contacts/\(p2)").status == 204)
        var edited = try #require(try b.localLead(email: "p2@example.com")).record
        edited.notes = "an important note written here"
        try b.store.save([edited])
        // An untouched lead deleted there is deleted here, as before.
        let p3 = try #require(try b.contactsByEmail()["p3@example.com"]?["id"] as? Int)
        #expect(try b.crm.api("DELETE", "/contacts/\(p3)").status == 204)
        let run = try await b.run(b.job())
        #expect(run.counts.remoteGone == 2 && run.counts.pulledDeleted == 1, "\(run.lines)")
        #expect(run.lines.contains { $0.contains("changed here since the last sync") }, "\(run.lines)")
        let kept = try #require(try b.localLead(email: "p2@example.com"))
        #expect(!kept.deleted && kept.record.notes == "an important note written here")
        #expect(try b.localLead(email: "p3@example.com")?.deleted == true)
        // The note was the last word: the contact is on the server again, with it.
        let again = try #require(try b.contactsByEmail()["p2@example.com"])
        #expect((again["notes"] as? String)?.contains("an important note written here") == true, "\(again)")
        #expect(again["id"] as? Int != p2)
        let quiet = try await b.run(b.job())
        #expect(quiet.counts.pushedCreated == 0 && quiet.counts.remoteGone == 0)
    }

    /// A trial's undo left the store and the server apart for good, every later run saying nothing changed; and an
    /// `--allow-delete` push deleted a contact whose notes were written on the server after the last sync.
    @Test(
        "undo of a push or a pull returns to the state before it, which the next sync carries on from; a local delete does not wipe a server edit"
    )
    func undoAndDeletesOnTheServer() async throws {
        let b = try RealCRMBench()
        try b.store.save(SyncBench.leads(30))
        #expect(try await b.run(b.job()).counts.pushedCreated == 30)
        let client = try RemoteClient(profile: b.profile, baseURL: b.crm.apiURL, environment: b.crm.environment)
        // A pushed edit, undone: the server is back, and the edit goes out again with the next push.
        var p1 = try #require(try b.localLead(email: "p1@example.com")).record
        p1.company = "Undo Me Inc"
        try b.store.save([p1])
        let pushed = try await b.run(b.job())
        #expect(pushed.counts.pushedUpdated == 1)
        let undone = try await RunUndo(store: b.store, client: client).undo(run: try #require(pushed.runID))
        #expect(undone.reverted == 1, "\(undone.lines)")
        #expect(try b.contactsByEmail()["p1@example.com"]?["company"] as? String == "Company 1")
        #expect(try await b.run(b.job()).counts.pushedUpdated == 1)
        #expect(try b.contactsByEmail()["p1@example.com"]?["company"] as? String == "Undo Me Inc")
        // A pull that created a lead, undone: the contact is still on the server, and the next pull takes it again.
        #expect(
            try b.crm.api("POST", "/contacts", json: jsonText(["first_name": "Larry", "email": "larry@example.com"]))
                .status == 201)
        let pulled = try await b.run(b.job())
        #expect(pulled.counts.pulledCreated == 1)
        let undonePull = try await RunUndo(store: b.store, client: client).undo(run: try #require(pulled.runID))
        #expect(undonePull.reverted == 1, "\(undonePull.lines)")
        #expect(try b.localLead(email: "larry@example.com")?.deleted == true)
        let again = try await b.run(b.job())
        #expect(again.counts.pulledCreated == 1, "\(again.lines)")
        #expect(try b.store.all(Lead.self).contains { $0.email == "larry@example.com" })
        // A lead deleted here whose contact was edited on the server since: kept there, and back here with the edit.
        let p2 = try #require(try b.localLead(email: "p2@example.com")).record
        try b.store.tombstone(Lead.self, ids: [p2.id.description])
        let id = try #require(try b.contactsByEmail()["p2@example.com"]?["id"] as? Int)
        #expect(try b.crm.api("PATCH", "/contacts/\(id)", json: jsonText(["notes": "she just signed"])).status == 200)
        var allowing = b.job()
        allowing.allowDelete = true
        let kept = try await b.run(allowing)
        #expect(kept.counts.pushedDeleted == 0 && kept.counts.deletesKept == 1, "\(kept.lines)")
        #expect(try b.contactsByEmail()["p2@example.com"] != nil)
        let back = try #require(try b.localLead(email: "p2@example.com"))
        #expect(!back.deleted && back.record.notes.contains("she just signed"), "\(back.record.notes)")
    }

    @Test("the same field changed on both sides waits under manual, is resolved, and the resolution reaches the server")
    func manualConflict() async throws {
        let b = try RealCRMBench()
        try b.store.save(SyncBench.leads(5))
        _ = try await b.run(b.job(policy: .manual))
        let id = try #require(try b.contactsByEmail()["p1@example.com"]?["id"] as? Int)
        #expect(try b.crm.api("PATCH", "/contacts/\(id)", json: jsonText(["company": "Server Co"])).status == 200)
        var p1 = try #require(try b.localLead(email: "p1@example.com")).record
        p1.company = "Local Co"
        try b.store.save([p1])
        let r = try await b.run(b.job(policy: .manual))
        #expect(r.counts.conflictsOpened == 1)
        #expect(
            try b.contactsByEmail()["p1@example.com"]?["company"] as? String == "Server Co",
            "a waiting record is not pushed")
        let conflict = try #require(try b.store.conflicts().first)
        #expect(conflict.fields == ["company"])
        _ = try ConflictResolution.resolve(store: b.store, id: conflict.id, take: .local, sets: [:])
        _ = try await b.run(b.job(policy: .manual))
        #expect(try b.contactsByEmail()["p1@example.com"]?["company"] as? String == "Local Co")
        #expect(try b.store.conflicts().isEmpty)
    }

    @Test("kill -9 in the middle of pushing 2,000 leads, then a rerun: each lead is on the server exactly once")
    func killedPush() async throws {
        let b = try RealCRMBench()
        try b.store.save(SyncBench.leads(2000, prefix: "k"))
        let bin = try #require(TestSupport.crmgateBinary, "crmgate is not built")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = b.syncArgs + ["--direction", "push", "--concurrency", "8"]
        p.currentDirectoryURL = TestSupport.repoRoot
        p.environment = ProcessInfo.processInfo.environment.merging(b.crm.environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var seen = 0
        for _ in 0..<600 where p.isRunning {
            seen = (try b.crm.api("GET", "/contacts?limit=1").body as? [String: Any])?["total"] as? Int ?? 0
            if seen >= 300 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(p.isRunning, "the push ended before it could be killed (\(seen) created)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let killedAt = try b.crm.contacts().count
        #expect(killedAt > 0 && killedAt < 2000, "killed mid-push: \(killedAt) of 2000 on the server")
        try await Task.sleep(nanoseconds: 500_000_000)  // requests already at the server finish
        let rerun = try b.command(b.syncArgs + ["--direction", "push"])
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        let server = try b.contactsByEmail()
        #expect(server.count == 2000)
        #expect((0..<2000).allSatisfy { server["k\($0)@example.com"] != nil })
        let quiet = try await b.run(b.job())
        #expect(quiet.counts.pushedCreated == 0 && quiet.counts.pulledCreated == 0 && quiet.counts.remoteGone == 0)
    }

    @Test("deals of every stage and tasks sync both ways: stage by name and id, amounts in cents, due days, done")
    func dealsAndTasks() async throws {
        let b = try RealCRMBench()
        let stages = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Won", "Lost"]
        let opportunities = stages.enumerated().map { i, stage in
            var o = Opportunity(id: RecordID.make())
            o.name = "Deal \(stage)"
            o.stage = stage
            o.amount = Decimal(string: "\(1000 + i).25")!
            o.expectedClose = CalendarDay(year: 2027, month: 3, day: i + 1)
            return o
        }
        try b.store.save(opportunities)
        var task = CRMTask(id: RecordID.make())
        task.title = "Call Ada"
        task.due = Date(timeIntervalSince1970: 1_796_482_800)  // 2026-12-05T15:00:00Z
        try b.store.save([task])
        let pushed = try await b.run(b.job([.opportunity, .task]))
        #expect(pushed.counts.pushedCreated == 8)
        let deals = try b.crm.list("/deals")
        let byTitle = Dictionary(uniqueKeysWithValues: deals.map { ($0["title"] as? String ?? "", $0) })
        let expectedIDs = [
            "Prospecting": 1, "Qualification": 2, "Needs Analysis": 2, "Proposal": 3, "Negotiation": 4, "Won": 5,
            "Lost": 6,
        ]
        for (i, stage) in stages.enumerated() {
            #expect(byTitle["Deal \(stage)"]?["stage_id"] as? Int == expectedIDs[stage], "\(stage)")
            #expect(byTitle["Deal \(stage)"]?["amount_cents"] as? Int == (1000 + i) * 100 + 25)
            #expect(byTitle["Deal \(stage)"]?["expected_close"] as? String == "2027-03-0\(i + 1)")
        }
        let serverTask = try #require(try b.crm.list("/tasks").first)
        #expect(serverTask["due_date"] as? String == "2026-12-05" && serverTask["done"] as? Bool == false)
        let quiet = try await b.run(b.job([.opportunity, .task]))
        #expect(quiet.counts.pushedUpdated == 0 && quiet.counts.pulledUpdated == 0, "\(quiet.lines)")
        #expect(try b.store.all(Opportunity.self).first { $0.name == "Deal Needs Analysis" }?.stage == "Needs Analysis")

        // The server moves a deal and completes the task, and creates a task of its own.
        let proposal = try #require(byTitle["Deal Proposal"]?["id"] as? Int)
        #expect(
            try b.crm.api("PATCH", "/deals/\(proposal)", json: jsonText(["stage": "Won", "amount_cents": 500_000]))
                .status == 200)
        let taskID = try #require(serverTask["id"] as? Int)
        #expect(try b.crm.api("PATCH", "/tasks/\(taskID)", json: jsonText(["done": true])).status == 200)
        #expect(
            try b.crm.api("POST", "/tasks", json: jsonText(["title": "Send contract", "due_date": "2026-12-24"])).status
                == 201)
        let pulled = try await b.run(b.job([.opportunity, .task]))
        #expect(pulled.counts.pulledUpdated == 2 && pulled.counts.pulledCreated == 1)
        let won = try #require(try b.store.all(Opportunity.self).first { $0.name == "Deal Proposal" })
        #expect(won.stage == "Won" && won.amount == 5000)
        let tasks = try b.store.all(CRMTask.self)
        let call = try #require(tasks.first { $0.title == "Call Ada" })
        #expect(call.status == "Done" && call.due == task.due, "the time of day the server cannot hold is kept")
        #expect(tasks.first { $0.title == "Send contract" }?.due?.iso8601UTC == "2026-12-24T00:00:00Z")
    }
}
