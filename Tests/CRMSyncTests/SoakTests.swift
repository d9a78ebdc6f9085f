import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

/// Issue #9: `jobs daemon` syncing with a remote that fails 20% of requests, while both sides are edited, for
/// CRMGATE_SOAK_SECONDS (default 15; scripts/soak.sh runs it for minutes). At the end both sides hold the same
/// records, nothing is duplicated, the daemon's memory did not grow, and no conflict is left unsettled.
@Suite("Soak: the jobs daemon under faults while both sides change", .serialized)
struct SoakTests {
    static func rssKB(_ pid: Int32) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
        }
        return 0
    }

    @Test("converges with no duplicate and no growth")
    func soak() throws {
        guard let bin = TestSupport.crmgateBinary else { return }
        let seconds = Double(ProcessInfo.processInfo.environment["CRMGATE_SOAK_SECONDS"] ?? "") ?? 15
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(80))
        let seeded = (0..<40).map { #"{"first_name":"R\#($0)","last_name":"Remote","email":"r\#($0)@example.com","company":"Remote Co"}"# }.joined(separator: ",")
        try b.remote.control("POST", "/records/leads", json: #"{"data":[\#(seeded)]}"#)
        let jobs = b.dir.appendingPathComponent("jobs")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try """
            name: soak
            profile: generic-rest
            base_url: \(b.remote.baseURL)
            types: [leads]
            direction: both
            policy: newest-wins
            field_rules: {tags: union}
            batch_size: 25
            concurrency: 4
            """.write(to: jobs.appendingPathComponent("soak.yaml"), atomically: true, encoding: .utf8)
        try b.remote.control("POST", "/faults", json: #"{"fraction":0.2,"kinds":["503","429","500","drop","drop_after","malformed","malformed_after","delay"],"delay_ms":40,"retry_after":"0","seed":5}"#)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: bin)
        daemon.arguments = ["jobs", "daemon", "--jobs", jobs.path, "--every", "0.5", "--store", b.storePath]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in b.remote.environment { env[k] = v }
        daemon.environment = env
        daemon.currentDirectoryURL = TestSupport.repoRoot
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        let deadline = Date(timeIntervalSinceNow: seconds)
        var rss: [Int] = []
        var edits = 0, n = 0
        var rng = SplitMix(seed: 9)
        while Date() < deadline {
            n += 1
            switch rng.next() % 4 {
            case 0:  // a local edit
                var all = try b.store.all(Lead.self)
                if !all.isEmpty {
                    var l = all.remove(at: Int(rng.next() % UInt64(all.count)))
                    l.notes = "local edit \(n)"
                    l.updatedAt = Date()
                    try b.store.save([l])
                    edits += 1
                }
            case 1:  // a remote edit
                let live = try b.remote.records("leads").filter { ($0["deleted"] as? Bool) != true }
                if !live.isEmpty, let id = live[Int(rng.next() % UInt64(live.count))]["id"] as? String {
                    _ = try? b.remote.control("PATCH", "/records/leads/\(id)", json: #"{"company":"remote edit \#(n)"}"#)
                    edits += 1
                }
            case 2:  // a new local lead
                var l = SyncBench.leads(1, prefix: "new\(n)-")[0]
                l.firstName = "New\(n)"
                try b.store.save([l])
            default:  // a new remote lead
                _ = try? b.remote.control("POST", "/records/leads", json: #"{"data":[{"first_name":"Rnew\#(n)","email":"rnew\#(n)@example.com"}]}"#)
            }
            rss.append(Self.rssKB(daemon.processIdentifier))
            Thread.sleep(forTimeInterval: 0.15)
        }
        try b.remote.control("POST", "/faults", json: #"{"fraction":0}"#)
        Thread.sleep(forTimeInterval: 3)  // a few fault-free runs
        kill(daemon.processIdentifier, SIGTERM)
        let stopBy = Date(timeIntervalSinceNow: 20)
        while daemon.isRunning && Date() < stopBy { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!daemon.isRunning)
        if !daemon.isRunning { #expect(daemon.terminationStatus == 0) }
        // One more run of the job settles what the last seconds changed.
        for _ in 0..<2 {
            let settle = Process()
            settle.executableURL = URL(fileURLWithPath: bin)
            settle.arguments = ["jobs", "run", jobs.appendingPathComponent("soak.yaml").path, "--store", b.storePath]
            settle.environment = env
            settle.currentDirectoryURL = TestSupport.repoRoot
            settle.standardOutput = FileHandle.nullDevice
            settle.standardError = FileHandle.nullDevice
            try settle.run()
            settle.waitUntilExit()
            #expect(settle.terminationStatus == 0)
        }

        let remote = try b.remoteLeads()  // fails on a duplicate e-mail
        let local = try b.store.all(Lead.self)
        #expect(remote.count == local.count, "remote \(remote.count) vs local \(local.count)")
        for l in local {
            let r = remote[l.email]
            #expect(r != nil, "\(l.email) is missing remotely")
            #expect((r?["company"] as? String ?? "") == l.company, "\(l.email): company differs")
            #expect((r?["notes"] as? String ?? "") == l.notes, "\(l.email): notes differ")
        }
        #expect(try b.store.conflicts().isEmpty)
        #expect(try b.store.integrityCheck() == "ok")
        #expect(edits > 5)
        // Memory: the last quarter of the samples stays within 30 MB of the second quarter's peak.
        let q = max(1, rss.count / 4)
        if rss.count >= 8 {
            let early = rss[q..<(2 * q)].max() ?? 0, late = rss[(3 * q)...].max() ?? 0
            #expect(late <= early + 30_000, "daemon RSS grew from \(early) KB to \(late) KB")
        }
        #expect(try b.store.runs().filter { $0.status == "ok" }.count >= 3)
    }
}
