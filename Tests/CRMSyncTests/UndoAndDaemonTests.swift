import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

@Suite("Undo of a sync run, and the jobs daemon", .serialized)
struct UndoAndDaemonTests {
    func client(_ b: SyncBench) throws -> RemoteClient {
        try RemoteClient(profile: b.profile, baseURL: b.remote.baseURL, environment: b.remote.environment)
    }

    @Test("undo deletes on the remote what a push created, and refuses a record changed since")
    func undoPush() async throws {
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(3))
        let r = try await b.run(b.job(direction: .push))
        let run = try #require(r.runID)
        let rid = try b.remoteID(email: "p1@example.com")
        try b.remote.control("PATCH", "/records/leads/\(rid)", json: #"{"company":"changed by someone"}"#)
        let out = try await RunUndo(store: b.store, client: try client(b)).undo(run: run)
        #expect(out.reverted == 2 && out.refused == 1)
        #expect(out.lines.contains { $0.contains(rid) && $0.contains("refused") })
        let live = try b.remoteLeads()
        #expect(live.keys.sorted() == ["p1@example.com"])
        #expect(try b.store.links(remote: "generic-rest@" + b.remote.baseURL, type: .lead).count == 1)
        // Back to before the run: the two leads wait to be created, and the next push creates them (a trial's stayed
        // local for good, every push saying "0 created").
        let again = try await b.run(b.job(direction: .push))
        #expect(again.counts.pushedCreated == 2, "\(again.lines)")
        #expect(try b.remoteLeads().count == 3)
    }

    @Test("undo of a pushed update restores the remote, and the local edit waits to be pushed as before the run")
    func undoPushedUpdate() async throws {
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(2))
        _ = try await b.run(b.job(direction: .push))
        var p0 = try #require(try b.store.all(Lead.self).first { $0.email == "p0@example.com" })
        p0.company = "Edited here"
        try b.store.save([p0])
        let r = try await b.run(b.job(direction: .push))
        #expect(r.counts.pushedUpdated == 1)
        let out = try await RunUndo(store: b.store, client: try client(b)).undo(run: try #require(r.runID))
        #expect(out.reverted == 1 && out.lines.contains { $0.contains("the next push sends again") }, "\(out.lines)")
        #expect(try b.remoteLeads()["p0@example.com"]?["company"] as? String == "Company 0")
        // Not lost between the sides: the next sync sees the difference (a trial's every later run said "0 updated").
        let again = try await b.run(b.job(direction: .push))
        #expect(again.counts.pushedUpdated == 1, "\(again.lines)")
        #expect(try b.remoteLeads()["p0@example.com"]?["company"] as? String == "Edited here")
    }

    @Test("undo of a pull deletes the records it created locally and restores the ones it overwrote")
    func undoPull() async throws {
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(2))
        _ = try await b.run(b.job())
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"company":"Remote Co"}"#)
        try b.remote.control(
            "POST", "/records/leads", json: #"{"data":[{"first_name":"New","email":"new@example.com"}]}"#)
        let r = try await b.run(b.job(direction: .pull))
        #expect(r.counts.pulledCreated == 1 && r.counts.pulledUpdated == 1)
        let dry = try await RunUndo(store: b.store, client: try client(b)).undo(
            run: try #require(r.runID), dryRun: true)
        #expect(dry.reverted == 2)
        #expect(try b.store.count(.lead) == 3)
        let out = try await RunUndo(store: b.store, client: try client(b)).undo(run: try #require(r.runID))
        #expect(out.reverted == 2 && out.refused == 0)
        #expect(try b.store.count(.lead) == 2)
        // The undone run still says what it did (its counts were wiped: `runs list` showed "no changes").
        let undone = try #require(try b.store.runs().first { $0.id == r.runID })
        #expect(undone.status == .undone && undone.counts.contains("\"pulled_created\":1"), "\(undone.counts)")
        #expect(undone.message?.contains("2 changes") == true)
        #expect(try b.store.all(Lead.self).first { $0.email == "p0@example.com" }?.company == "Company 0")
        // The remote record the run had pulled is still there: the next pull takes it again (a trial's never came
        // back: the listing skipped it at its mark, `--full` too).
        let again = try await b.run(b.job(direction: .pull))
        #expect(again.counts.pulledCreated == 1, "\(again.lines)")
        #expect(try b.store.all(Lead.self).contains { $0.email == "new@example.com" })
    }

    @Test(
        "remote move: the same remote at a new address keeps its links (without it, it is another remote that matches everything again)",
        arguments: StoreKind.allCases)
    func remoteMove(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        _ = try await b.run(b.job())
        // The same server under another name: a new address, as a restart on another port would give.
        let moved = b.remote.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        func run(dryRun: Bool) async throws -> SyncReport {
            let client = try RemoteClient(profile: b.profile, baseURL: moved, environment: b.remote.environment)
            return try await SyncEngine(store: b.store, job: b.job(), client: client, dryRun: dryRun).run()
        }
        let before = try await run(dryRun: true)
        #expect(before.counts.matched == 3, "another remote to the store: everything matched again by e-mail")
        let r = try RemoteMove.move(
            store: b.store, profile: b.profile.name, from: b.remote.baseURL + "/", to: moved, dryRun: false)
        #expect(r.links == 3 && r.rows >= 3 && r.to == "generic-rest@" + moved)
        let after = try await run(dryRun: false)
        #expect(after.counts.matched == 0 && after.counts.pulledCreated == 0 && after.counts.pushedCreated == 0)
        #expect(try b.store.links(remote: "generic-rest@" + moved, type: .lead).count == 3)
        #expect(try b.store.links(remote: "generic-rest@" + b.remote.baseURL, type: .lead).isEmpty)
        // Past runs name the new address (undo builds its client from it; a review).
        let addresses = try b.store.runs().map(\.baseURL)
        #expect(addresses.allSatisfy { $0 == moved }, "\(addresses)")
        // Nothing left at the old address; and a new address that has links of its own is not mixed with them.
        #expect(throws: SyncError.self) {
            try RemoteMove.move(
                store: b.store, profile: "generic-rest", from: b.remote.baseURL, to: moved, dryRun: false)
        }
        // Another job run at the old address reads it all and makes links there again (matched by e-mail).
        #expect(try await b.run(b.job(name: "other")).counts.matched == 3)
        let mix = #expect(throws: SyncError.self) {
            try RemoteMove.move(
                store: b.store, profile: "generic-rest", from: b.remote.baseURL, to: moved, dryRun: true)
        }
        #expect(mix?.code == .invalidProfile && mix?.message.contains("mix") == true)
    }

    @Test("two job files of one name are refused, naming both (a trial's took turns setting one board entry)")
    func duplicateJobNames() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let dir = try TestSupport.temporaryDirectory()
        for (file, schedule) in [("a.yaml", "*/5 * * * *"), ("b.yaml", "* * * * *")] {
            try """
            name: same
            profile: generic-rest
            base_url: http://127.0.0.1:9
            types: [leads]
            schedule: "\(schedule)"
            """.write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let r = try TestSupport.run(
            bin, ["jobs", "daemon", "--jobs", dir.path, "--store", dir.appendingPathComponent("s.sqlite").path],
            cwd: TestSupport.repoRoot)
        #expect(r.status == 78, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("a.yaml and b.yaml both name the job 'same'"), "\(r.stderr)")
    }

    @Test("jobs daemon runs its jobs on their schedule and stops cleanly on SIGTERM")
    func daemon() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let b = try SyncBench()
        let jobs = b.dir.appendingPathComponent("jobs")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try """
        name: pull-leads
        profile: generic-rest
        base_url: \(b.remote.baseURL)
        types: [leads]
        direction: pull
        schedule: "* * * * *"
        """.write(to: jobs.appendingPathComponent("pull-leads.yaml"), atomically: true, encoding: .utf8)
        try b.remote.control("POST", "/records/leads", json: #"{"data":[{"first_name":"A","email":"a@example.com"}]}"#)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["jobs", "daemon", "--jobs", jobs.path, "--every", "0.3", "--store", b.storePath]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in b.remote.environment { env[k] = v }
        p.environment = env
        p.currentDirectoryURL = TestSupport.repoRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 1.0)
        try b.remote.control("POST", "/records/leads", json: #"{"data":[{"first_name":"B","email":"b@example.com"}]}"#)
        Thread.sleep(forTimeInterval: 1.0)
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: 10)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let stopped = !p.isRunning
        if !stopped { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(stopped)
        #expect(p.terminationStatus == 0)
        let store = try CRMStore(path: b.storePath)
        #expect(try store.count(.lead) == 2)
        #expect(try store.runs().count >= 3)
        #expect(try store.runs().allSatisfy { $0.status == .ok })
    }
}

@Suite("crmgate remote check")
struct RemoteCheckTests {
    @Test("reads one page of each record type and says what it found; a wrong secret is reported without the secret")
    func check() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let remote = try TestRemote(flavor: "generic")
        try remote.control(
            "POST", "/records/leads",
            json: #"{"data":[{"first_name":"A","email":"a@example.com","address":{"city":"Graz"}}]}"#)
        func run(_ env: [String: String]) throws -> (Int32, String, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["remote", "check", "generic-rest", "--base-url", remote.baseURL]
            var e = ProcessInfo.processInfo.environment
            e["CRM_API_TOKEN"] = nil
            for (k, v) in env { e[k] = v }
            p.environment = e
            p.currentDirectoryURL = TestSupport.repoRoot
            let out = Pipe()
            let err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            p.waitUntilExit()
            return (
                p.terminationStatus, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            )
        }
        let ok = try run(remote.environment)
        #expect(ok.0 == 0, "\(ok.2)")
        #expect(ok.1.contains("leads: 1 record(s) on the first page"))
        #expect(ok.1.contains("address.city"))
        let wrong = try run(["CRM_API_TOKEN": "wrong-secret-value"])
        #expect(wrong.0 == 69)
        #expect(wrong.1.contains("HTTP 401"))
        #expect(!(wrong.1 + wrong.2).contains("wrong-secret-value"))
        let missing = try run([:])
        #expect(missing.0 == 78)
        #expect(missing.2.contains("CRM_API_TOKEN"))
    }
}

@Suite("conflicts, runs and review commands")
struct QueueCommandTests {
    @Test("conflicts list/show/resolve and runs list read and change the store; review list/reject/accept too")
    func commands() async throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(2))
        _ = try await b.run(b.job(.manual))
        var l = try b.store.all(Lead.self).first { $0.email == "p0@example.com" }!
        l.company = "Local Co"
        try b.store.save([l])
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"company":"Remote Co"}"#)
        _ = try await b.run(b.job(.manual))
        let id = try #require(try b.store.conflicts().first).id
        let list = try TestSupport.run(bin, ["conflicts", "list", "--store", b.storePath])
        #expect(list.status == 0 && list.stdout.contains("company"))
        let listJSON = try TestSupport.run(bin, ["conflicts", "list", "--json", "--store", b.storePath])
        let conflicts = try JSONSerialization.jsonObject(with: Data(listJSON.stdout.utf8)) as? [[String: Any]]
        #expect(conflicts?.count == 1)
        let conflict = conflicts?.first
        #expect(conflict?["id"] as? Int == Int(id) && (conflict?["fields"] as? [String])?.contains("company") == true)
        let show = try TestSupport.run(bin, ["conflicts", "show", String(id), "--store", b.storePath])
        #expect(show.stdout.contains(#"local "Local Co""#) && show.stdout.contains(#"remote "Remote Co""#))
        // --json on show, as README has it for a command about one thing (a trial found it missing).
        let showJSON = try TestSupport.run(bin, ["conflicts", "show", String(id), "--json", "--store", b.storePath])
        let one = try JSONSerialization.jsonObject(with: Data(showJSON.stdout.utf8)) as? [String: Any]
        #expect(one?["id"] as? Int == Int(id), "\(showJSON.stdout)")
        #expect((one?["local"] as? [String: Any])?["company"] as? String == "Local Co")
        #expect((one?["remote"] as? [String: Any])?["company"] as? String == "Remote Co")
        let resolve = try TestSupport.run(
            bin, ["conflicts", "resolve", String(id), "--take", "remote", "--store", b.storePath])
        #expect(resolve.status == 0)
        #expect(try b.store.conflicts().isEmpty)
        #expect(try b.store.record(Lead.self, id: l.id.description).company == "Remote Co")
        let again = try TestSupport.run(bin, ["conflicts", "resolve", String(id), "--store", b.storePath])
        #expect(again.status == 64)
        let runs = try TestSupport.run(bin, ["runs", "list", "--store", b.storePath])
        // Counts in words, only those that are not zero; --json has every count.
        #expect(
            runs.stdout.split(separator: "\n").count == 2 && runs.stdout.contains("pushed created")
                && !runs.stdout.contains("{"))
        #expect(!runs.stdout.contains("pulled deleted 0"))
        let json = try TestSupport.run(bin, ["runs", "list", "--json", "--store", b.storePath])
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(objects.count == 2)
        #expect(objects.allSatisfy { ($0["counts"] as? [String: Any])?["pulled_deleted"] as? Int != nil })
        #expect(objects.contains { (($0["counts"] as? [String: Any])?["pushed_created"] as? Int ?? 0) > 0 })

        let leads = try b.store.all(Lead.self)
        try b.sqlite.proposeReview(
            type: .lead, pairs: [(leads[0].id.description, leads[1].id.description, 3.0)], importID: nil)
        let pair = try #require(try b.sqlite.reviewPairs().first)
        #expect(try TestSupport.run(bin, ["review", "list", "--store", b.storePath]).stdout.contains("weight 3.0"))
        let pairJSON = try TestSupport.run(bin, ["review", "list", "--json", "--store", b.storePath]).stdout
        let pairObjects = try JSONSerialization.jsonObject(with: Data(pairJSON.utf8)) as? [[String: Any]]
        #expect(pairObjects?.count == 1)
        let pairObject = pairObjects?.first
        // The pair's two leads, in whichever order the queue keeps them.
        let ids = Set([pairObject?["a"] as? String, pairObject?["b"] as? String].compactMap { $0 })
        #expect(pairObject?["id"] as? Int == Int(pair.id) && ids == [leads[0].id.description, leads[1].id.description])
        #expect(try TestSupport.run(bin, ["review", "reject", String(pair.id), "--store", b.storePath]).status == 0)
        #expect(try b.sqlite.reviewPairs().isEmpty)
        #expect(try TestSupport.run(bin, ["review", "accept", String(pair.id), "--store", b.storePath]).status == 64)
        #expect(try b.store.count(.lead) == 2)
    }
}

@Suite("A remote that stops answering")
struct RemoteTimeoutTests {
    @Test(
        "sync apply times out after the allowed attempts with exit 69, the run is recorded as failed, and the next run completes"
    )
    func timeoutExit() throws { try timeoutExitBody() }

    /// A trial's SIGTERM ended `sync apply` at once: its run stayed "running", its leases held for ten minutes.
    @Test("SIGTERM stops sync apply at its next checkpoint: exit 130, the run interrupted, its leases let go")
    func signalledApply() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(400))
        try b.remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["delay"],"delay_ms":20}"#)
        let args = [
            "sync", "apply", "--profile", "generic-rest", "--types", "leads", "--base-url", b.remote.baseURL, "--store",
            b.storePath, "--batch-size", "20", "--concurrency", "1",
        ]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(b.remote.environment) { $1 }
        p.currentDirectoryURL = TestSupport.repoRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 2)
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        // Recorded as interrupted, its leases let go: the next run starts at once and finishes the work.
        #expect(try b.store.runs().first?.status == .interrupted)
        try b.remote.control("POST", "/faults", json: #"{"fraction":0}"#)
        let again = try TestSupport.run(bin, args, cwd: TestSupport.repoRoot, environment: b.remote.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try b.remote.records("leads").count == 400)
    }

    func timeoutExitBody() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(30))
        let generic = try String(contentsOfFile: TestSupport.mapping("remotes/generic-rest.yaml"), encoding: .utf8)
        #expect(generic.contains("timeouts: {connect: 10, total: 60}") && generic.contains("retry: {max_attempts: 8}"))
        let profile = b.dir.appendingPathComponent("generic-rest-1s.yaml")
        try generic.replacingOccurrences(
            of: "timeouts: {connect: 10, total: 60}", with: "timeouts: {connect: 1, total: 1}"
        )
        .replacingOccurrences(of: "retry: {max_attempts: 8}", with: "retry: {max_attempts: 2}")
        .write(to: profile, atomically: true, encoding: .utf8)
        let args = [
            "sync", "apply", "--profile", profile.path, "--types", "leads", "--base-url", b.remote.baseURL, "--store",
            b.storePath,
        ]
        func run() throws -> (status: Int32, stderr: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = args
            var e = ProcessInfo.processInfo.environment
            for (k, v) in b.remote.environment { e[k] = v }
            p.environment = e
            p.currentDirectoryURL = TestSupport.repoRoot
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        try b.remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["timeout"],"timeout_ms":2500}"#)
        let stuck = try run()
        #expect(stuck.status == 69, "\(stuck.stderr)")
        #expect(
            stuck.stderr.lowercased().contains("timed out") || stuck.stderr.contains("curl 28")
                || stuck.stderr.contains("(28)"), "\(stuck.stderr)")
        #expect(try b.store.runs().first?.status == .failed)  // newest first
        #expect(try b.remote.records("leads").isEmpty)
        try b.remote.control("POST", "/faults", json: #"{"fraction":0}"#)
        // `sync apply --dry-run` is `sync plan`: it says what would change and changes nothing.
        let dry = try TestSupport.run(
            bin, args + ["--dry-run"], cwd: TestSupport.repoRoot, environment: b.remote.environment)
        #expect(dry.status == 0 && dry.stdout.contains("push: create lead"), "\(dry.stdout)\(dry.stderr)")
        #expect(try b.remote.records("leads").isEmpty)
        let next = try run()
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try b.remoteLeads().count == 30)
        // Then a plan has nothing to do, and says so as JSON too.
        let plan = try TestSupport.run(
            bin, ["sync", "plan", "--json"] + args.dropFirst(2), cwd: TestSupport.repoRoot,
            environment: b.remote.environment)
        let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        #expect(object?["plan"] as? Bool == true, "\(plan.stdout)\(plan.stderr)")
        #expect(
            (object?["counts"] as? [String: Any])?["pushed_created"] as? Int == 0
                && (object?["lines"] as? [Any])?.isEmpty == true)
    }
}
