import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

/// Workers on a shared PostgreSQL store, as separate `crmgate jobs worker` processes against real HTTP test remotes.
@Suite("jobs worker on PostgreSQL", .serialized)
struct WorkerTests {
    static let token = "tok-\(UUID().uuidString)"

    /// Ten remotes, each with leads, opportunities and tasks; thirty jobs (one per remote and type) in a folder: the
    /// store's leads pushed to every remote, opportunities and tasks pulled from each. (Leads both ways would make the
    /// store a hub whose remotes' contents depend on the order the jobs ran in.)
    final class Fleet: @unchecked Sendable {
        let remotes: [TestRemote]
        let dir: URL
        let jobs: URL
        let profile: URL

        init(remotes count: Int = 10, records: Int = 40) throws {
            self.records = records
            remotes = try (0..<count).map { _ in
                try TestRemote(flavor: "generic", arguments: ["--token", WorkerTests.token])
            }
            dir = try TestSupport.temporaryDirectory("crmgate-workers")
            jobs = dir.appendingPathComponent("jobs")
            try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
            // Small pages, so that a run is many requests long and a kill lands in the middle of one.
            var yaml = try String(contentsOfFile: TestSupport.mapping("remotes/generic-rest.yaml"), encoding: .utf8)
            yaml = yaml.replacingOccurrences(of: "limit: 500", with: "limit: 8")
            profile = dir.appendingPathComponent("generic-rest.yaml")
            try yaml.write(to: profile, atomically: true, encoding: .utf8)
            for r in remotes.indices {
                for type in ["leads", "opportunities", "tasks"] {
                    try """
                    name: r\(r)-\(type)
                    profile: \(profile.path)
                    base_url: \(remotes[r].baseURL)
                    types: [\(type)]
                    direction: \(type == "leads" ? "push" : "pull")
                    batch_size: 8
                    """.write(to: jobs.appendingPathComponent("r\(r)-\(type).yaml"), atomically: true, encoding: .utf8)
                }
            }
            try seed()
        }

        let records: Int

        /// Empties the remotes and puts the same records on them again.
        func seed() throws {
            for (r, remote) in remotes.enumerated() {
                try remote.control("POST", "/reset")
                let leads = (0..<records).map {
                    #"{"first_name":"F\#($0)","last_name":"R\#(r)","email":"r\#(r)-\#($0)@example.com","company":"Co \#($0 % 7)"}"#
                }
                let opps = (0..<records).map {
                    #"{"name":"Deal \#(r)-\#($0)","stage":"Qualification","amount":"\#($0 * 100).50","currency":"EUR"}"#
                }
                let tasks = (0..<records).map { #"{"title":"Call \#(r)-\#($0)","status":"open"}"# }
                try remote.control("POST", "/records/leads", json: #"{"data":[\#(leads.joined(separator: ","))]}"#)
                try remote.control(
                    "POST", "/records/opportunities", json: #"{"data":[\#(opps.joined(separator: ","))]}"#)
                try remote.control("POST", "/records/tasks", json: #"{"data":[\#(tasks.joined(separator: ","))]}"#)
            }
        }

        /// What the remotes hold: every live lead's e-mail and name, per remote.
        func remoteContents() throws -> [[String]] {
            try remotes.map { remote in
                try remote.records("leads").filter { ($0["deleted"] as? Bool) != true }
                    .map { "\($0["email"] as? String ?? "-") \($0["first_name"] as? String ?? "-")" }.sorted()
            }
        }

        /// Every request answered after `ms` milliseconds.
        func slow(_ ms: Int) throws {
            for r in remotes {
                try r.control("POST", "/faults", json: #"{"fraction":1,"kinds":["delay"],"delay_ms":\#(ms)}"#)
            }
        }

        deinit {
            for r in remotes { r.stop() }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    static func worker(
        _ bin: String, store: String, jobs: URL, extra: [String] = [], exitWhenIdle: Bool = true
    ) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments =
            ["jobs", "worker", "--jobs", jobs.path, "--store", store, "--poll", "0.2"]
            + (exitWhenIdle ? ["--exit-when-idle"] : []) + extra
        var env = ProcessInfo.processInfo.environment
        env["CRM_API_TOKEN"] = token
        p.environment = env
        p.currentDirectoryURL = TestSupport.repoRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    static func wait(_ p: Process, seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return false
        }
        return true
    }

    /// What a store holds, in a form two stores can be compared by: every live record's fields, sorted.
    static func contents(_ store: any SyncStore) throws -> [String] {
        var out: [String] = []
        try store.forEach(Lead.self) { l, _ in
            out.append("lead \(l.email) \(l.firstName) \(l.lastName) \(l.company)")
        }
        try store.forEach(Opportunity.self) { o, _ in
            out.append("opp \(o.name) \(o.stage) \(o.amount.map { "\($0)" } ?? "") \(o.currency)")
        }
        try store.forEach(CRMTask.self) { t, _ in out.append("task \(t.title) \(t.status)") }
        return out.sorted()
    }

    @Test(
        "three workers, thirty jobs on ten remotes, one worker SIGKILLed mid-run: every job runs, none twice at once, the store equals a one-process run"
    )
    func threeWorkers() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let fleet = try Fleet(records: 80)
        let shared = try PostgresServer.shared().makeDatabase("workers")
        // The store's own leads, pushed to every remote by the leads jobs.
        let local = (0..<15).map { i -> Lead in
            var l = Lead(id: RecordID.make())
            l.firstName = "Local\(i)"
            l.email = "local\(i)@example.com"
            return l
        }
        try PostgresStore(url: shared).save(local)
        try fleet.slow(60)
        let workers = try (0..<3).map { _ in
            try Self.worker(bin, store: shared, jobs: fleet.jobs, extra: ["--slots", "2", "--lease", "2"])
        }
        // Kill the first worker once it holds a job.
        let board = try PostgresStore(url: shared)
        let victim = "\(ProcessInfo.processInfo.hostName):\(workers[0].processIdentifier):"
        var killedHolding: String?
        let deadline = Date(timeIntervalSinceNow: 30)
        while killedHolding == nil, Date() < deadline {
            // A pull job: eleven pages of 60 ms each, so the kill lands inside the run.
            // Killed only once its run is recorded as running: between the claim and the run's record the worker
            // opens the store and takes the lease, which on a busy machine can take longer than any fixed pause.
            let running = Set(try board.runs().filter { $0.status == .running }.map(\.job))
            if let held = try board.jobEntries().first(where: {
                $0.holder?.hasPrefix(victim) == true && !$0.name.hasSuffix("-leads") && running.contains($0.name)
            }) {
                Thread.sleep(forTimeInterval: 0.1)
                kill(workers[0].processIdentifier, SIGKILL)
                killedHolding = held.name
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        let killed = try #require(killedHolding, "the first worker never held a job")
        workers[0].waitUntilExit()
        for w in workers.dropFirst() { #expect(Self.wait(w, seconds: 120), "a worker did not finish") }
        for w in workers.dropFirst() { #expect(w.terminationStatus == 0) }

        let entries = try board.jobEntries()
        #expect(entries.count == 30)
        // Every job ran to the end, and nobody holds one.
        #expect(
            entries.allSatisfy { $0.lastStatus == .ok && $0.holder == nil && $0.nextDue == nil },
            "\(entries.filter { $0.lastStatus != .ok })")
        // The killed worker's job was taken over after its lease ran out and finished by another worker.
        let killedEntry = try #require(entries.first { $0.name == killed })
        #expect(killedEntry.runs >= 2)
        let runs = try board.runs()
        #expect(runs.contains { $0.job == killed && $0.status == .interrupted })
        #expect(runs.contains { $0.job == killed && $0.status == .ok })
        // No job's runs overlap: each run of a job starts after the one before it ended (an interrupted run ends when
        // the next one takes over, which is after the dead worker's lease ran out).
        for job in Set(runs.map(\.job)) {
            let mine = runs.filter { $0.job == job }.sorted { $0.id < $1.id }
            for (a, b) in zip(mine, mine.dropFirst()) {
                #expect(
                    (a.finishedAt ?? "~") <= b.startedAt,
                    "\(job): run \(a.id) ended \(a.finishedAt ?? "never") after run \(b.id) started \(b.startedAt)")
            }
        }
        // The same jobs in one process (no faults, one slot), from the same start (remotes seeded again, a second
        // database with the same local leads): the same records in the store and on every remote.
        let remotesAfterWorkers = try fleet.remoteContents()
        try fleet.seed()
        let single = try PostgresServer.shared().makeDatabase("single")
        try PostgresStore(url: single).save(local)
        let one = try Self.worker(bin, store: single, jobs: fleet.jobs)
        #expect(Self.wait(one, seconds: 120))
        let a = try Self.contents(board)
        let b = try Self.contents(try PostgresStore(url: single))
        #expect(a.count == 10 * 2 * fleet.records + 15)
        #expect(a == b)
        #expect(
            remotesAfterWorkers.allSatisfy { $0.count == fleet.records + 15 },
            "\(remotesAfterWorkers.map(\.count)) \(remotesAfterWorkers.first?.suffix(20) ?? [])")
        #expect(try fleet.remoteContents() == remotesAfterWorkers)
    }

    @Test("SIGTERM: the run in progress finishes and is recorded, then the worker exits 0 and holds nothing")
    func sigterm() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let fleet = try Fleet(remotes: 1, records: 120)
        let url = try PostgresServer.shared().makeDatabase("sigterm")
        try fleet.slow(40)
        let p = try Self.worker(bin, store: url, jobs: fleet.jobs, extra: ["--every", "60"], exitWhenIdle: false)
        let board = try PostgresStore(url: url)
        // Wait until it holds a pull job (sixteen slow pages: the signal lands inside the run).
        var held: String?
        let deadline = Date(timeIntervalSinceNow: 30)
        while held == nil, Date() < deadline {
            held = try board.jobEntries().first { $0.holder != nil && !$0.name.hasSuffix("-leads") }?.name
            if held == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let job = try #require(held, "the worker never held a pull job")
        kill(p.processIdentifier, SIGTERM)
        #expect(Self.wait(p, seconds: 60), "the worker did not stop after SIGTERM")
        #expect(p.terminationStatus == 0)
        let entry = try #require(try board.jobEntries().first { $0.name == job })
        #expect(entry.holder == nil && entry.lastStatus == .ok, "\(entry)")
        #expect(try board.runs().filter { $0.job == job }.map(\.status) == [RunStatus.ok])
    }

    @Test(
        "the database restarted in the middle of the runs: workers reconnect with backoff, the runs resume from their checkpoints"
    )
    func databaseRestart() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let fleet = try Fleet(remotes: 2, records: 200)
        let server = try PostgresServer.startPrivate()
        defer { server.stop() }
        let url = try server.makeDatabase("restart")
        try fleet.slow(40)
        let worker = try Self.worker(
            bin, store: url, jobs: fleet.jobs, extra: ["--slots", "2", "--lease", "5", "--retry-after", "0.5"])
        Thread.sleep(forTimeInterval: 1.0)
        try server.restart()
        #expect(Self.wait(worker, seconds: 180), "the worker did not finish after the restart")
        #expect(worker.terminationStatus == 0)
        let store = try PostgresStore(url: url)
        let entries = try store.jobEntries()
        #expect(entries.count == 6 && entries.allSatisfy { $0.lastStatus == .ok }, "\(entries)")
        #expect(try store.count(.opportunity) == 400 && store.count(.task) == 400)
        let runs = try store.runs()
        #expect(
            runs.contains { $0.status == .failed || $0.status == .interrupted }, "the restart did not land in a run")
    }
}
