import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

@Suite("Sync engine against the generic test remote", .serialized)
struct SyncEngineTests {
    @Test(
        "an update whose answer never came, applied by the remote after a newer local edit, does not win by the remote's clock (updates are journaled)",
        arguments: StoreKind.allCases)
    func lateUpdateOfADeadRun(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(1))
        _ = try await b.run(b.job())
        var lead = try #require(try b.store.all(Lead.self).first)
        // A run sent "Sent Co" and died before the answer; the journal kept what it sent.
        let remoteName = "generic-rest@" + b.remote.baseURL
        try b.store.journalUpdates(
            remote: remoteName, type: .lead, entries: [(lead.id.description, #"{"company":"Sent Co"}"#)])
        // A newer local edit, then the remote applies the dead run's update (stamped later than the local edit).
        lead.company = "Newer Local Co"
        try b.store.save([lead])
        try await Task.sleep(nanoseconds: 20_000_000)
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"company":"Sent Co"}"#)
        let r = try await b.run(b.job(.newestWins))
        #expect(r.counts.conflictsOpened == 0)
        #expect(try b.remoteLeads()["p0@example.com"]?["company"] as? String == "Newer Local Co")
        #expect(try b.store.all(Lead.self).first?.company == "Newer Local Co")
        #expect(try b.store.journaledUpdates(remote: remoteName, type: .lead, localIDs: [lead.id.description]).isEmpty)
    }

    @Test(
        "push creates every local lead once; a second store pulls them back equal; a rerun changes nothing",
        arguments: StoreKind.allCases)
    func pushThenPull(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind, pageLimit: 7)
        try b.store.save(SyncBench.leads(30))
        let r1 = try await b.run(b.job())
        #expect(r1.counts.pushedCreated == 30)
        #expect(try b.remoteLeads().count == 30)
        let r2 = try await b.run(b.job())
        #expect(r2.counts.pushedCreated == 0 && r2.counts.pushedUpdated == 0 && r2.counts.pulledUpdated == 0)
        let other = try b.makeStore()
        let r3 = try await b.run(b.job(), store: other)
        #expect(r3.counts.pulledCreated == 30)
        let mine = Dictionary(uniqueKeysWithValues: try b.store.all(Lead.self).map { ($0.email, $0) })
        for l in try other.all(Lead.self) {
            let m = try #require(mine[l.email])
            #expect(l.firstName == m.firstName && l.phone == m.phone && l.tags == m.tags && l.company == m.company)
        }
    }

    @Test("edits of different fields on both sides merge, and both sides end equal", arguments: StoreKind.allCases)
    func bothSides(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        _ = try await b.run(b.job(.manual))
        var l = try b.store.all(Lead.self).first { $0.email == "p1@example.com" }!
        l.phone = "+14155559999"
        try b.store.save([l])
        let rid = try b.remoteID(email: "p1@example.com")
        try b.remote.control("PATCH", "/records/leads/\(rid)", json: #"{"company":"Remote Co"}"#)
        let r = try await b.run(b.job(.manual))
        #expect(r.counts.conflictsOpened == 0)
        let after = try b.store.record(Lead.self, id: l.id.description)
        #expect(after.company == "Remote Co" && after.phone == "+14155559999")
        let remote = try b.remoteLeads()["p1@example.com"]!
        #expect(remote["company"] as? String == "Remote Co")
        #expect(remote["phone"] as? String == "+14155559999")
    }

    @Test(
        "the same field changed on both sides, under each policy",
        arguments: [ConflictPolicy.remoteWins, .localWins, .newestWins], StoreKind.allCases)
    func policies(policy: ConflictPolicy, kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(2))
        _ = try await b.run(b.job(policy))
        var l = try b.store.all(Lead.self).first { $0.email == "p0@example.com" }!
        l.company = "Local Co"
        l.updatedAt = Date(timeIntervalSinceNow: -3600)  // the local edit is older than the remote one
        try b.store.save([l])
        try await Task.sleep(nanoseconds: 20_000_000)
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"company":"Remote Co"}"#)
        _ = try await b.run(b.job(policy))
        let expected = policy == .localWins ? "Local Co" : "Remote Co"
        #expect(try b.store.record(Lead.self, id: l.id.description).company == expected)
        #expect(try b.remoteLeads()["p0@example.com"]!["company"] as? String == expected)
    }

    @Test(
        "under manual a conflict blocks only its record; resolving it pushes the chosen value",
        arguments: StoreKind.allCases)
    func manual(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        _ = try await b.run(b.job(.manual))
        var all = try b.store.all(Lead.self)
        var x = all.first { $0.email == "p0@example.com" }!
        var y = all.first { $0.email == "p2@example.com" }!
        x.company = "Local X"
        y.company = "Local Y"
        try b.store.save([x, y])
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"company":"Remote X"}"#)
        let r = try await b.run(b.job(.manual))
        #expect(r.counts.conflictsOpened == 1)
        #expect(try b.remoteLeads()["p2@example.com"]!["company"] as? String == "Local Y")  // the other record went through
        #expect(try b.remoteLeads()["p0@example.com"]!["company"] as? String == "Remote X")  // the conflicted one waits
        let open = try b.store.conflicts()
        #expect(open.count == 1 && open[0].fields == ["company"])
        let r2 = try await b.run(b.job(.manual))
        #expect(r2.counts.pushedUpdated == 0)
        try ConflictResolution.resolve(
            store: b.store, id: open[0].id, take: .local, sets: ["notes": "checked by phone"])
        _ = try await b.run(b.job(.manual))
        let remote = try b.remoteLeads()["p0@example.com"]!
        #expect(remote["company"] as? String == "Local X")
        #expect(remote["notes"] as? String == "checked by phone")
        #expect(try b.store.conflicts().isEmpty)
        all = try b.store.all(Lead.self)
        #expect(all.first { $0.email == "p0@example.com" }!.company == "Local X")
    }

    @Test(
        "another client edits the record between our read and our update: 412, re-read, merged, sent again; both edits kept",
        arguments: StoreKind.allCases)
    func staleETag(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        _ = try await b.run(b.job())
        var all = try b.store.all(Lead.self)
        for i in all.indices { all[i].company = "Local \(i)" }
        try b.store.save(all)
        try b.remote.control(
            "POST", "/faults",
            json: #"{"fraction":1,"kinds":["concurrent_edit"],"only_methods":["PATCH"],"max_faults":3}"#)
        var one = b.job()
        one.concurrency = 1  // one PATCH at a time: A edited, A sent again (a draw, no edit), then B edited
        let r = try await b.run(one)
        #expect(r.counts.staleRetries == 2)
        #expect(r.counts.pushedUpdated == 3)
        let remote = try b.remoteLeads()
        #expect(remote.values.filter { ($0["owner"] as? String) == "another client" }.count == 2)  // their edit stays
        for l in all { #expect(remote[l.email]?["company"] as? String == l.company) }  // ours went through
        _ = try await b.run(b.job())
        #expect(try b.store.all(Lead.self).filter { $0.owner == "another client" }.count == 2)  // and comes back
    }

    /// Found by the soak: resolving wrote the record as it was when the conflict was queued, losing later edits.
    @Test(
        "resolving a conflict keeps the local edits made while it waited (merged: and the remote's one-sided changes)",
        arguments: [ConflictResolution.Take.merged, .local, .remote], StoreKind.allCases)
    func resolveKeepsLaterEdits(take: ConflictResolution.Take, kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(1))
        _ = try await b.run(b.job(.manual))
        var x = try b.store.all(Lead.self)[0]
        x.company = "Local X"
        try b.store.save([x])
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))",
            json: #"{"company":"Remote X","owner":"remote-owner"}"#)
        _ = try await b.run(b.job(.manual))
        let open = try b.store.conflicts()
        #expect(open.count == 1 && open[0].fields == ["company"])
        // While the conflict waits, the user edits the record again, and fills a field empty on both sides until now.
        x = try b.store.all(Lead.self)[0]
        x.company = "Local X2"
        x.notes = "called back"
        try b.store.save([x])
        let outcome = try ConflictResolution.resolve(store: b.store, id: open[0].id, take: take, sets: [:])
        let resolved = try b.store.all(Lead.self)[0]
        let company = ["merged": "Local X2", "local": "Local X2", "remote": "Remote X"][take.rawValue]!
        let owner = take == .local ? "" : "remote-owner"  // local: the record as it is now, wholly
        // What it says it did: the fields changed here, and those the next push sends (the queued sides' fields; notes
        // was filled after the conflict was queued, and is sent by the push's own comparison).
        #expect(
            outcome.changedHere == ["merged": ["owner"], "local": [], "remote": ["company", "owner"]][take.rawValue]!)
        #expect(
            outcome.toSend == ["merged": ["company"], "local": ["company", "owner"], "remote": []][take.rawValue]!)
        #expect(resolved.company == company)
        #expect(resolved.owner == owner)
        #expect(resolved.notes == "called back")  // filled after the conflict was queued: kept by every choice
        _ = try await b.run(b.job(.manual))
        let remote = try b.remoteLeads()["p0@example.com"]!
        #expect(remote["company"] as? String == company)
        #expect(remote["owner"] as? String ?? "" == owner)
        #expect(remote["notes"] as? String == "called back")  // and sent
        #expect(try b.store.conflicts().isEmpty)
    }

    /// Found in review: a pull skipped the remote changes of a record whose conflict waited, and its cursor moved on,
    /// so they never arrived.
    @Test(
        "remote changes made while a conflict waits update the queued conflict (same id), or settle it",
        arguments: StoreKind.allCases)
    func conflictWhileWaiting(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        _ = try await b.run(b.job(.manual))
        var all = try b.store.all(Lead.self).sorted { $0.email < $1.email }
        all[0].company = "Local X"
        all[1].company = "Local Y"
        all[2].company = "Local Z"
        try b.store.save(all)
        let x = try b.remoteID(email: "p0@example.com")
        let y = try b.remoteID(email: "p1@example.com")
        let z = try b.remoteID(email: "p2@example.com")
        try b.remote.control("PATCH", "/records/leads/\(x)", json: #"{"company":"Remote X"}"#)
        try b.remote.control("PATCH", "/records/leads/\(y)", json: #"{"company":"Remote Y"}"#)
        try b.remote.control("PATCH", "/records/leads/\(z)", json: #"{"company":"Remote Z"}"#)
        _ = try await b.run(b.job(.manual))
        let queued = try b.store.conflicts()
        #expect(queued.count == 3)
        // While they wait: the remote changes another field of X, gives Y the local value, and puts Z back as it was.
        try b.remote.control("PATCH", "/records/leads/\(x)", json: #"{"owner":"new-owner"}"#)
        try b.remote.control("PATCH", "/records/leads/\(y)", json: #"{"company":"Local Y"}"#)
        try b.remote.control("PATCH", "/records/leads/\(z)", json: #"{"company":"Company 2"}"#)
        // A job with another policy leaves the queue to a person as well.
        let r3 = try await b.run(b.job(.remoteWins))
        let open = try b.store.conflicts()
        #expect(open.count == 1)
        // One record waits, met by the pull and by the push: counted once (a trial's report said "2 waiting").
        #expect(r3.counts.blocked == 1, "\(r3.counts)")
        let locals = try b.store.all(Lead.self).map { "\($0.email) \($0.company)" }
        #expect(
            try b.remoteLeads()["p2@example.com"]?["company"] as? String == "Local Z",
            "\(r3.counts) \(r3.lines) local: \(locals)")  // Z settled: local pushed
        let cx = try #require(open.first)
        #expect(cx.id == queued.first { $0.remoteID == x }?.id)  // the same conflict, brought up to date
        #expect(Snapshot(json: cx.remoteSide)["owner"] == "new-owner")
        #expect(try b.store.all(Lead.self).first { $0.email == "p1@example.com" }?.company == "Local Y")  // Y settled
        try ConflictResolution.resolve(store: b.store, id: cx.id, take: .remote, sets: [:])
        _ = try await b.run(b.job(.manual))
        let lx = try #require(try b.store.all(Lead.self).first { $0.email == "p0@example.com" })
        #expect(lx.company == "Remote X" && lx.owner == "new-owner")
        let rx = try #require(try b.remoteLeads()["p0@example.com"])
        #expect(rx["company"] as? String == "Remote X" && rx["owner"] as? String == "new-owner")
        #expect(try b.store.conflicts().isEmpty)
    }

    @Test(
        "equal modification stamps across a page boundary: nothing skipped, nothing read twice",
        arguments: StoreKind.allCases)
    func equalStamps(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind, pageLimit: 5)
        try b.remote.control("POST", "/clock", json: #"{"now":"2026-01-01T00:00:00Z"}"#)
        let rows = (0..<23).map { #"{"first_name":"Tie\#($0)","email":"tie\#($0)@example.com"}"# }.joined(
            separator: ",")
        try b.remote.control("POST", "/records/leads", json: #"{"data":[\#(rows)]}"#)
        let r1 = try await b.run(b.job(direction: .pull))
        #expect(r1.counts.pulledCreated == 23)
        // More records with the very same stamp arrive after the first run.
        let more = (23..<31).map { #"{"first_name":"Tie\#($0)","email":"tie\#($0)@example.com"}"# }.joined(
            separator: ",")
        try b.remote.control("POST", "/records/leads", json: #"{"data":[\#(more)]}"#)
        let r2 = try await b.run(b.job(direction: .pull))
        #expect(r2.counts.pulledCreated == 8)
        #expect(try b.store.count(.lead) == 31)
        let r3 = try await b.run(b.job(direction: .pull))
        #expect(r3.counts.pulledCreated == 0 && r3.counts.pulledUpdated == 0)
    }

    @Test(
        "a plan says what apply then does: a conflict holds its push back, a remote delete of an edited record is a create, a merged record pushes what the merge left",
        arguments: StoreKind.allCases)
    func planMatchesApply(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(30))
        _ = try await b.run(b.job(.manual))
        func local(_ email: String) throws -> Lead {
            try #require(try b.store.all(Lead.self).first { $0.email == email })
        }
        func patch(_ email: String, _ json: String) throws {
            try b.remote.control("PATCH", "/records/leads/\(try b.remoteID(email: email))", json: json)
        }
        // p1: the same field on both sides (a conflict under manual); p4: different fields (merged); p5: here only.
        var p1 = try local("p1@example.com")
        p1.company = "Local One"
        var p2 = try local("p2@example.com")
        p2.notes = "an edit the remote never saw"
        var p4 = try local("p4@example.com")
        p4.company = "Local Four"
        var p5 = try local("p5@example.com")
        p5.company = "Local Five"
        try b.store.save([p1, p2, p4, p5])
        try await Task.sleep(nanoseconds: 20_000_000)
        try patch("p1@example.com", #"{"company":"Remote One"}"#)
        try patch("p4@example.com", #"{"phone":"+14155550404"}"#)
        // p2 deleted there after its edit here; p3 deleted there, untouched here.
        try b.remote.control("DELETE", "/records/leads/\(try b.remoteID(email: "p2@example.com"))")
        try b.remote.control("DELETE", "/records/leads/\(try b.remoteID(email: "p3@example.com"))")
        let plan = try await b.run(b.job(.manual), dryRun: true)
        let apply = try await b.run(b.job(.manual))
        func summary(_ c: SyncCounts) -> [Int] {
            [c.conflictsOpened, c.blocked, c.pushedCreated, c.pushedUpdated, c.pulledDeleted, c.remoteGone]
        }
        #expect(summary(apply.counts) == [1, 1, 1, 2, 1, 2], "\(apply.lines)")
        #expect(summary(plan.counts) == summary(apply.counts), "plan: \(plan.lines)")
        // The plan's push line for the merged record shows what is sent: its own change, not the remote's.
        let p4Line = try #require(plan.lines.first { $0.hasPrefix("push: update") && $0.contains("Local Four") })
        #expect(!p4Line.contains("phone"), "\(p4Line)")
        #expect(try b.remoteLeads()["p2@example.com"]?["notes"] as? String == "an edit the remote never saw")
        #expect(try b.remoteLeads()["p4@example.com"]?["company"] as? String == "Local Four")
    }

    @Test(
        "a remote delete of a record matched by e-mail and never edited deletes it here; a pull-only job keeps an edited one unlinked",
        arguments: StoreKind.allCases)
    func deleteOfMatchedRecords(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(30))
        _ = try await b.run(b.job())
        // A second store with the same leads: its first run matches them by e-mail (links never raised by a push).
        let other = try b.makeStore()
        try other.save(SyncBench.leads(30))
        #expect(try await b.run(b.job(name: "other"), store: other).counts.matched == 30)
        var edited = try #require(try other.all(Lead.self).first { $0.email == "p1@example.com" })
        edited.company = "Edited In The Other Store"
        try other.save([edited])
        try b.remote.control("DELETE", "/records/leads/\(try b.remoteID(email: "p0@example.com"))")
        try b.remote.control("DELETE", "/records/leads/\(try b.remoteID(email: "p1@example.com"))")
        let r = try await b.run(b.job(direction: .pull, name: "other"), store: other)
        // Matched and untouched: deleted here (a change counter above the link's would have kept and re-created it).
        #expect(r.counts.pulledDeleted == 1, "\(r.lines)")
        #expect(try other.all(Lead.self).contains { $0.email == "p0@example.com" } == false)
        // Edited here, and the job never pushes: kept, unlinked, said so; not re-created at the remote.
        #expect(try other.all(Lead.self).first { $0.email == "p1@example.com" }?.company == "Edited In The Other Store")
        #expect(r.lines.contains { $0.contains("this job does not push") }, "\(r.lines)")
        #expect(try b.remoteLeads()["p1@example.com"] == nil)
    }

    @Test(
        "remote deletions tombstone the local record; local deletions stay local without allow-delete",
        arguments: StoreKind.allCases)
    func deletes(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        _ = try await b.run(b.job())
        try b.remote.control("DELETE", "/records/leads/\(try b.remoteID(email: "p0@example.com"))")
        let r = try await b.run(b.job())
        #expect(r.counts.pulledDeleted == 1)
        #expect(try b.store.count(.lead) == 2)
        let local = try b.store.all(Lead.self).first { $0.email == "p1@example.com" }!
        try b.store.tombstone(Lead.self, ids: [local.id.description])
        let r2 = try await b.run(b.job())
        #expect(r2.counts.deletesKept == 1)
        #expect(try b.remoteLeads()["p1@example.com"] != nil)
        var j = b.job()
        j.allowDelete = true
        try b.store.tombstone(
            Lead.self, ids: [try b.store.all(Lead.self).first { $0.email == "p2@example.com" }!.id.description])
        let r3 = try await b.run(j)
        // The delete the run before kept is sent too, now that the job may delete (a trial's stayed for good).
        #expect(r3.counts.pushedDeleted == 2)
        #expect(try b.remoteLeads()["p2@example.com"] == nil && b.remoteLeads()["p1@example.com"] == nil)
    }

    /// A trial's `--allow-delete` push deleted a contact whose notes were written at the remote after the last sync.
    @Test(
        "a local delete of a record changed remotely since the last sync is not sent: the edit wins and the record comes back here",
        arguments: StoreKind.allCases)
    func deleteMeetsRemoteEdit(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(2))
        _ = try await b.run(b.job(direction: .push))
        let p0 = try #require(try b.store.all(Lead.self).first { $0.email == "p0@example.com" })
        try b.store.tombstone(Lead.self, ids: [p0.id.description])
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"company":"Signed today"}"#)
        var j = b.job(direction: .push)
        j.allowDelete = true
        let r = try await b.run(j)
        #expect(r.counts.pushedDeleted == 0 && r.counts.deletesKept == 1, "\(r.lines)")
        #expect(r.lines.contains { $0.contains("the edit wins") })
        #expect(try b.remoteLeads()["p0@example.com"]?["company"] as? String == "Signed today")
        let back = try #require(try b.store.all(Lead.self).first { $0.email == "p0@example.com" })
        #expect(back.company == "Signed today")
        // Deleted again, with nothing changed remotely since: sent, and in the run's manifest, which undo refuses.
        try b.store.tombstone(Lead.self, ids: [back.id.description])
        let r2 = try await b.run(j)
        #expect(try r2.counts.pushedDeleted == 1 && b.remoteLeads()["p0@example.com"] == nil)
        let client = try RemoteClient(profile: b.profile, baseURL: b.remote.baseURL, environment: b.remote.environment)
        let out = try await RunUndo(store: b.store, client: client).undo(run: try #require(r2.runID))
        #expect(out.reverted == 0 && out.refused == 1)
        #expect(
            out.lines.contains {
                $0.contains("undo does not bring a deleted record back") && $0.contains("Signed today")
            })
        #expect(try b.store.runs().first { $0.id == r2.runID }?.status != .undone)
    }

    @Test(
        "unlinked remote records are matched to local ones by e-mail instead of duplicated",
        arguments: StoreKind.allCases)
    func matchByEmail(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(2))
        try b.remote.control(
            "POST", "/records/leads",
            json: #"{"data":[{"first_name":"First0","email":"P0@Example.com","company":"Remote Co"}]}"#)
        let r = try await b.run(b.job(.remoteWins))
        #expect(r.counts.matched == 1)
        #expect(try b.store.count(.lead) == 2)
        #expect(try b.remote.records("leads").count == 2)
    }

    @Test(
        "a create whose answer never came is matched by e-mail against what it sent: a field only the remote changed since survives a newer local edit (found by the crash schedule)",
        arguments: StoreKind.allCases)
    func lostCreateAnswerKeepsRemoteEdit(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(1))
        // Every POST is carried out and its answer dropped: the lead exists remotely, the store does not know it.
        try b.remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["drop_after"],"only_methods":["POST"]}"#)
        await #expect(throws: SyncError.self) { try await b.run(b.job(direction: .push)) }
        #expect(try b.remote.records("leads").count == 1)
        try b.remote.control("POST", "/faults", json: #"{"fraction":0}"#)
        // Then the remote changes the company, and later the local side changes the notes.
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"company":"Remote Co"}"#)
        try await Task.sleep(nanoseconds: 20_000_000)
        var lead = try #require(try b.store.all(Lead.self).first)
        lead.notes = "local notes"
        lead.updatedAt = Date()
        try b.store.save([lead])
        let r = try await b.run(b.job(.newestWins))
        #expect(r.counts.matched == 1)
        let local = try #require(try b.store.all(Lead.self).first)
        let remote = try #require(try b.remoteLeads()["p0@example.com"])
        #expect(local.company == "Remote Co" && remote["company"] as? String == "Remote Co")
        #expect(local.notes == "local notes" && remote["notes"] as? String == "local notes")
        #expect(try b.remote.records("leads").count == 1)
    }

    @Test("plan changes nothing on either side", arguments: StoreKind.allCases)
    func plan(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(4))
        try b.remote.control("POST", "/records/leads", json: #"{"data":[{"first_name":"R","email":"r@example.com"}]}"#)
        let r = try await b.run(b.job(), dryRun: true)
        #expect(r.counts.pushedCreated == 4 && r.counts.pulledCreated == 1)
        #expect(r.lines.contains { $0.hasPrefix("push: create lead") })
        // A create line names its first fields and how many more there are; lists are shown with `|`.
        let create = try #require(r.lines.first { $0.hasPrefix("push: create lead") })
        #expect(create.contains(", … (") && create.hasSuffix(" more)") && !create.contains("\u{1F}"), "\(create)")
        #expect(try b.remote.records("leads").count == 1)
        #expect(try b.store.count(.lead) == 4)
        #expect(try b.store.runs().isEmpty)
    }

    @Test(
        "a second run of the same job while one holds the lease is refused; a dead holder's lease is taken over",
        arguments: StoreKind.allCases)
    func lease(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        _ = try b.store.acquireLease(
            job: "test", owner: "someone-else", pid: getpid(), seconds: 600, isAlive: { _ in true })
        let e = await #expect(throws: SyncError.self) { try await b.run(b.job()) }
        #expect(e?.code == .leaseHeld)
        try b.store.releaseLease(job: "test", owner: "someone-else")
        // A holder on this machine (owners are host:pid:…) whose process is gone: its lease is taken over at once.
        _ = try b.store.acquireLease(
            job: "test", owner: "\(ProcessInfo.processInfo.hostName):999999:dead", pid: 999_999, seconds: 600,
            isAlive: { _ in true })
        _ = try await b.run(b.job())
    }

    @Test(
        "a run renews its lease at checkpoints, and stops at the next one when another run has taken it",
        arguments: StoreKind.allCases)
    func leaseRenewal(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind, pageLimit: 5)
        let rows = (0..<60).map { #"{"first_name":"R\#($0)","email":"r\#($0)@example.com"}"# }.joined(separator: ",")
        try b.remote.control("POST", "/records/leads", json: #"{"data":[\#(rows)]}"#)
        try b.remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["delay"],"delay_ms":60}"#)
        let client = try RemoteClient(profile: b.profile, baseURL: b.remote.baseURL, environment: b.remote.environment)
        let engine = SyncEngine(store: b.store, job: b.job(direction: .pull), client: client, dryRun: false)
        engine.leaseRenewalInterval = 0
        let thief = Task.detached {
            // Once the first page is in, a second run takes the lease (as if this one had outlived it).
            while try b.store.count(.lead) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            _ = try b.store.acquireLease(
                job: "test", owner: "thief", pid: getpid(), seconds: 600, isAlive: { _ in false })
        }
        let e = await #expect(throws: SyncError.self) { try await engine.run() }
        try await thief.value
        #expect(e?.code == .leaseHeld)
        #expect("\(e.map { "\($0)" } ?? "")".contains("lost its lease"))
        let pulled = try b.store.count(.lead)
        #expect(pulled > 0 && pulled < 60, "the pages before the loss are kept: \(pulled)")
    }

    @Test(
        "20% of requests fail with 503, 429, 500, dropped connections and broken bodies, and the run converges to the fault-free state",
        arguments: StoreKind.allCases)
    func faults(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind, pageLimit: 9)
        try b.store.save(SyncBench.leads(60))
        try b.remote.control(
            "POST", "/faults",
            json:
                #"{"fraction":0.2,"kinds":["503","429","500","drop","drop_after","malformed","malformed_after"],"retry_after":"0","seed":11}"#
        )
        var runs = 0
        while true {
            runs += 1
            do {
                let r = try await b.run(b.job())
                if r.counts.pushedCreated == 0 && r.counts.pushedUpdated == 0 && runs > 1 { break }
            } catch let e as SyncError where e.code == .transport || e.code == .badResponse || e.code == .rejected {
                // stopped at a checkpoint; the next run resumes
            }
            #expect(runs < 12)
            if runs >= 12 { break }
        }
        try b.remote.control("POST", "/faults", json: #"{"fraction":0}"#)
        _ = try await b.run(b.job())
        let remote = try b.remoteLeads()
        #expect(remote.count == 60)
        #expect(try b.remote.records("leads").count == 60)  // not one duplicate
        for l in try b.store.all(Lead.self) { #expect(remote[l.email]?["first_name"] as? String == l.firstName) }
        let faults = try b.remote.stats()["faults_injected"] as? Int ?? 0
        #expect(faults > 5)
    }
}
