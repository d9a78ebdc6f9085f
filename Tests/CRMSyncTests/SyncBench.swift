import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

/// A store, a test remote and a job between them.
final class SyncBench: @unchecked Sendable {
    let remote: TestRemote
    let dir: URL
    let profile: RemoteProfile
    /// The store's `--store` text: the SQLite file, or the PostgreSQL database's URL.
    let storePath: String
    let kind: StoreKind
    let store: any SyncStore
    /// The store as SQLite, for the tests of SQLite-only commands.
    var sqlite: CRMStore { store as! CRMStore }

    init(
        kind: StoreKind = .sqlite, flavor: String = "generic", pageLimit: Int? = nil, arguments: [String] = [],
        editProfile: (String) -> String = { $0 }
    ) throws {
        self.kind = kind
        remote = try TestRemote(flavor: flavor, arguments: arguments)
        dir = try TestSupport.temporaryDirectory("crmgate-sync")
        let name = ["generic": "generic-rest", "cin7": "cin7-core", "hubspot": "hubspot"][flavor]!
        var yaml = try String(contentsOfFile: TestSupport.mapping("remotes/\(name).yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(
            of: "limits: {requests: 60, per_seconds: 60}", with: "limits: {requests: 10, per_seconds: 2}")
        if let pageLimit {
            yaml = yaml.replacingOccurrences(of: "limit: 500", with: "limit: \(pageLimit)").replacingOccurrences(
                of: "limit: 1000", with: "limit: \(pageLimit)")
        }
        profile = try RemoteProfile.parse(yaml: editProfile(yaml))
        storePath = kind == .sqlite ? dir.appendingPathComponent("store.sqlite").path : try kind.makeLocation()
        store = try StoreLocation(storePath).openSyncStore(mode: .create)
    }

    /// A second, empty store of the same engine.
    func makeStore() throws -> any SyncStore {
        try StoreLocation(
            kind == .sqlite
                ? dir.appendingPathComponent("other-\(UUID().uuidString).sqlite").path : try kind.makeLocation()
        )
        .openSyncStore(mode: .create)
    }

    deinit {
        remote.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func job(
        _ policy: ConflictPolicy = .newestWins, direction: SyncJob.Direction = .both, rules: [String: FieldRule] = [:],
        name: String = "test"
    ) -> SyncJob {
        SyncJob(
            name: name, profile: "generic-rest", types: [.lead], direction: direction, policy: policy,
            fieldRules: rules, batchSize: 50, concurrency: 4)
    }

    func run(_ job: SyncJob, store: (any SyncStore)? = nil, dryRun: Bool = false) async throws -> SyncReport {
        let client = try RemoteClient(profile: profile, baseURL: remote.baseURL, environment: remote.environment)
        return try await SyncEngine(store: store ?? self.store, job: job, client: client, dryRun: dryRun).run()
    }

    static func leads(_ n: Int, prefix: String = "p") -> [Lead] {
        (0..<n).map { i in
            var l = Lead(id: RecordID.make())
            l.firstName = "First\(i)"
            l.lastName = "Last\(i)"
            l.company = "Company \(i)"
            l.email = "\(prefix)\(i)@example.com"
            l.phone = "+1415555\(String(format: "%04d", i))"
            l.tags = ["t\(i % 3)"]
            return l
        }
    }

    /// Remote leads keyed by e-mail (live ones), failing on duplicates.
    func remoteLeads() throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for r in try remote.records("leads") where (r["deleted"] as? Bool) != true {
            let email = r["email"] as? String ?? ""
            #expect(out[email] == nil, "duplicate remote lead \(email)")
            out[email] = r
        }
        return out
    }

    func remoteID(email: String) throws -> String { try remoteLeads()[email]!["id"] as! String }
}

extension SyncStore {
    /// The live or deleted record with this id (tests: a missing one is a failure).
    func record<R: CRMRecord>(_ type: R.Type, id: String) throws -> R {
        guard let r = try recordForSync(R.self, id: id) else {
            throw TestSupportError("no \(R.recordType.rawValue) \(id) in the store")
        }
        return r.record
    }
}
