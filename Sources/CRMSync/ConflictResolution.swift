import CRMMapping
import CRMModel
public import CRMStore

/// Settles a queued conflict: the chosen side (or a merge) becomes the local record, and the next push
/// sends it to the remote.
public enum ConflictResolution {
    public enum Take: String, Sendable, CaseIterable { case local, remote, merged }

    /// What a resolution did.
    public struct Outcome: Sendable {
        /// The synced fields the record now holds.
        public let snapshot: Snapshot
        /// The fields whose local value changed, sorted.
        public let changedHere: [String]
        /// The fields that now differ from the remote side, sorted: what the next push sends.
        public let toSend: [String]
    }

    /// - Parameters: `sets`, field values that override the chosen side (`field=value`).
    /// - Returns: the snapshot the record now holds, and which fields changed here and will be sent.
    /// - Throws: `SyncError(.notFound)` for an unknown or closed conflict; `.store`.
    @discardableResult
    public static func resolve(store: any SyncStore, id: Int64, take: Take, sets: [String: String]) throws -> Outcome {
        do {
            guard let c = try store.conflict(id: id) else {
                throw SyncError(.notFound, message: "no conflict has the id \(id); `crmgate conflicts list` shows them")
            }
            guard c.status == .open else {
                throw SyncError(.notFound, message: "conflict \(id) is already resolved (\(c.resolution ?? ""))")
            }
            switch c.recordType {
            case .lead: return try resolve(Lead.self, store, c, take, sets)
            case .opportunity: return try resolve(Opportunity.self, store, c, take, sets)
            case .task: return try resolve(CRMTask.self, store, c, take, sets)
            case .customer: return try resolve(Customer.self, store, c, take, sets)
            }
        } catch let e as StoreError { throw SyncError(.store, message: "\(e)") }
    }

    static func resolve<R: CRMRecord>(
        _ type: R.Type, _ store: any SyncStore, _ c: SyncConflict, _ take: Take, _ sets: [String: String]
    ) throws -> Outcome {
        guard let current = try store.recordForSync(R.self, id: c.localID) else {
            throw SyncError(.notFound, message: "the local record \(c.localID) no longer exists")
        }
        // The record as it is now, not as it was when the conflict was queued: edits made since are kept. The side
        // taken is written into the fields the queued snapshots name; a field filled only since keeps its value
        // (and the next push sends it, if the profile syncs it: the push compares every synced field with the base).
        let base = Snapshot(json: c.base)
        let remote = Snapshot(json: c.remoteSide)
        let queuedLocal = Snapshot(json: c.local)
        var fields = Set(base.values.keys).union(queuedLocal.values.keys).union(remote.values.keys)
        let local = Snapshot.of(current.record, fields: fields, withCustom: false)
        var chosen: Snapshot
        switch take {
        case .local: chosen = local  // the local record as it is now, wholly
        case .remote: chosen = remote  // the remote side as queued, wholly
        case .merged:  // what one side alone changed, from that side; the conflicting fields from local
            chosen = ThreeWayMerge.merge(base: base, local: local, remote: remote, policy: .localWins).merged
        }
        for (k, v) in sets {
            guard k.hasPrefix("custom.") || R.fieldIndex(named: k) != nil else {
                throw SyncError(.notFound, message: "'\(k)' is not a \(R.recordType.rawValue) field")
            }
            // Checked as `set` checks a value (a trial's resolve stored `email: not an email <x>`); a value of the
            // queued sides is taken as it is (it is what one side holds).
            if let i = R.fieldIndex(named: k), v != local[k], v != remote[k] {
                do { _ = try RecordEdit.value(v, kind: R.fields[i].kind, field: k) } catch let error
                    as RecordEdit.Refusal
                {
                    throw SyncError(
                        .badValue,
                        message: error.message + (error.hint.map { " (\($0))" } ?? "") + "; nothing was resolved")
                }
            }
            chosen[k] = v
            fields.insert(k)
        }
        let record = chosen.apply(to: current.record, fields: fields, withCustom: false)
        // Without its link the remote record is gone (or its id now holds another record): a link made up from the
        // queued remote id could send this record's values onto someone else's.
        guard !current.deleted, var link = try store.link(remote: c.remote, type: R.recordType, localID: c.localID),
            link.remoteID == c.remoteID
        else {
            try store.closeConflict(id: c.id, resolution: "closed: the remote record is gone")
            throw SyncError(
                .notFound,
                message:
                    "conflict \(c.id): the remote record \(c.remoteID) is gone (or the local record was deleted); nothing to resolve"
            )
        }
        link.base = remote.json
        link.syncedSeq = -1  // the next push compares the record with the remote side and sends what differs
        try store.applySync(R.self, records: [record], links: [link])
        try store.closeConflict(
            id: c.id,
            resolution: "took \(take.rawValue)"
                + (sets.isEmpty ? "" : " with " + sets.keys.sorted().joined(separator: ", ")))
        return Outcome(
            snapshot: chosen, changedHere: fields.filter { chosen[$0] != local[$0] }.sorted(),
            toSend: fields.filter { chosen[$0] != remote[$0] }.sorted())
    }
}
