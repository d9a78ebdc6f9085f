import CRMModel
public import CRMStore
import Foundation

/// Reverts a sync run from its undo manifest: deletes what it created and restores what it overwrote, on
/// both sides, record by record, refusing a record that has changed since the run (and saying so).
public struct RunUndo: Sendable {
    public struct Outcome: Sendable {
        public var reverted = 0
        public var refused = 0
        public var lines: [String] = []
    }

    public let store: any SyncStore
    public let client: RemoteClient

    public init(store: any SyncStore, client: RemoteClient) {
        self.store = store
        self.client = client
    }

    /// - Throws: `SyncError(.notFound)` for an unknown run; `.store`; transport errors stop the undo (run it again).
    public func undo(run: Int64, dryRun: Bool = false) async throws -> Outcome {
        let entries: [UndoEntry]
        let counts: String
        do {
            guard let found = try store.runs().first(where: { $0.id == run }) else {
                throw SyncError(.notFound, message: "no run has the id \(run); `crmgate runs list` shows them")
            }
            counts = found.counts
            entries = try store.undoEntries(run: run)
        } catch let e as StoreError { throw SyncError(.store, message: "\(e)") }
        var out = Outcome()
        for e in entries {
            let line: String
            let ok: Bool
            switch e.recordType {
            case .lead: (ok, line) = try await revert(Lead.self, e, dryRun)
            case .opportunity: (ok, line) = try await revert(Opportunity.self, e, dryRun)
            case .task: (ok, line) = try await revert(CRMTask.self, e, dryRun)
            case .customer: (ok, line) = try await revert(Customer.self, e, dryRun)
            }
            if ok { out.reverted += 1 } else { out.refused += 1 }
            out.lines.append(line)
        }
        if !dryRun, out.refused == 0 {
            // What the run did stays readable (`runs list` said "no changes" of an undone run).
            try? store.finishRun(
                id: run, status: .undone, counts: counts,
                message: "reverted by crmgate undo (\(out.reverted) change\(out.reverted == 1 ? "" : "s"))")
        }
        return out
    }

    private func revert<R: CRMRecord>(_ type: R.Type, _ e: UndoEntry, _ dryRun: Bool) async throws -> (Bool, String) {
        let name =
            "\(e.side) \(R.recordType.rawValue) \(e.localID.suffix(12))" + (e.remoteID.map { " (remote \($0))" } ?? "")
        let after = e.after.map { Snapshot(json: $0) } ?? Snapshot()
        let before = e.before.map { Snapshot(json: $0) }
        let fields = Set(after.values.keys).union(before?.values.keys ?? [String: String]().keys)
        let remote = SyncEngine.remoteName(client)
        if e.action == .deleted {
            // Not brought back: a local record would come back without its remote, a remote one as a new record under
            // a new id. Refused, so the run is not marked undone; the values it had are in the manifest.
            let values = before.map { b in b.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } } ?? []
            return (
                false,
                "\(name): refused, the run deleted it \(e.side == .local ? "here" : "remotely") and undo does not bring a "
                    + "deleted record back" + (values.isEmpty ? "" : "; it held " + values.joined(separator: ", "))
            )
        }
        if e.side == .local {
            guard let current = try store.recordForSync(R.self, id: e.localID), !current.deleted else {
                return (false, "\(name): refused, it no longer exists")
            }
            let now = Snapshot.of(current.record, fields: fields, withCustom: false)
            guard now == after.restricted(to: fields) else {
                return (false, "\(name): refused, it changed since the run")
            }
            if dryRun { return (true, "\(name): would be \(e.action == .created ? "deleted" : "restored")") }
            if e.action == .created {
                // The pull made it from a remote record that is still there: with the link gone, the next pull takes
                // that record as new again (`pullPage` skips a record at its mark only while it is linked), as it was
                // before the run.
                try store.applySync(R.self, records: [], links: [], removeLinks: [e.localID], tombstones: [e.localID])
                return (true, "\(name): deleted (the run created it; the next pull takes the remote record again)")
            }
            let restored = (before ?? Snapshot()).apply(to: current.record, fields: fields, withCustom: false)
            try store.save([restored])
            return (true, "\(name): restored")
        }
        guard let rid = e.remoteID else { return (false, "\(name): refused, no remote id") }
        let resource = try client.resource(R.recordType)
        let codec = RecordCodec(resource)
        guard let got = try await client.get(R.recordType, remoteID: rid) else {
            return (false, "\(name): refused, it no longer exists remotely")
        }
        let now = codec.snapshot(got.record)
        guard now == after else { return (false, "\(name): refused, it changed remotely since the run") }
        let b = before ?? Snapshot()
        let changed = Set(b.values.keys).union(now.values.keys).filter { b[$0] != now[$0] }
        // Built before a dry run answers: a value the profile cannot write back is a refusal of this entry only.
        let body: JSONValue
        do { body = try codec.body(b, only: changed) } catch let err as SyncError where err.code == .unsendable {
            if e.action == .created { body = .null } else { return (false, "\(name): refused, \(err.description)") }
        }
        if dryRun { return (true, "\(name): would be \(e.action == .created ? "deleted" : "restored") remotely") }
        if e.action == .created {
            guard resource.delete != nil else {
                return (false, "\(name): refused, the profile cannot delete \(R.recordType.plural)")
            }
            _ = try await client.delete(R.recordType, remoteID: rid, etag: got.etag)
            // Back to before the run: the local record was waiting to be created remotely. Its change number moves
            // past the push position, or no push would send it again (a trial's lead stayed local for good).
            let local = try store.recordForSync(R.self, id: e.localID)
            let requeue = local.flatMap { $0.deleted ? nil : $0.record }.map { [$0] } ?? []
            try store.applySync(R.self, records: requeue, links: [], removeLinks: [e.localID])
            return (
                true,
                "\(name): deleted remotely (the run created it)"
                    + (requeue.isEmpty ? "" : "; the next push creates it again unless it is deleted here")
            )
        }
        switch try await client.update(
            R.recordType, remoteID: rid, body: body, etag: got.etag, version: codec.version(got.record))
        {
        case .updated(let json, let etag):
            var requeued = false
            if var link = try store.link(remote: remote, type: R.recordType, localID: e.localID) {
                link.base = codec.snapshot(json).json
                link.etag = etag
                // Back to before the run: the local record holds the values the run sent, waiting to be pushed. Its
                // change number moves past the push position and the link says it differs (a negative counter), or no
                // sync would see the difference again (a trial's sides stayed apart, every run saying "0 updated").
                link.syncedSeq = -1
                let local = try store.recordForSync(R.self, id: e.localID)
                let requeue = local.flatMap { $0.deleted ? nil : $0.record }.map { [$0] } ?? []
                requeued = !requeue.isEmpty
                try store.applySync(R.self, records: requeue, links: [link])
            }
            return (
                true,
                "\(name): restored remotely"
                    + (requeued
                        ? "; this side still holds the run's values, which the next push sends again unless they are changed here"
                        : "")
            )
        case .stale(_): return (false, "\(name): refused, it changed remotely while being restored")
        case .notFound: return (false, "\(name): refused, it no longer exists remotely")
        }
    }
}

extension Snapshot {
    func restricted(to fields: Set<String>) -> Snapshot { Snapshot(values.filter { fields.contains($0.key) }) }
}
