import CRMHTTP
import CRMModel
public import CRMStore
import Foundation
public import Logging

/// What a run did (or, for a plan, would do).
public struct SyncCounts: Sendable, Equatable {
    public var pulledCreated = 0, pulledUpdated = 0, pulledDeleted = 0, pulledUnchanged = 0, matched = 0
    public var pushedCreated = 0, pushedUpdated = 0, pushedDeleted = 0, recoveredCreates = 0, staleRetries = 0
    public var conflictsOpened = 0, conflictsSettled = 0, blocked = 0, deletesKept = 0
    /// Linked records the remote no longer has (a complete listing lacked them, or it answered 404/410).
    public var remoteGone = 0
    /// Remote ids found holding another record than the linked one (the remote reused a deleted record's id).
    public var reusedIDs = 0
    /// Records the remote refused with an answer repeating cannot change; set aside, the run went on.
    public var refused = 0
    /// Sale quotes and orders created remotely for converted opportunities.
    public var salesCreated = 0

    public var json: String {
        let pairs: [(String, Int)] = [
            ("pulled_created", pulledCreated), ("pulled_updated", pulledUpdated), ("pulled_deleted", pulledDeleted),
            ("pulled_unchanged", pulledUnchanged), ("matched", matched), ("pushed_created", pushedCreated),
            ("pushed_updated", pushedUpdated),
            ("pushed_deleted", pushedDeleted), ("recovered_creates", recoveredCreates), ("stale_retries", staleRetries),
            ("conflicts_opened", conflictsOpened), ("conflicts_settled", conflictsSettled), ("blocked", blocked),
            ("deletes_kept", deletesKept),
            ("remote_gone", remoteGone), ("reused_ids", reusedIDs), ("refused", refused),
            ("sales_created", salesCreated),
        ]
        return JSONValue.object(pairs.map { ($0.0, .number(Double($0.1))) }).text
    }

    static func += (a: inout SyncCounts, b: SyncCounts) {
        a.pulledCreated += b.pulledCreated
        a.pulledUpdated += b.pulledUpdated
        a.pulledDeleted += b.pulledDeleted
        a.pulledUnchanged += b.pulledUnchanged
        a.matched += b.matched
        a.pushedCreated += b.pushedCreated
        a.pushedUpdated += b.pushedUpdated
        a.pushedDeleted += b.pushedDeleted
        a.recoveredCreates += b.recoveredCreates
        a.staleRetries += b.staleRetries
        a.conflictsOpened += b.conflictsOpened
        a.conflictsSettled += b.conflictsSettled
        a.blocked += b.blocked
        a.deletesKept += b.deletesKept
        a.remoteGone += b.remoteGone
        a.reusedIDs += b.reusedIDs
        a.refused += b.refused
        a.salesCreated += b.salesCreated
    }
}

/// The result of `sync plan` or `sync apply`.
public struct SyncReport: Sendable {
    public var runID: Int64?
    public var counts = SyncCounts()
    /// One line per change (plans list every change; applied runs list conflicts and refusals).
    public var lines: [String] = []
    public var seconds: Double = 0

    public init() {}
}

/// Keeps the store and one remote in step for a job: pull (incremental, tie-safe), push (change counter,
/// idempotency journal), three-way merge with the job's policy, conflicts queued under `manual`.
public final class SyncEngine: @unchecked Sendable {
    public let store: any SyncStore
    public let job: SyncJob
    public let client: RemoteClient
    public let dryRun: Bool
    let logger: Logger
    /// Margin subtracted from the last pull's start for remotes whose records carry no modified stamp.
    public var unstampedMargin: Double = 300
    private var runID: Int64?
    /// A plan's pull decisions that apply would have written before its push (dry runs only): conflicts opened,
    /// records deleted here, links dropped; keys are `type|local id`.
    var planned = (
        conflicts: Set<String>(), deleted: Set<String>(), unlinked: Set<String>(),
        merged: [String: (base: Snapshot, local: Snapshot)]()
    )
    static func plannedKey(_ type: RecordType, _ localID: String) -> String { type.rawValue + "|" + localID }
    var remoteName: String { SyncEngine.remoteName(client) }
    /// How links name a remote: the profile at its base URL.
    public static func remoteName(_ client: RemoteClient) -> String {
        RemoteMove.remoteName(profile: client.profile.name, baseURL: client.baseURL)
    }
    /// Who holds the job's lease while this engine runs (`host:pid:…`; a worker gives its own, to renew it).
    /// Asked after each checkpoint: true stops the run there (`SyncError.interrupted`), recorded as interrupted.
    public var stopRequested: @Sendable () -> Bool = { false }
    public var leaseOwner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.suffix(12))"
    /// How long the lease lasts unless renewed at a checkpoint (or by a worker's heartbeat).
    public var leaseSeconds: Double = 600
    private var leaseRenewed = ProcessInfo.processInfo.systemUptime
    /// Seconds between lease renewals at checkpoints (tests set 0).
    public var leaseRenewalInterval: Double = 60

    public init(
        store: any SyncStore, job: SyncJob, client: RemoteClient, dryRun: Bool,
        logger: Logger = Logger(label: "crmgate.sync")
    ) {
        self.store = store
        self.job = job
        self.client = client
        self.dryRun = dryRun
        self.logger = logger
    }

    /// Runs the job once.
    /// - Throws: `SyncError(.leaseHeld)` when another live run holds the job; `.transport`/`.rejected` when the
    ///   remote fails after retries (everything before the failing batch is checkpointed); `.store`.
    public func run() async throws -> SyncReport {
        let started = ProcessInfo.processInfo.systemUptime
        var report = SyncReport()
        if !dryRun {
            if let holder = try storeCall({
                try store.acquireLease(
                    job: job.name, owner: leaseOwner, pid: getpid(), seconds: leaseSeconds,
                    isAlive: { kill($0, 0) == 0 })
            }) {
                throw SyncError(
                    .leaseHeld, context: job.name,
                    message: "another run of this job holds its lease (\(holder)); try again when it ends")
            }
            // One run at a time per remote and record type, whatever the job: two jobs (a job file and `sync apply
            // --profile`) pushing the same records at once each created them at the remote (a trial: 80 contacts for
            // 40 leads).
            for type in job.types.map(\.plural).sorted() {
                let key = "remote \(remoteName) \(type)"
                if let holder = try storeCall({
                    try store.acquireLease(
                        job: key, owner: leaseOwner, pid: getpid(), seconds: leaseSeconds,
                        isAlive: { kill($0, 0) == 0 })
                }) {
                    releaseLeases()
                    throw SyncError(
                        .leaseHeld, context: job.name,
                        message:
                            "another run syncs \(type) with \(remoteName) on this store (\(holder)); try again when it ends"
                    )
                }
                heldKeys.append(key)
            }
            runID = try storeCall { try store.startRun(job: job.name, profile: job.profile, baseURL: client.baseURL) }
            report.runID = runID
        }
        defer { if !dryRun { releaseLeases() } }
        do {
            for type in job.types {
                switch type {
                case .lead: try await sync(Lead.self, &report)
                case .opportunity: try await sync(Opportunity.self, &report)
                case .task: try await sync(CRMTask.self, &report)
                case .customer: try await sync(Customer.self, &report)
                }
            }
            if job.types.contains(.opportunity), job.direction != .pull { try await pushSales(&report) }
        } catch {
            report.seconds = ProcessInfo.processInfo.systemUptime - started
            if let runID {
                let stopped = (error as? SyncError)?.code == .interrupted
                try? store.finishRun(
                    id: runID, status: stopped ? .interrupted : .failed, counts: report.counts.json,
                    message: "\(error)")
            }
            throw error
        }
        report.seconds = ProcessInfo.processInfo.systemUptime - started
        if let runID {
            try storeCall { try store.finishRun(id: runID, status: .ok, counts: report.counts.json, message: nil) }
        }
        return report
    }

    func storeCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError { throw SyncError(.store, message: "\(e)") }
    }

    func sync<R: CRMRecord>(_ type: R.Type, _ report: inout SyncReport) async throws {
        let codec = RecordCodec(try client.resource(R.recordType))
        var state = CursorState(json: try storeCall { try store.cursorState(job: job.name, type: R.recordType) })
        if let other = state.remote, other != remoteName {
            // The job now points at another remote (a second server, or one moved without `remote move`): its
            // positions are the other remote's. A trial's store, pointed at an empty server, pushed nothing: every
            // change was below the push position kept for the first. Both directions start from the beginning.
            report.lines.append(
                "\(R.recordType.plural): this job synced with \(other) before; with \(remoteName) it starts from the beginning"
            )
            state = CursorState()
        }
        state.remote = remoteName
        if job.direction != .push { try await pull(R.self, codec, &state, &report) }
        if job.direction != .pull { try await push(R.self, codec, &state, &report) }
    }

    func checkpoint<R: CRMRecord>(
        _ type: R.Type, _ state: CursorState, records: [R] = [], links: [SyncLink] = [], removeLinks: [String] = [],
        tombstones: [String] = [], clearJournal: [String] = [], undo: [UndoEntry] = [],
        setAside: [SetAsideRecord] = [], clearSetAside: [String] = [], clearUpdateJournal: [String] = []
    ) throws {
        guard !dryRun else { return }
        try renewLease()  // before writing: a run that lost its lease writes nothing more
        try storeCall {
            try store.applySync(
                R.self, records: records, links: links, removeLinks: removeLinks, tombstones: tombstones,
                cursor: (job.name, state.json), clearJournal: clearJournal, undo: runID.map { ($0, undo) },
                remote: remoteName, setAside: setAside, clearSetAside: clearSetAside,
                clearUpdateJournal: clearUpdateJournal)
        }
        if stopRequested() {
            throw SyncError(
                .interrupted, context: job.name,
                message: "stopped by a signal after a checkpoint; run it again to go on from there")
        }
    }

    /// The snapshot of a local record in the remote's terms (what the remote would hold once it is written).
    func localSnapshot<R: CRMRecord>(_ record: R, _ codec: RecordCodec) -> Snapshot {
        codec.asStored(Snapshot.of(record, fields: codec.fieldNames, withCustom: codec.syncsCustom))
    }

    /// `record` with the fields where `target` differs from `current` (the record's own snapshot) taken from `target`:
    /// a field the remote holds less precisely than the model (a day for a timestamp) is left as it is.
    func applyChanges<R: CRMRecord>(_ target: Snapshot, over current: Snapshot, to record: R, _ codec: RecordCodec) -> R
    {
        let changed = codec.fieldNames.filter { target[$0] != current[$0] }
        return target.apply(to: record, fields: changed, withCustom: codec.syncsCustom)
    }

    /// What records that the remote no longer has become here, by the job's `on_remote_delete`.
    func gone<R: CRMRecord>(
        _ type: R.Type, _ goneLinks: [(link: SyncLink, local: ChangedRecord<R>?)], why: String, codec: RecordCodec,
        records: inout [R], tombstones: inout [String], removeLinks: inout [String], report: inout SyncReport
    ) throws {
        for (link, local) in goneLinks {
            removeLinks.append(link.localID)
            if !dryRun,
                let waiting = try storeCall({
                    try store.openConflict(remote: remoteName, type: R.recordType, localID: link.localID)
                })
            {
                try storeCall {
                    try store.closeConflict(id: waiting.id, resolution: "closed: the remote record is gone")
                }
            }
            guard let local, !local.deleted else { continue }
            report.counts.remoteGone += 1
            let what = "\(R.recordType.rawValue) \(link.localID.suffix(12)) (remote id \(link.remoteID)) \(why)"
            let would = dryRun ? "would be" : "is"
            // Edited here since the last sync: what it holds differs from what the remote was last agreed to hold (not
            // its change counter, which a record matched by e-mail never had raised).
            let edited = localSnapshot(local.record, codec) != Snapshot(json: link.base)
            switch job.onRemoteDelete {
            case .tombstone where edited && job.direction == .pull:
                // Deleting it would discard an edit nobody has seen, and this job never pushes it: kept, unlinked.
                if dryRun { planned.unlinked.insert(Self.plannedKey(R.recordType, link.localID)) }
                report.lines.append(
                    "gone: \(what); changed here since the last sync, so \(would) kept here, no longer linked (this job "
                        + "does not push; `crmgate \(R.recordType.plural) delete \(link.localID.suffix(12))` lets it go)"
                )
            case .tombstone where edited:
                // The edit wins over the delete, as `recreate` would have it (a trial lost a note this way).
                records.append(local.record)
                if dryRun { planned.unlinked.insert(Self.plannedKey(R.recordType, link.localID)) }
                report.lines.append(
                    "gone: \(what); changed here since the last sync, so \(would) kept and created again at the remote by "
                        + "the push (`crmgate \(R.recordType.plural) delete \(link.localID.suffix(12))` lets it go)")
            case .tombstone:
                tombstones.append(link.localID)
                if dryRun { planned.deleted.insert(Self.plannedKey(R.recordType, link.localID)) }
                report.counts.pulledDeleted += 1
                report.lines.append("gone: \(what); \(would) deleted here too (on_remote_delete: tombstone)")
            case .keep:
                report.lines.append("gone: \(what); \(would) kept here, no longer linked (on_remote_delete: keep)")
                if dryRun { planned.unlinked.insert(Self.plannedKey(R.recordType, link.localID)) }
            case .recreate:
                records.append(local.record)
                if dryRun { planned.unlinked.insert(Self.plannedKey(R.recordType, link.localID)) }
                report.lines.append(
                    "gone: \(what); \(would) created again at the remote by the push (on_remote_delete: recreate)")
            }
        }
    }

    /// The lease lasts `leaseSeconds` and is renewed at checkpoints `leaseRenewalInterval` apart, so that a long run
    /// keeps it and a second run cannot take it over while this one is alive; a run that lost it stops.
    func renewLease() throws {
        let now = ProcessInfo.processInfo.systemUptime
        guard now - leaseRenewed >= leaseRenewalInterval else { return }
        for key in [job.name] + heldKeys {
            if let holder = try storeCall({
                try store.acquireLease(
                    job: key, owner: leaseOwner, pid: getpid(), seconds: leaseSeconds, isAlive: { kill($0, 0) == 0 })
            }) {
                throw SyncError(
                    .leaseHeld, context: job.name,
                    message: "this run lost its lease to \(holder); it stops here (its work so far is checkpointed)")
            }
        }
        leaseRenewed = now
    }

    /// The records counted as waiting for their conflict in this run (`plannedKey`): the pull and the push each meet
    /// such a record, and a trial's one open conflict was reported as "2 waiting".
    var blockedIDs = Set<String>()

    /// The leases of the remote's record types this run holds (`run`), besides the job's.
    private var heldKeys: [String] = []

    /// Gives back the job's lease and the remote's.
    private func releaseLeases() {
        for key in heldKeys { try? store.releaseLease(job: key, owner: leaseOwner) }
        heldKeys = []
        try? store.releaseLease(job: job.name, owner: leaseOwner)
    }
}
