import CRMModel
import CRMHTTP
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

    public var json: String {
        let pairs: [(String, Int)] = [
            ("pulled_created", pulledCreated), ("pulled_updated", pulledUpdated), ("pulled_deleted", pulledDeleted),
            ("pulled_unchanged", pulledUnchanged), ("matched", matched), ("pushed_created", pushedCreated), ("pushed_updated", pushedUpdated),
            ("pushed_deleted", pushedDeleted), ("recovered_creates", recoveredCreates), ("stale_retries", staleRetries),
            ("conflicts_opened", conflictsOpened), ("conflicts_settled", conflictsSettled), ("blocked", blocked), ("deletes_kept", deletesKept),
            ("remote_gone", remoteGone), ("reused_ids", reusedIDs), ("refused", refused),
        ]
        return JSONValue.object(pairs.map { ($0.0, .number(Double($0.1))) }).text
    }

    static func += (a: inout SyncCounts, b: SyncCounts) {
        a.pulledCreated += b.pulledCreated; a.pulledUpdated += b.pulledUpdated; a.pulledDeleted += b.pulledDeleted
        a.pulledUnchanged += b.pulledUnchanged; a.matched += b.matched; a.pushedCreated += b.pushedCreated
        a.pushedUpdated += b.pushedUpdated; a.pushedDeleted += b.pushedDeleted; a.recoveredCreates += b.recoveredCreates
        a.staleRetries += b.staleRetries; a.conflictsOpened += b.conflictsOpened; a.conflictsSettled += b.conflictsSettled
        a.blocked += b.blocked; a.deletesKept += b.deletesKept
        a.remoteGone += b.remoteGone; a.reusedIDs += b.reusedIDs; a.refused += b.refused
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

/// Where a job's pull and push stand for one record type (kept in the store after every page and batch).
struct CursorState: Sendable {
    /// The highest modified stamp pulled, and the ids seen at exactly that stamp (tie-safe cursor).
    var mark: String?
    var idsAtMark: [String] = []
    /// A listing in progress: the page to read next and the filter it was started with.
    var page: String?
    var pageSince: String?
    /// Start of the last complete pull (the cursor for remotes whose records carry no stamp).
    var lastPullStart: String?
    /// The local change counter up to which every change has been pushed.
    var pushSeq: Int64 = 0

    init() {}

    init(json: String?) {
        guard let json, let v = try? JSONValue.parse(Array(json.utf8)) else { return }
        mark = v["mark"]?.stringValue
        idsAtMark = v["ids_at_mark"]?.arrayValue?.compactMap(\.stringValue) ?? []
        page = v["page"]?.stringValue
        pageSince = v["page_since"]?.stringValue
        lastPullStart = v["last_pull_start"]?.stringValue
        pushSeq = v["push_seq"]?.stringValue.flatMap { Int64($0) } ?? 0
    }

    var json: String {
        JSONValue.object([
            ("mark", mark.map { .string($0) } ?? .null), ("ids_at_mark", .array(idsAtMark.map { .string($0) })),
            ("page", page.map { .string($0) } ?? .null), ("page_since", pageSince.map { .string($0) } ?? .null),
            ("last_pull_start", lastPullStart.map { .string($0) } ?? .null), ("push_seq", .number(Double(pushSeq))),
        ]).text
    }
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
    private var remoteName: String { SyncEngine.remoteName(client) }
    /// How links name a remote: the profile at its base URL.
    public static func remoteName(_ client: RemoteClient) -> String { client.profile.name + "@" + client.baseURL }
    /// Who holds the job's lease while this engine runs (`host:pid:…`; a worker gives its own, to renew it).
    public var leaseOwner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.suffix(12))"
    /// How long the lease lasts unless renewed at a checkpoint (or by a worker's heartbeat).
    public var leaseSeconds: Double = 600
    private var leaseRenewed = ProcessInfo.processInfo.systemUptime
    /// Seconds between lease renewals at checkpoints (tests set 0).
    public var leaseRenewalInterval: Double = 60

    public init(store: any SyncStore, job: SyncJob, client: RemoteClient, dryRun: Bool, logger: Logger = Logger(label: "crmgate.sync")) {
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
            if let holder = try storeCall({ try store.acquireLease(job: job.name, owner: leaseOwner, pid: getpid(), seconds: leaseSeconds, isAlive: { kill($0, 0) == 0 }) }) {
                throw SyncError(.leaseHeld, context: job.name, message: "another run of this job holds its lease (\(holder)); try again when it ends")
            }
            runID = try storeCall { try store.startRun(job: job.name, profile: job.profile, baseURL: client.baseURL) }
            report.runID = runID
        }
        defer { if !dryRun { try? store.releaseLease(job: job.name, owner: leaseOwner) } }
        do {
            for type in job.types {
                switch type {
                case .lead: try await sync(Lead.self, &report)
                case .opportunity: try await sync(Opportunity.self, &report)
                case .task: try await sync(CRMTask.self, &report)
                case .customer: try await sync(Customer.self, &report)
                }
            }
        } catch {
            report.seconds = ProcessInfo.processInfo.systemUptime - started
            if let runID { try? store.finishRun(id: runID, status: .failed, counts: report.counts.json, message: "\(error)") }
            throw error
        }
        report.seconds = ProcessInfo.processInfo.systemUptime - started
        if let runID { try storeCall { try store.finishRun(id: runID, status: .ok, counts: report.counts.json, message: nil) } }
        return report
    }

    private func storeCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError { throw SyncError(.store, message: "\(e)") }
    }

    private func sync<R: CRMRecord>(_ type: R.Type, _ report: inout SyncReport) async throws {
        let codec = RecordCodec(try client.resource(R.recordType))
        var state = CursorState(json: try storeCall { try store.cursorState(job: job.name, type: R.recordType) })
        if job.direction != .push { try await pull(R.self, codec, &state, &report) }
        if job.direction != .pull { try await push(R.self, codec, &state, &report) }
    }

    private func checkpoint<R: CRMRecord>(_ type: R.Type, _ state: CursorState, records: [R] = [], links: [SyncLink] = [], removeLinks: [String] = [],
                                          tombstones: [String] = [], clearJournal: [String] = [], undo: [UndoEntry] = [],
                                          setAside: [SetAsideRecord] = [], clearSetAside: [String] = [], clearUpdateJournal: [String] = []) throws {
        guard !dryRun else { return }
        try renewLease()  // before writing: a run that lost its lease writes nothing more
        try storeCall {
            try store.applySync(R.self, records: records, links: links, removeLinks: removeLinks, tombstones: tombstones,
                                cursor: (job.name, state.json), clearJournal: clearJournal, undo: runID.map { ($0, undo) },
                                remote: remoteName, setAside: setAside, clearSetAside: clearSetAside, clearUpdateJournal: clearUpdateJournal)
        }
    }

    /// The snapshot of a local record in the remote's terms (what the remote would hold once it is written).
    private func localSnapshot<R: CRMRecord>(_ record: R, _ codec: RecordCodec) -> Snapshot {
        codec.asStored(Snapshot.of(record, fields: codec.fieldNames, withCustom: codec.syncsCustom))
    }

    /// `record` with the fields where `target` differs from `current` (the record's own snapshot) taken from `target`:
    /// a field the remote holds less precisely than the model (a day for a timestamp) is left as it is.
    private func applyChanges<R: CRMRecord>(_ target: Snapshot, over current: Snapshot, to record: R, _ codec: RecordCodec) -> R {
        let changed = codec.fieldNames.filter { target[$0] != current[$0] }
        return target.apply(to: record, fields: changed, withCustom: codec.syncsCustom)
    }

    /// What records that the remote no longer has become here, by the job's `on_remote_delete`.
    private func gone<R: CRMRecord>(
        _ type: R.Type, _ goneLinks: [(link: SyncLink, local: ChangedRecord<R>?)], why: String, records: inout [R], tombstones: inout [String],
        removeLinks: inout [String], report: inout SyncReport
    ) throws {
        for (link, local) in goneLinks {
            removeLinks.append(link.localID)
            if !dryRun, let waiting = try storeCall({ try store.openConflict(remote: remoteName, type: R.recordType, localID: link.localID) }) {
                try storeCall { try store.closeConflict(id: waiting.id, resolution: "closed: the remote record is gone") }
            }
            guard let local, !local.deleted else { continue }
            report.counts.remoteGone += 1
            let what = "\(R.recordType.rawValue) \(link.localID.suffix(12)) (remote id \(link.remoteID)) \(why)"
            let would = dryRun ? "would be" : "is"
            switch job.onRemoteDelete {
            case .tombstone:
                tombstones.append(link.localID)
                report.counts.pulledDeleted += 1
                report.lines.append("gone: \(what); \(would) deleted here too (on_remote_delete: tombstone)")
            case .keep:
                report.lines.append("gone: \(what); \(would) kept here, no longer linked (on_remote_delete: keep)")
            case .recreate:
                records.append(local.record)
                report.lines.append("gone: \(what); \(would) created again at the remote by the push (on_remote_delete: recreate)")
            }
        }
    }

    /// The lease lasts `leaseSeconds` and is renewed at checkpoints `leaseRenewalInterval` apart, so that a long run
    /// keeps it and a second run cannot take it over while this one is alive; a run that lost it stops.
    private func renewLease() throws {
        let now = ProcessInfo.processInfo.systemUptime
        guard now - leaseRenewed >= leaseRenewalInterval else { return }
        if let holder = try storeCall({ try store.acquireLease(job: job.name, owner: leaseOwner, pid: getpid(), seconds: leaseSeconds, isAlive: { kill($0, 0) == 0 }) }) {
            throw SyncError(.leaseHeld, context: job.name, message: "this run lost its lease to \(holder); it stops here (its work so far is checkpointed)")
        }
        leaseRenewed = now
    }

    // MARK: - Pull

    private func pull<R: CRMRecord>(_ type: R.Type, _ codec: RecordCodec, _ state: inout CursorState, _ report: inout SyncReport) async throws {
        let stamped = codec.resource.modifiedPath != nil
        let runStart = Date()
        let fields = codec.fieldNames
        var since: Date?
        if stamped { since = state.mark.flatMap(RemoteTime.parse) } else { since = state.lastPullStart.flatMap(RemoteTime.parse).map { $0 - unstampedMargin } }
        if job.fullListing { since = nil }
        var token = state.page.map(PageToken.init)
        if token != nil { since = state.pageSince.flatMap(RemoteTime.parse) }
        let sinceText = since?.iso8601UTC
        // A listing read from its first page without a "changed since" filter names every record the remote has:
        // a linked record it lacks is gone. A resumed or filtered listing proves nothing about absent records.
        let incremental = codec.resource.list.incremental
        let complete = token == nil && (since == nil || (incremental?.param == nil && incremental?.searchPath == nil))
        var seen = Set<String>()
        let initialState = state
        // The links a complete listing is checked against are those that existed before it began (another job may
        // link records while this one lists).
        let linkedBefore = complete ? Set(try storeCall { try store.links(remote: remoteName, type: R.recordType) }.map(\.localID)) : []
        var emailIndex: [String: String]? = nil  // lazily: local unlinked records by e-mail, for matching
        var newMark = state.mark
        var newIDs = Set(state.idsAtMark)
        let oldMark = state.mark, oldIDs = Set(state.idsAtMark)
        // The next page is fetched while this one is merged and written (cursor pages are read one after another).
        let client = self.client
        let fetch = { @Sendable (since: Date?, token: PageToken?) in Task { try await client.listPage(R.recordType, since: since, token: token, includeDeleted: true) } }
        var pending: Task<RemotePage, any Error>? = fetch(since, token)
        defer { pending?.cancel() }
        while let current = pending {
            let page = try await current.value
            pending = page.next.map { fetch(since, $0) }
            let ids = page.records.compactMap { codec.remoteID($0) }
            let links = try storeCall { try store.links(remote: remoteName, type: R.recordType, remoteIDs: ids) }
            // Updates sent by a run that died before their answers came: a remote value equal to what was sent is ours.
            let sentUpdates = try storeCall { try store.journaledUpdates(remote: remoteName, type: R.recordType, localIDs: links.values.map(\.localID)) }
            var settledUpdates: [String] = []
            var records: [R] = [], newLinks: [SyncLink] = [], removeLinks: [String] = [], tombstones: [String] = [], undo: [UndoEntry] = [], matchedIDs: [String] = []
            for json in page.records {
                guard let rid = codec.remoteID(json) else { continue }
                seen.insert(rid)
                let sr = codec.snapshot(json)
                let stamp = codec.modified(json) ?? sr.digest
                if stamped {
                    if let oldMark, stamp == oldMark, oldIDs.contains(rid) { continue }
                    if newMark == nil || stamp > newMark! { newMark = stamp; newIDs = [rid] } else if stamp == newMark { newIDs.insert(rid) }
                }
                let deleted = codec.isDeleted(json)
                var linked = links[rid]
                if let l = linked, let known = l.identity, let now = codec.identity(json), known != now {
                    // The remote reused the id of a record it deleted: the linked record is gone, and this one is new.
                    report.counts.reusedIDs += 1
                    let old = try storeCall { try store.recordForSync(R.self, id: l.localID) }
                    try gone(R.self, [(l, old)], why: "was deleted remotely; its id now holds another record",
                         records: &records, tombstones: &tombstones, removeLinks: &removeLinks, report: &report)
                    linked = nil
                }
                guard let link = linked else {
                    if deleted { continue }
                    if emailIndex == nil { emailIndex = try unlinkedEmails(R.self) }
                    let email = sr["email"].flatMap { EmailAddress.normalize($0) }
                    if let email, let localID = emailIndex?[email], let local = try storeCall({ try store.recordForSync(R.self, id: localID) }), !local.deleted {
                        emailIndex?[email] = nil
                        let sl = localSnapshot(local.record, codec)
                        // A create of ours whose answer was lost: what it sent is the base, so that a field only the
                        // remote changed since is not taken for a conflict (newest-wins would lose it to a newer
                        // local edit of another field). Otherwise there is no base.
                        let sent = try storeCall { try store.journaledSnapshot(remote: remoteName, type: R.recordType, localID: localID) }
                        let base = sent.map { Snapshot(json: $0) } ?? Snapshot()
                        let m = ThreeWayMerge.merge(base: base, local: sl, remote: sr, policy: job.policy == .manual ? .remoteWins : job.policy, rules: job.fieldRules,
                                                    localTime: local.record.updatedAt, remoteTime: RemoteTime.parse(stamp))
                        report.counts.matched += 1
                        matchedIDs.append(localID)
                        report.lines.append("pull: match \(R.recordType.rawValue) \(localID.suffix(12)) with remote \(rid) by e-mail")
                        if m.merged != sl { records.append(applyChanges(m.merged, over: sl, to: local.record, codec)) }
                        newLinks.append(link(rid, localID, json, codec, base: sr, stamp: stamp, dirty: m.merged != sr))
                        continue
                    }
                    var r = R(id: RecordID.make())
                    r = sr.apply(to: r, fields: fields, withCustom: codec.syncsCustom)
                    records.append(r)
                    let l = link(rid, r.id.description, json, codec, base: sr, stamp: stamp, dirty: false)
                    newLinks.append(l)
                    undo.append(UndoEntry(side: .local, recordType: R.recordType, localID: r.id.description, remoteID: rid, action: .created, before: nil, after: l.base))
                    report.counts.pulledCreated += 1
                    if dryRun { report.lines.append("pull: create \(R.recordType.rawValue) from remote \(rid): \(summary(sr))") }
                    continue
                }
                if link.remoteStamp == stamp && !deleted {
                    report.counts.pulledUnchanged += 1
                    if link.identity == nil, let id = codec.identity(json) {
                        // A link made before identities were kept learns it now (a later reuse of the id is then seen).
                        var l = link
                        l.identity = id
                        newLinks.append(l)
                    }
                    continue
                }
                guard let local = try storeCall({ try store.recordForSync(R.self, id: link.localID) }) else { continue }
                if deleted {
                    if !local.deleted {
                        tombstones.append(link.localID)
                        report.counts.pulledDeleted += 1
                        report.lines.append("pull: delete \(R.recordType.rawValue) \(link.localID.suffix(12)) (deleted remotely)")
                    }
                    removeLinks.append(link.localID)
                    continue
                }
                let sl = localSnapshot(local.record, codec)
                let waiting = local.deleted ? nil : try storeCall { try store.openConflict(remote: remoteName, type: R.recordType, localID: link.localID) }
                if sentUpdates[link.localID] != nil { settledUpdates.append(link.localID) }
                let plan = PullPlanner.plan(PullInput(
                    base: Snapshot(json: link.base), sentUpdate: sentUpdates[link.localID].map { Snapshot(json: $0) }, local: sl,
                    localDeleted: local.deleted, localEditedSinceSync: local.changeSeq > link.syncedSeq, remote: sr,
                    conflictWaiting: waiting != nil, policy: job.policy, rules: job.fieldRules, localTime: local.record.updatedAt,
                    remoteTime: RemoteTime.parse(stamp)))
                let base = plan.base
                if plan.closeConflict, let waiting {
                    if !dryRun { try storeCall { try store.closeConflict(id: waiting.id, resolution: "settled: the remote changed") } }
                    report.lines.append("conflict \(waiting.id)\(dryRun ? " would close" : " closed"): the remote no longer conflicts")
                    // The push passed the record over while it waited: written again and marked unsent, it is pushed next.
                    if plan.markUnsent { records.append(local.record) }
                }
                switch plan.decision {
                case .stillConflicted(let fields):
                    // The queued conflict takes the remote side as it is now (the cursor moves past this change).
                    report.counts.blocked += 1
                    if !dryRun, let waiting {
                        try storeCall { try store.refreshConflict(id: waiting.id, fields: fields, base: base.json, local: sl.json, remoteSide: sr.json) }
                    }
                case .unchanged:
                    var l = self.link(rid, link.localID, json, codec, base: base, stamp: stamp, dirty: false, keep: link.identity)
                    l.syncedSeq = plan.markUnsent ? -1 : link.syncedSeq
                    newLinks.append(l)
                    report.counts.pulledUnchanged += 1
                case .skipDeleted:
                    break
                case .takeRemote:
                    records.append(applyChanges(sr, over: sl, to: local.record, codec))
                    newLinks.append(self.link(rid, link.localID, json, codec, base: sr, stamp: stamp, dirty: false, keep: link.identity))
                    undo.append(UndoEntry(side: .local, recordType: R.recordType, localID: link.localID, remoteID: rid, action: .updated, before: sl.json, after: sr.json))
                    report.counts.pulledUpdated += 1
                    if dryRun { report.lines.append("pull: update \(R.recordType.rawValue) \(link.localID.suffix(12)): \(diff(sl, sr))") }
                case .conflict(let fields):
                    report.counts.conflictsOpened += 1
                    report.lines.append("conflict: \(R.recordType.rawValue) \(link.localID.suffix(12)) (remote \(rid)) on \(fields.joined(separator: ", ")); it waits for `crmgate conflicts resolve`")
                    if !dryRun {
                        _ = try storeCall {
                            try store.openConflict(job: job.name, remote: remoteName, type: R.recordType, localID: link.localID, remoteID: rid, fields: fields,
                                                   base: base.json, local: sl.json, remoteSide: sr.json)
                        }
                    }
                case .merge(let merged, let settledByPolicy):
                    report.counts.conflictsSettled += settledByPolicy ? 1 : 0
                    if merged != sl {
                        records.append(applyChanges(merged, over: sl, to: local.record, codec))
                        undo.append(UndoEntry(side: .local, recordType: R.recordType, localID: link.localID, remoteID: rid, action: .updated, before: sl.json, after: merged.json))
                        report.counts.pulledUpdated += 1
                    }
                    if dryRun { report.lines.append("merge: \(R.recordType.rawValue) \(link.localID.suffix(12)): local \(diff(sl, merged)); remote \(diff(sr, merged))") }
                    newLinks.append(self.link(rid, link.localID, json, codec, base: sr, stamp: stamp, dirty: merged != sr, keep: link.identity))
                }
            }
            token = page.next
            state.page = token?.text
            state.pageSince = token == nil ? nil : sinceText
            if token == nil {
                if stamped { state.mark = newMark; state.idsAtMark = newMark == oldMark ? Array(newIDs.union(oldIDs)).sorted() : Array(newIDs).sorted() }
                state.lastPullStart = runStart.iso8601UTC
                if complete {
                    do {
                        try await absent(R.self, codec, seen: seen, linkedBefore: linkedBefore, handled: Set(removeLinks), records: &records,
                                         tombstones: &tombstones, removeLinks: &removeLinks, report: &report)
                    } catch let e as SyncError where e.code == .massDelete {
                        // Nothing of this page is written; the next run lists from the first page again (and stops again).
                        var reset = initialState
                        reset.page = nil
                        reset.pageSince = nil
                        try checkpoint(R.self, reset)
                        throw e
                    }
                }
            }
            try checkpoint(R.self, state, records: records, links: newLinks, removeLinks: removeLinks, tombstones: tombstones, clearJournal: matchedIDs, undo: undo,
                           clearUpdateJournal: settledUpdates)
            if token == nil { break }
        }
    }

    /// Linked records that a complete listing lacked: gone, unless there are more than the job lets one run remove.
    private func absent<R: CRMRecord>(
        _ type: R.Type, _ codec: RecordCodec, seen: Set<String>, linkedBefore: Set<String>, handled: Set<String>, records: inout [R],
        tombstones: inout [String], removeLinks: inout [String], report: inout SyncReport
    ) async throws {
        let all = try storeCall { try store.links(remote: remoteName, type: R.recordType) }.filter { linkedBefore.contains($0.localID) }
        let missing = all.filter { !seen.contains($0.remoteID) && !handled.contains($0.localID) }
        guard !missing.isEmpty else { return }
        var pairs: [(link: SyncLink, local: ChangedRecord<R>?)] = []
        for l in missing { pairs.append((l, try storeCall { try store.recordForSync(R.self, id: l.localID) })) }
        let live = pairs.filter { $0.local.map { !$0.deleted } ?? false }.count
        let allowed = max(1, Int((Double(all.count) * job.massDeleteShare).rounded(.down)))
        if live > allowed, !job.allowMassDelete {
            throw SyncError(
                .massDelete, context: "\(job.name): \(R.recordType.plural)",
                message: "the remote's complete listing lacks \(live) of \(all.count) linked \(R.recordType.plural) (more than "
                    + "\(Int(job.massDeleteShare * 100))%); nothing was deleted. If the remote really deleted them, run again with "
                    + "--allow-mass-delete; otherwise check the profile's list path and filters")
        }
        // A record a paged listing skipped (a delete elsewhere shifted the pages) is still there: where the remote
        // can be asked for one record, each absent one is confirmed before it counts as gone.
        var confirmed: [(link: SyncLink, local: ChangedRecord<R>?)] = []
        for pair in pairs {
            if codec.resource.get != nil, pair.local.map({ !$0.deleted }) ?? false,
                let got = try await client.get(R.recordType, remoteID: pair.link.remoteID),
                pair.link.identity == nil || codec.identity(got.record) == nil || codec.identity(got.record) == pair.link.identity
            {
                continue
            }
            confirmed.append(pair)
        }
        try gone(R.self, confirmed, why: "is no longer at the remote (its complete listing lacks it)", records: &records, tombstones: &tombstones,
             removeLinks: &removeLinks, report: &report)
    }

    private func unlinkedEmails<R: CRMRecord>(_ type: R.Type) throws -> [String: String] {
        guard R.fieldIndex(named: "email") != nil else { return [:] }
        let linked = Set(try storeCall { try store.links(remote: remoteName, type: R.recordType) }.map(\.localID))
        var out: [String: String] = [:]
        try storeCall {
            try store.forEach(R.self) { r, _ in
                let id = r.id.description
                if !linked.contains(id), let e = EmailAddress.normalize(r.value(of: "email").text) { out[e] = out[e] ?? id }
            }
        }
        return out
    }

    private func link(_ rid: String, _ localID: String, _ json: JSONValue, _ codec: RecordCodec, base: Snapshot, stamp: String, dirty: Bool, etag: String? = nil,
                      keep identity: String? = nil) -> SyncLink {
        SyncLink(remote: remoteName, recordType: codec.resource.record, localID: localID, remoteID: rid, etag: etag, version: codec.version(json),
                 base: base.json, syncedSeq: dirty ? -1 : 0, remoteStamp: stamp, identity: codec.identity(json) ?? identity)
    }

    private func summary(_ s: Snapshot) -> String {
        s.values.keys.sorted().prefix(4).map { "\($0)=\(s[$0]!.replacingOccurrences(of: Snapshot.listSeparator, with: "|"))" }.joined(separator: ", ")
    }

    private func diff(_ a: Snapshot, _ b: Snapshot) -> String {
        let keys = Set(a.values.keys).union(b.values.keys).filter { a[$0] != b[$0] }.sorted()
        if keys.isEmpty { return "no change" }
        return keys.map { "\($0): \((a[$0] ?? "").debugDescription) → \((b[$0] ?? "").debugDescription)" }.joined(separator: "; ")
    }

    // MARK: - Push

    private enum PushOutcome: Sendable {
        case linked(SyncLink, rewrite: Snapshot?, counts: SyncCounts, undo: UndoEntry?, clearJournal: Bool, line: String?)
        case unlink(String, counts: SyncCounts, line: String?)
        case nothing(counts: SyncCounts, line: String?)
        /// The remote no longer has the linked record (404/410, or its id holds another record now).
        case gone(SyncLink, why: String)
        case failed(any Error)
    }

    private func push<R: CRMRecord>(_ type: R.Type, _ codec: RecordCodec, _ state: inout CursorState, _ report: inout SyncReport) async throws {
        while true {
            let batch = try storeCall { try store.changed(R.self, afterSeq: state.pushSeq, limit: job.batchSize) }
            if batch.isEmpty { break }
            // Everything the batch needs from the store, read at once; creates' keys journaled before any request.
            let ids = batch.map { $0.record.id.description }
            let known = try storeCall { try store.links(remote: remoteName, type: R.recordType, localIDs: ids) }
            let conflicted = try storeCall { try store.openConflictIDs(remote: remoteName, type: R.recordType, localIDs: ids) }
            var journal = try storeCall { try store.journal(remote: remoteName, type: R.recordType, localIDs: ids) }
            var fresh: [(localID: String, key: String, lookup: String?, sent: String)] = []
            var contexts: [PushContext<R>] = []
            let lookupField = codec.resource.lookup?.field
            for item in batch {
                let id = item.record.id.description
                var ctx = PushContext(item: item, link: known[id], conflicted: conflicted.contains(id), journal: nil, journalExisted: false)
                if let j = journal[id] {
                    ctx.journal = j
                    ctx.journalExisted = true
                } else if ctx.link == nil, !item.deleted, !ctx.conflicted, !dryRun {
                    let sl = localSnapshot(item.record, codec)
                    let entry = (localID: id, key: UUID().uuidString.lowercased(), lookup: lookupField.flatMap { sl[$0] }, sent: sl.json)
                    fresh.append(entry)
                    journal[id] = (entry.key, entry.lookup)
                    ctx.journal = (entry.key, entry.lookup)
                }
                contexts.append(ctx)
            }
            if !fresh.isEmpty { try storeCall { try store.journalCreates(remote: remoteName, type: R.recordType, entries: fresh) } }
            if !dryRun {
                // What each update will send, written before any request (a killed run leaves it for the next pull).
                var updates: [(localID: String, sent: String)] = []
                for ctx in contexts where !ctx.item.deleted && !ctx.conflicted {
                    guard let link = ctx.link, ctx.item.changeSeq > link.syncedSeq else { continue }
                    let base = Snapshot(json: link.base), sl = localSnapshot(ctx.item.record, codec)
                    let changed = Set(base.values.keys).union(sl.values.keys).filter { base[$0] != sl[$0] }
                    guard !changed.isEmpty else { continue }
                    var sent: [String: String] = [:]
                    for k in changed { sent[k] = sl[k] ?? "" }
                    updates.append((ctx.item.record.id.description, Snapshot(sent).json))
                }
                try storeCall { try store.journalUpdates(remote: remoteName, type: R.recordType, entries: updates) }
            }
            // Creates go through the remote's batch upsert where it has one (HubSpot: by e-mail): idempotent, so a
            // batch whose answer was lost is simply sent again. The rest one request per record.
            var upserted: [Int: PushOutcome] = [:]
            if !dryRun, let batch = codec.resource.batch, batch.upsert != nil, let key = upsertField(codec) {
                let eligible = contexts.indices.filter { i in
                    let c = contexts[i]
                    return c.link == nil && !c.item.deleted && !c.conflicted && !(localSnapshot(c.item.record, codec)[key] ?? "").isEmpty
                }
                for chunk in stride(from: 0, to: eligible.count, by: max(1, batch.size)) {
                    let part = Array(eligible[chunk..<min(eligible.count, chunk + max(1, batch.size))])
                    for (i, o) in await upsert(part.map { contexts[$0] }, key: key, codec) { upserted[part[i]] = o }
                }
            }
            let rest = contexts.indices.filter { upserted[$0] == nil }
            let perRecord: [PushOutcome?] = await BoundedConcurrency.map(rest.map { contexts[$0] }, width: job.concurrency) { (ctx: PushContext<R>) in
                do { return try await self.pushOne(ctx, codec) } catch { return .failed(error) }
            }
            var outcomes: [PushOutcome?] = contexts.indices.map { upserted[$0] }
            for (k, i) in rest.enumerated() { outcomes[i] = perRecord[k] }
            var links: [SyncLink] = [], rewrites: [R] = [], unlinks: [String] = [], clear: [String] = [], undo: [UndoEntry] = []
            var tombstones: [String] = [], setAside: [SetAsideRecord] = [], settled: [String] = [], answered: [String] = []
            var failure: (any Error)?
            var lastDone = state.pushSeq
            for (i, o) in outcomes.enumerated() {
                let item = batch[i]
                let id = item.record.id.description
                switch o! {
                case .failed(let e as SyncError) where e.isPermanentRefusal && failure == nil:
                    // Refused for what it holds: set aside with the remote's answer; the other records go on.
                    let ctx = contexts[i]
                    let operation = item.deleted ? "delete" : ctx.link == nil ? "create" : "update"
                    setAside.append(SetAsideRecord(remote: remoteName, recordType: R.recordType, localID: id, changeSeq: item.changeSeq,
                                                   operation: operation, status: e.status, message: e.description))
                    if operation == "create" && !ctx.journalExisted { clear.append(id) }
                    report.counts.refused += 1
                    report.lines.append("refused: \(R.recordType.rawValue) \(id.suffix(12)) (\(operation)): \(e.message); set aside "
                        + "(`crmgate sync errors show \(id.suffix(12))`), tried again when it changes or on `sync errors retry`")
                case .failed(let e):
                    if failure == nil { failure = e }
                case .gone(let l, let why):
                    var goneRecords: [R] = []
                    try gone(R.self, [(l, item)], why: why, records: &goneRecords, tombstones: &tombstones, removeLinks: &unlinks, report: &report)
                    rewrites += goneRecords
                    settled.append(id)
                case .linked(let l, let rewrite, let c, let u, let j, let line):
                    settled.append(id)
                    answered.append(id)
                    links.append(l)
                    if let rewrite { rewrites.append(applyChanges(rewrite, over: localSnapshot(item.record, codec), to: item.record, codec)) }
                    if let u { undo.append(u) }
                    if j { clear.append(l.localID) }
                    report.counts += c
                    if let line { report.lines.append(line) }
                case .unlink(let id, let c, let line):
                    settled.append(id)
                    unlinks.append(id)
                    report.counts += c
                    if let line { report.lines.append(line) }
                case .nothing(let c, let line):
                    if c.blocked == 0 { settled.append(id) }
                    report.counts += c
                    if let line { report.lines.append(line) }
                }
                if failure == nil { lastDone = item.changeSeq }
            }
            state.pushSeq = lastDone
            try checkpoint(R.self, state, records: rewrites, links: links, removeLinks: unlinks, tombstones: tombstones, clearJournal: clear, undo: undo,
                           setAside: setAside, clearSetAside: settled, clearUpdateJournal: settled + answered)
            if let failure { throw failure }
            if dryRun { state.pushSeq = batch.last!.changeSeq }
        }
    }

    /// The model field a batch upsert keys on: the one whose remote path ends in the profile's `upsert_key`.
    private func upsertField(_ codec: RecordCodec) -> String? {
        guard let key = codec.resource.batch?.upsertKey else { return nil }
        return codec.resource.fields.first { $0.kind != .nameParts && $0.path.description.split(separator: ".").last.map(String.init) == key }?.fields.first
    }

    /// One batch upsert of new records; each gets its outcome (all fail together when the request fails).
    private func upsert<R: CRMRecord>(_ contexts: [PushContext<R>], key: String, _ codec: RecordCodec) async -> [(Int, PushOutcome)] {
        let snapshots = contexts.map { localSnapshot($0.item.record, codec) }
        let inputs = snapshots.map { (key: $0[key] ?? "", body: codec.body($0)) }
        let found: [JSONValue]
        do { found = try await client.batchUpsert(R.recordType, inputs: inputs) } catch { return contexts.indices.map { ($0, .failed(error)) } }
        var byKey: [String: JSONValue] = [:]
        for json in found { if let v = codec.snapshot(json)[key] { byKey[v.lowercased()] = json } }
        return contexts.indices.map { i in
            let ctx = contexts[i], sl = snapshots[i]
            guard let json = byKey[(sl[key] ?? "").lowercased()], let rid = codec.remoteID(json) else {
                return (i, .failed(SyncError(.badResponse, context: "batch upsert \(R.recordType.plural)", message: "the answer has no record for \(key) \(sl[key] ?? "")")))
            }
            let rs = codec.snapshot(json)
            var c = SyncCounts()
            c.pushedCreated = 1
            var l = link(rid, ctx.item.record.id.description, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: false)
            l.syncedSeq = ctx.item.changeSeq
            return (i, .linked(l, rewrite: nil, counts: c, undo: UndoEntry(side: .remote, recordType: R.recordType, localID: l.localID, remoteID: rid,
                                                                            action: .created, before: nil, after: rs.json),
                               clearJournal: true, line: nil))
        }
    }

    /// A record to push and what the store knows about it.
    private struct PushContext<R: CRMRecord>: Sendable {
        var item: ChangedRecord<R>
        var link: SyncLink?
        var conflicted: Bool
        /// The create's idempotency key and lookup value (written before the request).
        var journal: (key: String, lookup: String?)?
        /// The key was written by an earlier run whose answer never arrived.
        var journalExisted: Bool
    }

    /// Carries out the push planner's decision for one record.
    private func pushOne<R: CRMRecord>(_ ctx: PushContext<R>, _ codec: RecordCodec) async throws -> PushOutcome {
        let type = R.recordType
        let item = ctx.item
        let localID = item.record.id.description
        let sl = localSnapshot(item.record, codec)
        let decision = PushPlanner.plan(
            PushInput(
                changeSeq: item.changeSeq, syncedSeq: ctx.link?.syncedSeq, deleted: item.deleted, conflictWaiting: ctx.conflicted,
                createSentBefore: ctx.journalExisted, allowDelete: job.allowDelete, base: ctx.link.map { Snapshot(json: $0.base) }, local: sl))
        var c = SyncCounts()
        switch decision {
        case .alreadySynced, .nothingToDelete:
            return .nothing(counts: c, line: nil)
        case .waitForConflict:
            c.blocked = 1
            return .nothing(counts: c, line: "push: \(type.rawValue) \(localID.suffix(12)) waits for its conflict to be resolved")
        case .keepRemote:
            c.deletesKept = 1
            return .nothing(counts: c, line: "push: \(type.rawValue) \(localID.suffix(12)) was deleted locally; kept remotely (no --allow-delete)")
        case .delete:
            let link = ctx.link!
            c.pushedDeleted = 1
            if dryRun { return .nothing(counts: c, line: "push: delete remote \(link.remoteID)") }
            var etag = link.etag
            if codec.resource.concurrency == .etag, etag == nil { etag = try await client.get(type, remoteID: link.remoteID)?.etag }
            _ = try await client.delete(type, remoteID: link.remoteID, etag: etag)
            return .unlink(localID, counts: c, line: nil)
        case .create:
            return try await create(item, sl, codec, journal: ctx.journal, existed: ctx.journalExisted)
        case .update, .advance:
            // The update re-reads the remote where it may have moved (ETags, reused ids) and merges before it sends.
            return try await update(item, sl, ctx.link!, codec)
        }
    }

    private func stamp(_ json: JSONValue, _ codec: RecordCodec, _ s: Snapshot) -> String { codec.modified(json) ?? s.digest }

    private func create<R: CRMRecord>(_ item: ChangedRecord<R>, _ sl: Snapshot, _ codec: RecordCodec, journal: (key: String, lookup: String?)?, existed: Bool) async throws -> PushOutcome {
        let type = R.recordType
        let localID = item.record.id.description
        var c = SyncCounts()
        if dryRun {
            c.pushedCreated = 1
            return .nothing(counts: c, line: "push: create \(type.rawValue) \(localID.suffix(12)): \(summary(sl))")
        }
        let lookupField = codec.resource.lookup?.field
        guard let j = journal else { throw SyncError(.store, message: "no idempotency key was journaled for \(localID)") }
        let key = j.key
        if existed {
            // A create was sent before and its answer never arrived: find out whether it happened.
            if codec.resource.create.idempotencyHeader == nil, let value = j.lookup, !value.isEmpty {
                let found = try await client.lookup(type, value: value)
                // The lookup field need not be unique (Cin7 Core looks up by Name): take a record nobody is linked to
                // whose other fields agree with what was sent.
                var match: (JSONValue, String)?
                for json in found {
                    guard let rid = codec.remoteID(json), codec.snapshot(json)[lookupField!] == value,
                        try storeCall({ try store.link(remote: remoteName, type: type, remoteID: rid) }) == nil
                    else { continue }
                    let rs = codec.snapshot(json)
                    if rs.values.allSatisfy({ sl[$0.key] == nil || sl[$0.key] == $0.value }) || (rs["email"] != nil && rs["email"] == sl["email"]) {
                        match = (json, rid)
                        break
                    }
                }
                if let (json, rid) = match {
                    let rs = codec.snapshot(json)
                    c.recoveredCreates = 1
                    var l = link(rid, localID, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: rs != sl)
                    if rs == sl { l.syncedSeq = item.changeSeq }
                    return .linked(l, rewrite: nil, counts: c, undo: UndoEntry(side: .remote, recordType: type, localID: localID, remoteID: rid, action: .created, before: nil, after: rs.json),
                                   clearJournal: true, line: nil)
                }
            } else { c.recoveredCreates = 1 }
        }
        var (json, etag) = try await client.create(type, body: codec.body(sl), idempotencyKey: key)
        if !codec.isRecord(json) {
            // The answer is a message, not the record: the base is what the remote holds, read back by id or found by
            // the lookup.
            if let rid = codec.remoteID(json), let got = try await client.get(type, remoteID: rid) {
                json = got.record
                etag = got.etag ?? etag
            } else if let field = lookupField, let value = sl[field], !value.isEmpty {
                let found = try await client.lookup(type, value: value).filter { candidate in
                    let rs = codec.snapshot(candidate)
                    return rs[field] == value && rs.values.allSatisfy { sl[$0.key] == nil || sl[$0.key] == $0.value }
                }
                var unlinked: JSONValue?
                for candidate in found {
                    guard let rid = codec.remoteID(candidate) else { continue }
                    if try storeCall({ try store.link(remote: remoteName, type: type, remoteID: rid) }) == nil { unlinked = candidate; break }
                }
                guard let unlinked else {
                    throw SyncError(.badResponse, context: "create \(type.rawValue)",
                                    message: "the remote's answer is not the record and the lookup by \(field) found no new record")
                }
                json = unlinked
            }
        }
        guard let rid = codec.remoteID(json) else {
            throw SyncError(.badResponse, context: "create \(type.rawValue)",
                            message: "the remote's answer has no id at '\(codec.resource.idPath)' (give the profile a lookup to find created records)")
        }
        let rs = codec.snapshot(json)
        c.pushedCreated = 1
        var l = link(rid, localID, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: false, etag: etag)
        l.syncedSeq = item.changeSeq
        return .linked(l, rewrite: nil, counts: c, undo: UndoEntry(side: .remote, recordType: type, localID: localID, remoteID: rid, action: .created, before: nil, after: rs.json),
                       clearJournal: true, line: nil)
    }

    private func update<R: CRMRecord>(_ item: ChangedRecord<R>, _ sl: Snapshot, _ link: SyncLink, _ codec: RecordCodec) async throws -> PushOutcome {
        let type = R.recordType
        let localID = item.record.id.description
        var c = SyncCounts()
        var base = Snapshot(json: link.base)
        var local = sl
        var rewrite: Snapshot?
        var changed = Set(base.values.keys).union(local.values.keys).filter { base[$0] != local[$0] }
        if changed.isEmpty {
            var l = link
            l.syncedSeq = item.changeSeq
            return .linked(l, rewrite: nil, counts: c, undo: nil, clearJournal: false, line: nil)
        }
        if dryRun {
            c.pushedUpdated = 1
            return .nothing(counts: c, line: "push: update remote \(link.remoteID): \(diff(base, local))")
        }
        var etag = link.etag, version = link.version
        let before = base
        // Where the remote reuses ids, the record at the linked id is read first: writing one person's data onto
        // another record is never acceptable.
        let verify = link.identity != nil && codec.resource.identityPath != nil && codec.resource.get != nil
        if (codec.resource.concurrency == .etag && etag == nil) || verify {
            guard let got = try await client.get(type, remoteID: link.remoteID) else { return .gone(link, why: "answered 404: deleted remotely") }
            if let now = codec.identity(got.record), let known = link.identity, now != known {
                return .gone(link, why: "was deleted remotely; its id now holds another record")
            }
            etag = got.etag
            version = codec.version(got.record) ?? version
            let rs = codec.snapshot(got.record)
            if rs != base {
                let m = ThreeWayMerge.merge(base: base, local: local, remote: rs, policy: job.policy, rules: job.fieldRules, localTime: item.record.updatedAt, remoteTime: codec.modified(got.record).flatMap(RemoteTime.parse))
                if !m.conflicts.isEmpty { return try conflict(type, localID, link.remoteID, m.conflicts, base, local, rs, c) }
                if m.merged != local { rewrite = m.merged; local = m.merged }
                base = rs
                changed = Set(base.values.keys).union(local.values.keys).filter { base[$0] != local[$0] }
            }
        }
        for _ in 0..<5 {
            if changed.isEmpty {
                var l = self.link(link.remoteID, localID, .null, codec, base: base, stamp: link.remoteStamp ?? "", dirty: false, etag: etag, keep: link.identity)
                l.version = version
                if rewrite == nil { l.syncedSeq = item.changeSeq }
                return .linked(l, rewrite: rewrite, counts: c, undo: nil, clearJournal: false, line: nil)
            }
            switch try await client.update(type, remoteID: link.remoteID, body: codec.body(local, only: changed), etag: etag, version: version) {
            case .updated(var json, var newEtag):
                if !codec.isRecord(json) {
                    // The answer is a message, not the record: the base is what the remote holds now, read back.
                    guard let got = try await client.get(type, remoteID: link.remoteID) else { return .gone(link, why: "answered 404 after an update") }
                    json = got.record
                    newEtag = got.etag ?? newEtag
                }
                let rs = codec.snapshot(json)
                c.pushedUpdated = 1
                var l = self.link(link.remoteID, localID, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: false, etag: newEtag,
                                  keep: link.identity)
                if rewrite == nil { l.syncedSeq = item.changeSeq }
                return .linked(l, rewrite: rewrite, counts: c,
                               undo: UndoEntry(side: .remote, recordType: type, localID: localID, remoteID: link.remoteID, action: .updated, before: before.json, after: rs.json),
                               clearJournal: false, line: nil)
            case .notFound:
                return .gone(link, why: "answered 404: deleted remotely")
            case .stale:
                c.staleRetries += 1
                guard let got = try await client.get(type, remoteID: link.remoteID) else { return .gone(link, why: "answered 404: deleted remotely") }
                etag = got.etag
                version = codec.version(got.record) ?? version
                let rs = codec.snapshot(got.record)
                let m = ThreeWayMerge.merge(base: base, local: local, remote: rs, policy: job.policy, rules: job.fieldRules, localTime: item.record.updatedAt, remoteTime: codec.modified(got.record).flatMap(RemoteTime.parse))
                if !m.conflicts.isEmpty { return try conflict(type, localID, link.remoteID, m.conflicts, base, local, rs, c) }
                if m.merged != local { rewrite = m.merged; local = m.merged }
                if !m.settled.isEmpty { c.conflictsSettled += 1 }
                base = rs
                changed = Set(base.values.keys).union(local.values.keys).filter { base[$0] != local[$0] }
            }
        }
        throw SyncError(.transport, context: "update \(type.rawValue) \(link.remoteID)", message: "the remote record kept changing while it was being updated; the next run tries again")
    }

    private func conflict(_ type: RecordType, _ localID: String, _ rid: String, _ fields: [String], _ base: Snapshot, _ local: Snapshot, _ remote: Snapshot, _ c: SyncCounts) throws -> PushOutcome {
        var c = c
        c.conflictsOpened = 1
        _ = try storeCall {
            try store.openConflict(job: job.name, remote: remoteName, type: type, localID: localID, remoteID: rid, fields: fields, base: base.json, local: local.json, remoteSide: remote.json)
        }
        return .nothing(counts: c, line: "conflict: \(type.rawValue) \(localID.suffix(12)) (remote \(rid)) on \(fields.joined(separator: ", "))")
    }
}
