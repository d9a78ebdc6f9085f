import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import GRDB
import Testing

/// The store as the sync core uses it, one body over SQLite and PostgreSQL.
@Suite("SyncStore on SQLite and PostgreSQL")
struct SyncStoreTests {
    func open(_ kind: StoreKind) throws -> any SyncStore {
        try StoreLocation(try kind.makeLocation()).openSyncStore(mode: .create)
    }

    func lead(_ i: Int, first: String? = nil) -> Lead {
        var l = Lead(id: RecordID.make())
        l.firstName = first ?? "First\(i)"
        l.lastName = "Last\(i)"
        l.email = "p\(i)@example.com"
        l.tags = ["a \"quoted\" tag", "ü"]
        l.custom = ["k": "v\nw", "bom": "\u{FEFF}"]
        l.amount = Decimal(string: "1234.5")
        l.closeDate = CalendarDay(year: 2026, month: 12, day: 1)
        l.createdAt = Date(timeIntervalSince1970: 1_700_000_000.5)
        return l
    }

    @Test(
        "records read back field for field, with change counters in the order they were written",
        arguments: StoreKind.allCases)
    func recordsAndCounters(kind: StoreKind) throws {
        let store = try open(kind)
        let leads = (0..<5).map { lead($0) }
        try store.save(leads)
        #expect(try store.count(.lead) == 5)
        let changed = try store.changed(Lead.self, afterSeq: 0, limit: 10)
        #expect(changed.map(\.record.id) == leads.map(\.id))
        #expect(changed.map(\.changeSeq) == changed.map(\.changeSeq).sorted())
        var back = try #require(try store.recordForSync(Lead.self, id: leads[2].id.description)).record
        back.updatedAt = nil
        var want = leads[2]
        want.updatedAt = nil
        #expect(back == want)
        // A later write gets a later counter; `changed` after the old last counter finds only it.
        let last = try #require(changed.last).changeSeq
        var edited = leads[0]
        edited.company = "Edited"
        try store.save([edited])
        let after = try store.changed(Lead.self, afterSeq: last, limit: 10)
        #expect(after.map(\.record.company) == ["Edited"])
        try store.tombstone(Lead.self, ids: [leads[1].id.description])
        #expect(try store.count(.lead) == 5 - 1)
        let gone = try #require(try store.recordForSync(Lead.self, id: leads[1].id.description))
        #expect(gone.deleted)
        #expect(gone.changeSeq > after[0].changeSeq)
    }

    @Test(
        "hostile values survive: controls, noncharacters, bidi marks, quotes, backslashes, long text",
        arguments: StoreKind.allCases)
    func hostileValues(kind: StoreKind) throws {
        let store = try open(kind)
        // U+0000 is left out: PostgreSQL text cannot hold it (the store refuses such a value; SQLite keeps it).
        let values = [
            "\u{1}\u{7}\u{8}\u{1B}[31m", "\u{FFFE}\u{FFFF}", "\u{202E}gnp.exe", "'; DROP TABLE leads; --",
            "back\\slash\\N", "tab\there",
            "line\r\nbreak", "\u{FEFF}", "𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧", String(repeating: "x", count: 100_000), "<script>alert(1)</script>",
        ]
        let leads = values.enumerated().map { i, v -> Lead in
            var l = lead(i, first: v)
            l.custom = ["v": v]
            l.tags = [v]
            return l
        }
        try store.save(leads)
        for l in leads {
            let back = try #require(try store.recordForSync(Lead.self, id: l.id.description)).record
            #expect(back.firstName == l.firstName)
            #expect(back.custom == l.custom)
            #expect(back.tags == l.tags)
        }
    }

    @Test(
        "applySync writes records, links, cursor, journal and undo in one step; a reused remote id moves its link",
        arguments: StoreKind.allCases)
    func applySync(kind: StoreKind) throws {
        let store = try open(kind)
        let a = lead(1)
        let b = lead(2)
        try store.journalCreates(
            remote: "r", type: .lead,
            entries: [(localID: a.id.description, key: "k1", lookup: "p1@example.com", sent: "{}")])
        #expect(
            try store.journal(remote: "r", type: .lead, localIDs: [a.id.description])[a.id.description]?.key == "k1")
        #expect(try store.journaledSnapshot(remote: "r", type: .lead, localID: a.id.description) == "{}")
        let run = try store.startRun(job: "j", profile: "p", baseURL: "http://x")
        try store.applySync(
            Lead.self, records: [a, b],
            links: [
                SyncLink(remote: "r", recordType: .lead, localID: a.id.description, remoteID: "7", base: "{\"a\":1}")
            ],
            cursor: (job: "j", state: "{\"pull\":1}"), clearJournal: [a.id.description],
            undo: (
                run: run,
                entries: [
                    UndoEntry(
                        side: .local, recordType: .lead, localID: a.id.description, remoteID: "7", action: .created,
                        before: nil, after: "{}")
                ]
            ))
        let link = try #require(try store.link(remote: "r", type: .lead, localID: a.id.description))
        let seq = try #require(try store.recordForSync(Lead.self, id: a.id.description)).changeSeq
        #expect(link.syncedSeq == seq)
        #expect(try store.cursorState(job: "j", type: .lead) == "{\"pull\":1}")
        #expect(try store.journal(remote: "r", type: .lead, localIDs: [a.id.description]).isEmpty)
        #expect(try store.undoEntries(run: run).map(\.action) == [.created])
        // The remote reused id 7 for another record: linking b to 7 removes a's stale link.
        try store.applySync(
            Lead.self, records: [],
            links: [SyncLink(remote: "r", recordType: .lead, localID: b.id.description, remoteID: "7", base: "{}")])
        #expect(try store.link(remote: "r", type: .lead, localID: a.id.description) == nil)
        #expect(try store.link(remote: "r", type: .lead, remoteID: "7")?.localID == b.id.description)
        #expect(try store.links(remote: "r", type: .lead, remoteIDs: ["7", "8"]).keys.sorted() == ["7"])
        #expect(
            try store.links(remote: "r", type: .lead, localIDs: [a.id.description, b.id.description]).keys.sorted() == [
                b.id.description
            ])
        #expect(try store.links(remote: "r", type: .lead).count == 1)
    }

    @Test(
        "a state the store holds that this crmgate does not know is refused with its column, not read as a default",
        arguments: StoreKind.allCases)
    func unknownStateRefused(kind: StoreKind) throws {
        let location = try kind.makeLocation()
        let store = try StoreLocation(location).openSyncStore(mode: .create)
        let run = try store.startRun(job: "j", profile: "generic-rest", baseURL: nil)
        try store.finishRun(id: run, status: .ok, counts: "{}", message: nil)
        #expect(try store.runs().first?.status == .ok)
        let sql = "UPDATE sync_runs SET status = 'paused'"
        switch kind {
        case .sqlite: try DatabaseQueue(path: location).write { try $0.execute(sql: sql) }
        case .postgres:
            let r = try TestSupport.run("/usr/bin/psql", [location, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect {
            _ = try store.runs()
        } throws: { e in
            "\(e)".contains("'paused' in status")
        }
    }

    @Test(
        "conflicts open, refresh, list and close; set-aside records count their attempts", arguments: StoreKind.allCases
    )
    func conflictsAndSetAside(kind: StoreKind) throws {
        let store = try open(kind)
        let a = lead(1)
        try store.save([a])
        let id = try store.openConflict(
            job: "j", remote: "r", type: .lead, localID: a.id.description, remoteID: "9", fields: ["email"], base: "{}",
            local: "{\"email\":\"l\"}", remoteSide: "{\"email\":\"r\"}")
        #expect(try store.openConflictIDs(remote: "r", type: .lead, localIDs: [a.id.description]) == [a.id.description])
        try store.refreshConflict(id: id, fields: ["email", "phone"], base: "{}", local: "{}", remoteSide: "{}")
        #expect(try store.conflict(id: id)?.fields == ["email", "phone"])
        #expect(try store.openConflict(remote: "r", type: .lead, localID: a.id.description)?.id == id)
        try store.closeConflict(id: id, resolution: "took local")
        #expect(try store.conflicts().isEmpty)
        #expect(try store.conflicts(status: nil).map(\.resolution) == ["took local"])
        let refusal = SetAsideRecord(
            remote: "r", recordType: .lead, localID: a.id.description, changeSeq: 1, operation: "create", status: 400,
            message: "DKK is not valid")
        try store.applySync(Lead.self, records: [], links: [], remote: "r", setAside: [refusal])
        try store.applySync(Lead.self, records: [], links: [], remote: "r", setAside: [refusal])
        let aside = try store.setAsideRecords()
        #expect(aside.count == 1 && aside[0].attempts == 2 && aside[0].status == 400)
        let before = try #require(try store.recordForSync(Lead.self, id: a.id.description)).changeSeq
        #expect(try store.retrySetAside(Lead.self, localIDs: [a.id.description]) == 1)
        #expect(try #require(try store.recordForSync(Lead.self, id: a.id.description)).changeSeq > before)
        try store.applySync(Lead.self, records: [], links: [], remote: "r", clearSetAside: [a.id.description])
        #expect(try store.setAsideRecords(remote: "r").isEmpty)
    }

    @Test(
        "a lease held by a live run is refused; a dead or expired holder's is taken over; a new run marks a running one interrupted",
        arguments: StoreKind.allCases)
    func leasesAndRuns(kind: StoreKind) throws {
        let store = try open(kind)
        let host = ProcessInfo.processInfo.hostName
        #expect(
            try store.acquireLease(job: "j", owner: "\(host):1:a", pid: 1, seconds: 60, isAlive: { _ in true }) == nil)
        #expect(
            try store.acquireLease(job: "j", owner: "\(host):2:b", pid: 2, seconds: 60, isAlive: { _ in true }) != nil)
        // Same machine, holder's process gone: taken at once.
        #expect(
            try store.acquireLease(job: "j", owner: "\(host):2:b", pid: 2, seconds: 60, isAlive: { _ in false }) == nil)
        try store.releaseLease(job: "j", owner: "\(host):2:b")
        #expect(
            try store.acquireLease(job: "j", owner: "other:3:c", pid: 3, seconds: 0.2, isAlive: { _ in true }) == nil)
        #expect(
            try store.acquireLease(job: "j", owner: "\(host):4:d", pid: 4, seconds: 60, isAlive: { _ in true }) != nil)
        Thread.sleep(forTimeInterval: 0.4)
        #expect(
            try store.acquireLease(job: "j", owner: "\(host):4:d", pid: 4, seconds: 60, isAlive: { _ in true }) == nil)
        let first = try store.startRun(job: "j", profile: nil, baseURL: nil)
        let second = try store.startRun(job: "j", profile: nil, baseURL: nil)
        let runs = try store.runs()
        #expect(runs.first { $0.id == first }?.status == .interrupted)
        #expect(runs.first { $0.id == second }?.status == .running)
        try store.finishRun(id: second, status: .ok, counts: "{}", message: nil)
        #expect(try store.runs().first?.status == .ok)
    }

    /// A worker's heartbeat renewed only its job's lease; the lease of the record types the run held ran out during a
    /// long request, and another machine's run of the same types started beside it.
    @Test("a worker's heartbeat renews every lease its holder has: the job's and the record types'")
    func heartbeatRenewsEveryLease() throws {
        guard case .postgres(let url) = try StoreLocation(try StoreKind.postgres.makeLocation()) else { return }
        let store = try PostgresStore(url: url)
        for key in ["job", "remote r leads", "remote r tasks"] {
            #expect(
                try store.acquireLease(job: key, owner: "m1:1:a", pid: 1, seconds: 0.3, isAlive: { _ in true }) == nil)
        }
        #expect(
            try store.acquireLease(job: "other", owner: "m2:2:b", pid: 2, seconds: 0.3, isAlive: { _ in true }) == nil)
        #expect(try store.renewLeases(owner: "m1:1:a", seconds: 60) == 3)
        Thread.sleep(forTimeInterval: 0.5)
        // Another machine finds the renewed ones held, and the one not renewed free.
        for key in ["job", "remote r leads", "remote r tasks"] {
            #expect(
                try store.acquireLease(job: key, owner: "m3:3:c", pid: 3, seconds: 60, isAlive: { _ in true }) != nil)
        }
        #expect(
            try store.acquireLease(job: "other", owner: "m3:3:c", pid: 3, seconds: 60, isAlive: { _ in true }) == nil)
    }

    @Test(
        "a second open of the same store migrates nothing again; a read-only open of an empty database is refused",
        arguments: StoreKind.allCases)
    func reopen(kind: StoreKind) throws {
        let location = try kind.makeLocation()
        let store = try StoreLocation(location).openSyncStore(mode: .create)
        try store.save([lead(1)])
        let again = try StoreLocation(location).openSyncStore(mode: .readOnly)
        #expect(try again.count(.lead) == 1)
        let empty = try kind.makeLocation()
        #expect(throws: StoreError.self) { _ = try StoreLocation(empty).openSyncStore(mode: .readOnly) }
    }

    @Test(
        "a store with a schema step this crmgate does not know (a newer crmgate's) is refused by every open, not misread",
        arguments: StoreKind.allCases)
    func newerStore(kind: StoreKind) throws {
        let location = try kind.makeLocation()
        try StoreLocation(location).openSyncStore(mode: .create).save([lead(1)])
        let step = "v99: a step of a later crmgate"
        switch try StoreLocation(location) {
        case .sqlite(let path):
            try DatabaseQueue(path: path).write {
                try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [step])
            }
        case .postgres:
            let r = try TestSupport.run(
                "/usr/bin/psql",
                [
                    location, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                    "INSERT INTO crmgate_migrations (id) VALUES ('\(step)')",
                ])
            try #require(r.status == 0, "\(r.stderr)")
        }
        for mode in [CRMStore.OpenMode.readOnly, .update, .create] {
            #expect {
                _ = try StoreLocation(location).openSyncStore(mode: mode)
            } throws: {
                guard let e = $0 as? StoreError else { return false }
                return e.code == .newer && e.message.contains(step) && e.message.contains("newer crmgate")
            }
        }
    }
}

@Suite("PostgreSQL store: URLs, secrets, the job board, faults")
struct PostgresStoreTests {
    @Test("a URL with a password is refused without repeating the password; a wrong password names no secret")
    func passwords() throws {
        #expect(throws: StoreError.self) { _ = try StoreLocation("postgresql://u:hunter2@127.0.0.1:1/db") }
        do { _ = try StoreLocation("postgresql://u:hunter2@127.0.0.1:1/db") } catch let e as StoreError {
            #expect(e.code == .invalidLocation)
            #expect(!"\(e)".contains("hunter2"))
        }
        #expect(throws: StoreError.self) { _ = try StoreLocation("postgres://u@h/db?password=hunter2") }
        #expect(throws: StoreError.self) {
            _ = try StoreLocation("postgres://u@h/db?sslmode=require&sslpassword=hunter2")
        }
        #expect(try StoreLocation("store.sqlite") == .sqlite(path: "store.sqlite"))
        // libpq's keyword form is refused, not taken for a file name (a trial's made a file named after the password).
        for keywords in ["host=127.0.0.1 port=5432 user=u password=hunter2 dbname=postgres", "dbname=crm"] {
            do {
                _ = try StoreLocation(keywords)
                Issue.record("\(keywords) was taken")
            } catch let e as StoreError {
                #expect(e.code == .invalidLocation && !"\(e)".contains("hunter2"), "\(e)")
            }
        }
        #expect(try StoreLocation("/tmp/a=b/store.sqlite") == .sqlite(path: "/tmp/a=b/store.sqlite"))
        let server = try PostgresServer.shared()
        let dir = try TestSupport.temporaryDirectory()
        let wrong = dir.appendingPathComponent("pgpass")
        let line = try String(contentsOfFile: server.passfile, encoding: .utf8)
        let parts = line.split(separator: ":")
        try (parts.dropLast().joined(separator: ":") + ":not-the-password\n").write(
            to: wrong, atomically: true, encoding: .utf8)
        chmod(wrong.path, 0o600)
        let url = server.url(database: "postgres").replacingOccurrences(of: server.passfile, with: wrong.path)
        do {
            _ = try PostgresStore(url: url)
            Issue.record("a wrong password was accepted")
        } catch let e as StoreError {
            #expect(e.code == .cannotOpen)
            #expect(!"\(e)".contains("not-the-password"))
            #expect(!"\(e)".contains(String(parts.last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    @Test(
        "the job board: a due job is claimed by one holder only; a lapsed lease is taken over; finishing sets the next due time"
    )
    func jobBoard() throws {
        let url = try PostgresServer.shared().makeDatabase()
        let a = try PostgresStore(url: url)
        let b = try PostgresStore(url: url)
        try a.registerJobs([("j1", nil, nil, Date()), ("j2", "*/5 * * * *", nil, Date() + 3600)])
        try b.registerJobs([("j1", nil, nil, Date())])
        #expect(try a.claimDueJob(holder: "A", leaseSeconds: 0.5, among: ["j1", "j2"]) == "j1")
        #expect(try b.claimDueJob(holder: "B", leaseSeconds: 30, among: ["j1", "j2"]) == nil)
        #expect(try b.claimJob("j1", holder: "B", leaseSeconds: 30) != .claimed)
        #expect(try a.hasPendingJobs(among: ["j1", "j2"]))
        Thread.sleep(forTimeInterval: 0.8)
        // A stopped heartbeating: its lease ran out, B takes the job over, A can no longer renew or finish it.
        #expect(try b.claimDueJob(holder: "B", leaseSeconds: 30, among: ["j1", "j2"]) == "j1")
        #expect(try !a.heartbeat(job: "j1", holder: "A", leaseSeconds: 30))
        #expect(try !a.finishJob("j1", holder: "A", status: .ok, message: nil, next: .never))
        #expect(try b.heartbeat(job: "j1", holder: "B", leaseSeconds: 30))
        #expect(try b.finishJob("j1", holder: "B", status: .ok, message: nil, next: .never))
        #expect(try !a.hasPendingJobs(among: ["j1", "j2"]))
        let entries = try a.jobEntries()
        #expect(entries.map(\.name) == ["j1", "j2"])
        #expect(
            entries[0].runs == 2 && entries[0].lastStatus == .ok && entries[0].holder == nil
                && entries[0].nextDue == nil)
        #expect(entries[1].schedule == "*/5 * * * *" && entries[1].runs == 0)
        // A job that ran once and is not due again becomes due when a worker brings it with an interval.
        try b.registerJobs([("j1", nil, nil, Date())])
        #expect(try b.claimDueJob(holder: "B", leaseSeconds: 30, among: ["j1"]) == nil)
        try b.registerJobs([("j1", nil, 5, Date())])
        #expect(try b.claimDueJob(holder: "B", leaseSeconds: 30, among: ["j1"]) == "j1")
        #expect(try b.finishJob("j1", holder: "B", status: .ok, message: nil, next: .never))
        #expect(try a.claimJob("j2", holder: "A", leaseSeconds: 30) == .claimed)
        #expect(try a.finishJob("j2", holder: "A", status: .failed, message: "boom", next: .keep))
        #expect(try a.jobEntries()[1].lastMessage == "boom")
        // A new schedule sets the next due time anew: a trial's every-minute job kept the old daily time.
        let soon = Date() + 60
        try b.registerJobs([("j2", "* * * * *", nil, soon)])
        let due = try #require(try a.jobEntries()[1].nextDue)
        #expect(abs(due.timeIntervalSince(soon)) < 1, "\(due) against \(soon)")
        // The same schedule brought again keeps the due time it has.
        try b.registerJobs([("j2", "* * * * *", nil, soon + 600)])
        #expect(abs(try #require(try a.jobEntries()[1].nextDue).timeIntervalSince(soon)) < 1)
    }

    @Test("a value with U+0000 is refused on PostgreSQL, whole, not cut short at it")
    func nul() throws {
        let store = try PostgresStore(url: try PostgresServer.shared().makeDatabase())
        var l = Lead(id: RecordID.make())
        l.firstName = "before\u{0}after"
        #expect(throws: StoreError.self) { try store.save([l]) }
        #expect(try store.count(.lead) == 0)
        // The connection is usable after the refusal (its transaction was rolled back).
        l.firstName = "fine"
        try store.save([l])
        #expect(try store.count(.lead) == 1)
    }

    @Test(
        "a server restart: the call in flight fails as a lost connection, the next one reconnects and sees every committed write"
    )
    func restart() throws {
        let server = try PostgresServer.startPrivate()
        defer { server.stop() }
        let url = try server.makeDatabase()
        let store = try PostgresStore(url: url)
        let l = Lead(id: RecordID.make())
        try store.save([l])
        try server.restart()
        // The connection is gone; the first call may fail (lost connection) or reconnect, never lose the record.
        var count: Int?
        for _ in 0..<3 where count == nil { count = try? store.count(.lead) }
        #expect(count == 1)
        try store.save([Lead(id: RecordID.make())])
        #expect(try store.count(.lead) == 2)
    }
}

@Suite("SyncStore journals per remote")
struct JournalPerRemoteTests {
    @Test(
        "a step that links a record at one remote clears that remote's create journal only",
        arguments: StoreKind.allCases)
    func journalPerRemote(kind: StoreKind) throws {
        let store = try StoreLocation(try kind.makeLocation()).openSyncStore(mode: .create)
        let l = Lead(id: RecordID.make())
        try store.save([l])
        let id = l.id.description
        for r in ["a", "b"] {
            try store.journalCreates(
                remote: r, type: .lead, entries: [(localID: id, key: "k-\(r)", lookup: nil, sent: "{}")])
        }
        try store.applySync(
            Lead.self, records: [],
            links: [SyncLink(remote: "a", recordType: .lead, localID: id, remoteID: "1", base: "{}")],
            clearJournal: [id], remote: "a")
        #expect(try store.journal(remote: "a", type: .lead, localIDs: [id]).isEmpty)
        #expect(try store.journal(remote: "b", type: .lead, localIDs: [id])[id]?.key == "k-b")
    }
}
