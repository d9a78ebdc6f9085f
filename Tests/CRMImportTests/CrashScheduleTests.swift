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

    @Test("SIGKILL at 50 seeded points: integrity ok, committed imports complete in the ledger, rerun equals an uninterrupted run")
    func killSchedule() throws {
        guard let bin = TestSupport.crmgateBinary else { return }
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let file = w.dir.appendingPathComponent("leads.csv")
        var text = "First Name,Last Name,Email,Phone,Company\n"
        for i in 0..<40_000 { text += "Ann\(i),Lee,ann\(i)@example.com,(415) 555-\(String(format: "%04d", i % 10000)),Acme \(i % 97)\n" }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let mapping = TestSupport.mapping("sources/generic-leads-min.yaml")
        let args = ["import", file.path, "--mapping", mapping, "--store", w.store, "--quiet"]
        var state: UInt64 = 20261129
        var killed = 0, finished = 0
        for _ in 0..<Self.points {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let delay = 0.005 + Double((state >> 33) % 700) / 1000
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killed += 1
            }
            p.waitUntilExit()
            if p.terminationReason == .exit { finished += 1 }
            let store = try CRMStore(path: w.store)
            #expect(try store.integrityCheck() == "ok")
            // Every import recorded as done has a ledger row for every row it read; nothing else left rows behind.
            for batch in try store.imports() where batch.status == "committed" {
                #expect(try store.scalar("SELECT COUNT(*) FROM import_rows WHERE import_id = \(batch.id)") == Int64(batch.counts.read))
            }
            #expect(try store.scalar("SELECT COUNT(*) FROM import_rows WHERE import_id NOT IN (SELECT id FROM imports WHERE status = 'committed')") == 0)
            // All or nothing: the store holds no leads or all of them.
            let n = try store.count(.lead)
            #expect(n == 0 || n == 40_000, "after a kill the store holds \(n) leads")
        }
        #expect(killed >= Self.points / 3, "only \(killed) of \(Self.points) runs were killed mid-way")
        let rerun = try TestSupport.run(bin, args)
        #expect(rerun.status == 0)
        let reference = try Workspace()
        defer { try? FileManager.default.removeItem(at: reference.dir) }
        _ = try TestSupport.run(bin, ["import", file.path, "--mapping", mapping, "--store", reference.store, "--quiet"])
        let a = try CRMStore(path: w.store), b = try CRMStore(path: reference.store)
        #expect(try a.count(.lead) == b.count(.lead))
        #expect(try a.all(Lead.self).map(\.email).sorted() == b.all(Lead.self).map(\.email).sorted())
        _ = finished
    }
}
