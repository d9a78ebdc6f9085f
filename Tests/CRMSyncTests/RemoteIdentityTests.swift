import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

/// What a run knows of the remote it syncs with: a trial ran a job file and `sync apply --profile` at once (each created
/// the same leads at the remote), and pointed a synced store at a second, empty server (nothing was pushed).
@Suite("Runs and the remote they sync with", .serialized)
struct RemoteIdentityTests {
    @Test(
        "a run waits its turn while another run syncs the same record type with the same remote, whatever its job",
        arguments: StoreKind.allCases)
    func oneRunPerRemoteAndType(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        let key = "remote generic-rest@\(b.remote.baseURL) leads"
        // Another live run (this process stands for it) holds the remote's leads under another job's name.
        #expect(
            try b.store.acquireLease(job: key, owner: "other-run", pid: getpid(), seconds: 600, isAlive: { _ in true })
                == nil)
        await #expect {
            _ = try await b.run(b.job(name: "adhoc"))
        } throws: { error in
            (error as? SyncError)?.code == .leaseHeld && "\(error)".contains("another run syncs leads")
        }
        #expect(try b.remote.records("leads").isEmpty, "the refused run sent nothing")
        // Its own job's lease is given back: once the other run ends, it runs.
        try b.store.releaseLease(job: key, owner: "other-run")
        let report = try await b.run(b.job(name: "adhoc"))
        #expect(report.counts.pushedCreated == 3)
        #expect(try b.remote.records("leads").count == 3)
    }

    @Test("a job pointed at a second, empty server pushes every record there", arguments: StoreKind.allCases)
    func secondServer(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(4))
        let first = try await b.run(b.job())
        #expect(first.counts.pushedCreated == 4)
        let second = try TestRemote(flavor: "generic")
        defer { second.stop() }
        let client = try RemoteClient(profile: b.profile, baseURL: second.baseURL, environment: second.environment)
        let report = try await SyncEngine(store: b.store, job: b.job(), client: client, dryRun: false).run()
        #expect(report.counts.pushedCreated == 4, "\(report.lines)")
        #expect(try second.records("leads").count == 4)
        #expect(report.lines.contains { $0.contains("starts from the beginning") }, "\(report.lines)")
        // The first server is as it was, and its next run finds nothing to do.
        let again = try await b.run(b.job())
        #expect(again.counts.pushedCreated == 0 && again.counts.pulledCreated == 0)
        #expect(try b.remote.records("leads").count == 4)
    }

    @Test(
        "a local delete a push kept from the remote (no --allow-delete) is sent by a later push that may delete",
        arguments: StoreKind.allCases)
    func keptDeleteSentLater(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind)
        try b.store.save(SyncBench.leads(3))
        _ = try await b.run(b.job())
        let gone = try #require(try b.store.all(Lead.self).first { $0.email == "p1@example.com" })
        try b.store.tombstone(Lead.self, ids: [gone.id.description])
        let kept = try await b.run(b.job())
        #expect(kept.counts.deletesKept == 1 && kept.counts.pushedDeleted == 0)
        #expect(try b.remoteLeads().count == 3)
        // Another run without --allow-delete keeps it still; one with it deletes it at the remote.
        _ = try await b.run(b.job())
        var allowed = b.job()
        allowed.allowDelete = true
        let deleted = try await b.run(allowed)
        #expect(deleted.counts.pushedDeleted == 1, "\(deleted.lines)")
        #expect(try b.remoteLeads().keys.sorted() == ["p0@example.com", "p2@example.com"])
        let after = try await b.run(allowed)
        #expect(after.counts.pushedDeleted == 0 && after.counts.pushedCreated == 0)
    }
}
