import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

@Suite("Sync killed with SIGKILL and resumed", .serialized)
struct SyncCrashTests {
    /// Starts `crmgate` with the remote's credentials in its environment.
    func start(_ args: [String], env: [String: String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(TestSupport.crmgateBinary))
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.standardOutput = FileHandle.nullDevice
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-crash-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: err)
        p.currentDirectoryURL = TestSupport.repoRoot
        try p.run()
        return p
    }

    @Test("killed at 50 seeded points mid-page and mid-batch, with local and remote edits in between: no duplicate, no lost edit")
    func killAndResume() throws {
        guard TestSupport.crmgateBinary != nil else { return }
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(300))
        try b.remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["delay"],"delay_ms":25}"#)
        let args = ["sync", "apply", "--profile", "generic-rest", "--types", "leads", "--direction", "both", "--policy", "newest-wins",
                    "--batch-size", "10", "--concurrency", "4", "--base-url", b.remote.baseURL, "--store", b.storePath]
        var rng = SplitMix(seed: 42)
        var kills = 0
        let points = Int(ProcessInfo.processInfo.environment["CRMGATE_CRASH_POINTS"] ?? "") ?? 50
        for round in 0..<points {
            let p = try start(args, env: b.remote.environment)
            let wait = 0.1 + Double(rng.next() % 500) / 1000
            Thread.sleep(forTimeInterval: wait)  // wall time, whatever the cooperative pool is busy with
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
            if p.terminationReason == .exit { #expect(p.terminationStatus == 0, "round \(round) exited with \(p.terminationStatus)") }
            // Edits on both sides between runs.
            if round == 3 {
                var l = try b.store.all(Lead.self).first { $0.email == "p7@example.com" }!
                l.notes = "edited locally while the sync was down"
                try b.store.save([l])
            }
            if round == 5, let rid = try b.remoteLeads()["p9@example.com"]?["id"] as? String {
                try b.remote.control("PATCH", "/records/leads/\(rid)", json: #"{"company":"edited remotely"}"#)
            }
        }
        #expect(kills >= min(5, points))
        #expect(try CRMStore(path: b.storePath).integrityCheck() == "ok")
        try b.remote.control("POST", "/faults", json: #"{"fraction":0}"#)
        let final = try start(args, env: b.remote.environment)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        let again = try start(args, env: b.remote.environment)
        again.waitUntilExit()
        let remote = try b.remoteLeads()  // fails on a duplicate e-mail
        #expect(remote.count == 300)
        #expect(try b.remote.records("leads").count == 300)
        let store = try CRMStore(path: b.storePath)
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.count(.lead) == 300)
        #expect(remote["p7@example.com"]?["notes"] as? String == "edited locally while the sync was down")
        let p9 = try store.all(Lead.self).first { $0.email == "p9@example.com" }
        if let rid = remote["p9@example.com"]?["company"] as? String, rid == "edited remotely" { #expect(p9?.company == "edited remotely") }
        #expect(try store.links(remote: "generic-rest@" + b.remote.baseURL, type: .lead).count == 300)
    }

    @Test("two runs of one job started at once: one runs, the other exits with 75 and says why")
    func concurrentRuns() throws {
        guard TestSupport.crmgateBinary != nil else { return }
        let b = try SyncBench()
        try b.store.save(SyncBench.leads(40))
        try b.remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["delay"],"delay_ms":20}"#)
        let args = ["sync", "apply", "--profile", "generic-rest", "--types", "leads", "--concurrency", "1", "--base-url", b.remote.baseURL, "--store", b.storePath]
        let first = try start(args, env: b.remote.environment)
        Thread.sleep(forTimeInterval: 0.3)
        let second = try start(args, env: b.remote.environment)
        second.waitUntilExit()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.terminationStatus == 75)
        #expect(try b.remote.records("leads").count == 40)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
