import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// Issue #9: an import killed with SIGKILL at many seeded points never corrupts the store or loses a committed row,
/// and a rerun ends where an uninterrupted run ends. `CRMGATE_CRASH_POINTS` sets the number of points (default 50).
@Suite("Import killed at many points", .serialized)
struct ImportCrashScheduleTests {
    static var points: Int { Int(ProcessInfo.processInfo.environment["CRMGATE_CRASH_POINTS"] ?? "") ?? 50 }

    /// A lead list of distinct people (`Ann0 Lee`, `Ann1 Lee`, ...), with or without phone numbers.
    static func leadsFile(in w: Workspace, rows: Int, phones: Bool) throws -> URL {
        let file = w.dir.appendingPathComponent("leads.csv")
        var text = "First Name,Last Name,Email,Phone,Company\n"
        for i in 0..<rows {
            let phone = phones ? "(415) 555-\(String(format: "%04d", i % 10000))" : ""
            text += "Ann\(i),Lee,ann\(i)@example.com,\(phone),Acme \(i % 97)\n"
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test(
        "SIGKILL at 50 seeded points: integrity ok, committed imports complete in the ledger, rerun equals an uninterrupted run"
    )
    func killSchedule() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let file = try Self.leadsFile(in: w, rows: 40_000, phones: true)
        let mapping = TestSupport.mapping("sources/generic-leads-min.yaml")
        let args = ["import", file.path, "--mapping", mapping, "--store", w.store, "--quiet"]
        var state: UInt64 = 20_261_129
        var killed = 0
        var finished = 0
        var committedChecks = 0
        for point in 0..<Self.points {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let delay = 0.005 + Double((state >> 33) % 700) / 1000
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Every tenth run is left to finish, so that later kills hit a store with committed imports (a rerun of
            // the file reads and compares every row again, so it is as long as the first).
            if point % 10 != 9 {
                Thread.sleep(forTimeInterval: delay)
                if p.isRunning {
                    kill(p.processIdentifier, SIGKILL)
                    killed += 1
                }
            }
            p.waitUntilExit()
            if p.terminationReason == .exit {
                #expect(p.terminationStatus == 0, "run \(point) exited with \(p.terminationStatus)")
                finished += 1
            }
            let store = try CRMStore(path: w.store)
            #expect(try store.integrityCheck() == "ok")
            // Every import recorded as done has a ledger row for every row it read; nothing else left rows behind.
            for batch in try store.imports() where batch.status == "committed" {
                #expect(
                    try store.scalar("SELECT SUM(span) FROM import_rows WHERE import_id = \(batch.id)")
                        == Int64(batch.counts.read))
                committedChecks += 1
            }
            #expect(
                try store.imports().allSatisfy { $0.status == "committed" }, "a killed import left a record of itself")
            #expect(
                try store.scalar(
                    "SELECT COUNT(*) FROM import_rows WHERE import_id NOT IN (SELECT id FROM imports WHERE status = 'committed')"
                ) == 0)
            // Every stored lead is the work of a committed import's ledger row.
            #expect(
                try store.scalar(
                    "SELECT COUNT(*) FROM leads l WHERE NOT EXISTS (SELECT 1 FROM import_rows i "
                        + "WHERE l.rowid BETWEEN i.record_rowid AND i.record_rowid + i.span - 1)"
                ) == 0)
            // All or nothing: the store holds no leads or all of them.
            let n = try store.count(.lead)
            #expect(n == 0 || n == 40_000, "after a kill the store holds \(n) leads")
        }
        #expect(killed >= Self.points / 3, "only \(killed) of \(Self.points) runs were killed mid-way")
        #expect(finished >= Self.points / 10, "only \(finished) runs finished")
        #expect(committedChecks > 0, "no committed import was ever checked against the ledger")
        let rerun = try TestSupport.run(bin, args)
        #expect(rerun.status == 0)
        let reference = try Workspace()
        defer { try? FileManager.default.removeItem(at: reference.dir) }
        let uninterrupted = try TestSupport.run(
            bin, ["import", file.path, "--mapping", mapping, "--store", reference.store, "--quiet"])
        #expect(uninterrupted.status == 0)
        let a = try CRMStore(path: w.store)
        let b = try CRMStore(path: reference.store)
        func fields(_ s: CRMStore) throws -> [[String]] {
            try s.all(Lead.self).map { [$0.email, $0.firstName, $0.lastName, $0.phone, $0.company, $0.status] }.sorted {
                $0.lexicographicallyPrecedes($1)
            }
        }
        #expect(try a.count(.lead) == 40_000)
        #expect(try fields(a) == fields(b), "the interrupted store's leads differ from an uninterrupted import's")
        // The last import of the file in each store read, and accounted for, every row.
        let lastA = try #require(try a.imports().last)
        let lastB = try #require(try b.imports().last)
        #expect(lastA.counts.read == lastB.counts.read && lastA.counts.rejected == lastB.counts.rejected)
    }

    @Test("a first import killed half-way: a read-only command opens the store and finds it empty")
    func killedFirstImportThenReadOnly() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let file = try Self.leadsFile(in: w, rows: 200_000, phones: false)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = [
            "import", file.path, "--mapping", TestSupport.mapping("sources/generic-leads-min.yaml"), "--store", w.store,
            "--quiet",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // The journal appears with the import's first write to the empty store; rows are written in batches after it.
        let journal = w.store + "-journal"
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning, !FileManager.default.fileExists(atPath: journal), Date() < deadline { usleep(1000) }
        usleep(100_000)
        try #require(p.isRunning, "the import ended before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: journal), "the killed import left no journal to roll back")
        let store = try CRMStore(path: w.store, mode: .readOnly)
        #expect(try store.count(.lead) == 0)
        #expect(try store.imports().isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }
}
