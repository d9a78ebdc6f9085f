import CRMHTTP
import CRMModel
import CRMStore
import Foundation

// The pull half of the engine: pages read from the remote, the pull planner's decision per record applied to the
// store, records the listing abbreviates read whole, and linked records a complete listing lacked (remote deletes).
extension SyncEngine {
    func pull<R: CRMRecord>(
        _ type: R.Type, _ codec: RecordCodec, _ state: inout CursorState, _ report: inout SyncReport
    ) async throws {
        let stamped = codec.resource.modifiedPath != nil
        let runStart = Date()
        let fields = codec.fieldNames
        let createPlan = Snapshot.ApplyPlan(R.self, fields: fields, withCustom: codec.syncsCustom)
        var since: Date?
        if stamped {
            since = state.mark.flatMap(RemoteTime.parse)
        } else {
            since = state.lastPullStart.flatMap(RemoteTime.parse).map { $0 - unstampedMargin }
        }
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
        let linkedBefore =
            complete
            ? Set(try storeCall { try store.linkIDs(remote: remoteName, type: R.recordType) }.map(\.localID)) : []
        var emailIndex: [String: String]? = nil  // lazily: local unlinked records by e-mail, for matching
        var sentCreates: [(String, Snapshot)]? = nil  // lazily: creates sent without an answer, for matching
        var newMark = state.mark
        var newIDs = Set(state.idsAtMark)
        // Ids of records made here, drawn from one generator (`RecordID.make` asks the kernel for random bits each).
        var newRecordIDs = RecordID.Generator()
        let oldMark = state.mark
        let oldIDs = Set(state.idsAtMark)
        // The next page is fetched while this one is merged and written (cursor pages are read one after another).
        let client = self.client
        // Each record is also read into its snapshot there: that needs nothing from the store, and so runs on the
        // other core while this one decides and writes the page before.
        let fetch = { @Sendable (since: Date?, token: PageToken?) in
            Task { () -> (RemotePage, [PulledRecord]) in
                let page = try await client.listPage(R.recordType, since: since, token: token, includeDeleted: true)
                return (page, page.records.map { PulledRecord($0, codec) })
            }
        }
        var pending: Task<(RemotePage, [PulledRecord]), any Error>? = fetch(since, token)
        defer { pending?.cancel() }
        while let current = pending {
            let (page, read) = try await current.value
            pending = page.next.map { fetch(since, $0) }
            let ids = read.compactMap(\.remoteID)
            let links = try storeCall { try store.links(remote: remoteName, type: R.recordType, remoteIDs: ids) }
            let items = try await completed(read, links: links, codec)
            // Updates sent by a run that died before their answers came: a remote value equal to what was sent is ours.
            let sentUpdates = try storeCall {
                try store.journaledUpdates(
                    remote: remoteName, type: R.recordType, localIDs: links.values.map(\.localID))
            }
            var settledUpdates: [String] = []
            var records: [R] = []
            var newLinks: [SyncLink] = []
            var removeLinks: [String] = []
            var tombstones: [String] = []
            var undo: [UndoEntry] = []
            var matchedIDs: [String] = []
            for item in items {
                guard let rid = item.remoteID else { continue }
                let json = item.json
                let sr = item.snapshot
                let stamp = item.stamp
                seen.insert(rid)
                if stamped {
                    // Taken last time, at the mark: skipped, while it is linked (one whose link `undo` removed is new
                    // again; a trial's was never pulled back, `--full` neither).
                    if let oldMark, stamp == oldMark, oldIDs.contains(rid), links[rid] != nil {
                        // Unchanged since, and counted so (a trial's 30 deals said "29 unchanged").
                        report.counts.pulledUnchanged += 1
                        continue
                    }
                    if newMark == nil || stamp > newMark! {
                        newMark = stamp
                        newIDs = [rid]
                    } else if stamp == newMark {
                        newIDs.insert(rid)
                    }
                }
                let deleted = item.deleted
                var linked = links[rid]
                if let l = linked, let known = l.identity, let now = codec.identity(json), known != now {
                    // The remote reused the id of a record it deleted: the linked record is gone, and this one is new.
                    report.counts.reusedIDs += 1
                    let old = try storeCall { try store.recordForSync(R.self, id: l.localID) }
                    try gone(
                        R.self, [(l, old)], why: "was deleted remotely; its id now holds another record", codec: codec,
                        records: &records, tombstones: &tombstones, removeLinks: &removeLinks, report: &report)
                    linked = nil
                }
                guard let link = linked else {
                    if deleted { continue }
                    if emailIndex == nil { emailIndex = try unlinkedEmails(R.self) }
                    let email = sr["email"].flatMap { EmailAddress.normalize($0) }
                    var matchedID = email.flatMap { emailIndex?[$0] }
                    var sentMatch = false
                    if matchedID == nil {
                        // A create of ours whose answer was lost (a run killed while pushing) is found by what it sent:
                        // every field sent is the remote record's. Without an e-mail nothing else finds it, and a
                        // trial's rerun pulled 164 such records as new leads (the push then sent them again).
                        if sentCreates == nil {
                            sentCreates = try storeCall {
                                try store.journaledCreates(remote: remoteName, type: R.recordType)
                            }.map { ($0.localID, Snapshot(json: $0.sent)) }
                        }
                        if let k = sentCreates?.firstIndex(where: { e in
                            !e.1.values.isEmpty && e.1.values.allSatisfy { sr[$0.key] == $0.value }
                        }) {
                            matchedID = sentCreates?[k].0
                            sentCreates?.remove(at: k)
                            sentMatch = true
                        }
                    }
                    if let localID = matchedID,
                        let local = try storeCall({ try store.recordForSync(R.self, id: localID) }), !local.deleted
                    {
                        if let email { emailIndex?[email] = nil }
                        let sl = localSnapshot(local.record, codec)
                        // A create of ours whose answer was lost: what it sent is the base, so that a field only the
                        // remote changed since is not taken for a conflict (newest-wins would lose it to a newer
                        // local edit of another field). Otherwise there is no base.
                        let sent = try storeCall {
                            try store.journaledSnapshot(remote: remoteName, type: R.recordType, localID: localID)
                        }
                        let base = sent.map { Snapshot(json: $0) } ?? Snapshot()
                        let m = ThreeWayMerge.merge(
                            base: base, local: sl, remote: sr, policy: job.policy == .manual ? .remoteWins : job.policy,
                            rules: job.fieldRules,
                            localTime: local.record.updatedAt, remoteTime: RemoteTime.parse(stamp))
                        report.counts.matched += 1
                        matchedIDs.append(localID)
                        report.lines.append(
                            "pull: match \(R.recordType.rawValue) \(localID.suffix(12)) with remote \(rid) "
                                + (sentMatch ? "as the create it sent (its answer was lost)" : "by e-mail"))
                        if m.merged != sl { records.append(applyChanges(m.merged, over: sl, to: local.record, codec)) }
                        newLinks.append(link(rid, localID, json, codec, base: sr, stamp: stamp, dirty: m.merged != sr))
                        continue
                    }
                    let r = sr.apply(to: R(id: newRecordIDs.next()), plan: createPlan)
                    records.append(r)
                    let l = link(
                        rid, r.id.description, json, codec, base: sr, stamp: stamp, dirty: false,
                        baseJSON: item.snapshotJSON)
                    newLinks.append(l)
                    undo.append(
                        UndoEntry(
                            side: .local, recordType: R.recordType, localID: r.id.description, remoteID: rid,
                            action: .created, before: nil, after: l.base))
                    report.counts.pulledCreated += 1
                    if dryRun {
                        report.lines.append("pull: create \(R.recordType.rawValue) from remote \(rid): \(summary(sr))")
                    }
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
                    // As any record gone at the remote: `on_remote_delete` decides, and an edit made here since the
                    // last sync is kept (it was deleted with the rest, whatever the job said).
                    try gone(
                        R.self, [(link, local)], why: "is listed as deleted remotely", codec: codec, records: &records,
                        tombstones: &tombstones, removeLinks: &removeLinks, report: &report)
                    continue
                }
                let sl = localSnapshot(local.record, codec)
                let waiting =
                    local.deleted
                    ? nil
                    : try storeCall {
                        try store.openConflict(remote: remoteName, type: R.recordType, localID: link.localID)
                    }
                if sentUpdates[link.localID] != nil { settledUpdates.append(link.localID) }
                let plan = PullPlanner.plan(
                    PullInput(
                        base: Snapshot(json: link.base),
                        sentUpdate: sentUpdates[link.localID].map { Snapshot(json: $0) }, local: sl,
                        localDeleted: local.deleted, localEditedSinceSync: local.changeSeq > link.syncedSeq, remote: sr,
                        conflictWaiting: waiting != nil, policy: job.policy, rules: job.fieldRules,
                        localTime: local.record.updatedAt,
                        remoteTime: RemoteTime.parse(stamp)))
                let base = plan.base
                if plan.closeConflict, let waiting {
                    if !dryRun {
                        try storeCall {
                            try store.closeConflict(id: waiting.id, resolution: "settled: the remote changed")
                        }
                    }
                    report.lines.append(
                        "conflict \(waiting.id)\(dryRun ? " would close" : " closed"): the remote no longer conflicts")
                    // The push passed the record over while it waited: written again and marked unsent, it is pushed
                    // next.
                    if plan.markUnsent { records.append(local.record) }
                }
                switch plan.decision {
                case .stillConflicted(let fields):
                    // The queued conflict takes the remote side as it is now (the cursor moves past this change).
                    if blockedIDs.insert(Self.plannedKey(R.recordType, link.localID)).inserted {
                        report.counts.blocked += 1
                    }
                    if !dryRun, let waiting {
                        try storeCall {
                            try store.refreshConflict(
                                id: waiting.id, fields: fields, base: base.json, local: sl.json, remoteSide: sr.json)
                        }
                    }
                case .unchanged:
                    var l = self.link(
                        rid, link.localID, json, codec, base: base, stamp: stamp, dirty: false, keep: link.identity)
                    l.syncedSeq = plan.markUnsent ? -1 : link.syncedSeq
                    newLinks.append(l)
                    report.counts.pulledUnchanged += 1
                case .skipDeleted:
                    break
                case .takeRemote:
                    records.append(applyChanges(sr, over: sl, to: local.record, codec))
                    newLinks.append(
                        self.link(
                            rid, link.localID, json, codec, base: sr, stamp: stamp, dirty: false, keep: link.identity,
                            baseJSON: item.snapshotJSON))
                    undo.append(
                        UndoEntry(
                            side: .local, recordType: R.recordType, localID: link.localID, remoteID: rid,
                            action: .updated, before: sl.json,
                            after: item.snapshotJSON))
                    report.counts.pulledUpdated += 1
                    if dryRun {
                        report.lines.append(
                            "pull: update \(R.recordType.rawValue) \(link.localID.suffix(12)): \(diff(sl, sr))")
                    }
                case .conflict(let fields):
                    report.counts.conflictsOpened += 1
                    if dryRun { planned.conflicts.insert(Self.plannedKey(R.recordType, link.localID)) }
                    report.lines.append(
                        "conflict: \(R.recordType.rawValue) \(link.localID.suffix(12)) (remote \(rid)) on \(fields.joined(separator: ", ")); it waits for `crmgate conflicts resolve`"
                    )
                    if !dryRun {
                        _ = try storeCall {
                            try store.openConflict(
                                job: job.name, remote: remoteName, type: R.recordType, localID: link.localID,
                                remoteID: rid, fields: fields,
                                base: base.json, local: sl.json, remoteSide: sr.json)
                        }
                    }
                case .merge(let merged, let settledByPolicy):
                    report.counts.conflictsSettled += settledByPolicy ? 1 : 0
                    if dryRun { planned.merged[Self.plannedKey(R.recordType, link.localID)] = (sr, merged) }
                    if merged != sl {
                        records.append(applyChanges(merged, over: sl, to: local.record, codec))
                        undo.append(
                            UndoEntry(
                                side: .local, recordType: R.recordType, localID: link.localID, remoteID: rid,
                                action: .updated, before: sl.json, after: merged.json))
                        report.counts.pulledUpdated += 1
                    }
                    if dryRun {
                        report.lines.append(
                            "merge: \(R.recordType.rawValue) \(link.localID.suffix(12)): local \(diff(sl, merged)); remote \(diff(sr, merged))"
                        )
                    }
                    newLinks.append(
                        self.link(
                            rid, link.localID, json, codec, base: sr, stamp: stamp, dirty: merged != sr,
                            keep: link.identity))
                }
            }
            token = page.next
            state.page = token?.text
            state.pageSince = token == nil ? nil : sinceText
            if token == nil {
                if stamped {
                    state.mark = newMark
                    state.idsAtMark = newMark == oldMark ? Array(newIDs.union(oldIDs)).sorted() : Array(newIDs).sorted()
                }
                state.lastPullStart = runStart.iso8601UTC
                if complete {
                    do {
                        try await absent(
                            R.self, codec, seen: seen, linkedBefore: linkedBefore, handled: Set(removeLinks),
                            records: &records,
                            tombstones: &tombstones, removeLinks: &removeLinks, report: &report)
                    } catch let e as SyncError where e.code == .massDelete {
                        // Nothing of this page is written; the next run lists from the first page again (and stops
                        // again).
                        var reset = initialState
                        reset.page = nil
                        reset.pageSince = nil
                        try checkpoint(R.self, reset)
                        throw e
                    }
                }
            }
            try checkpoint(
                R.self, state, records: records, links: newLinks, removeLinks: removeLinks, tombstones: tombstones,
                clearJournal: matchedIDs, undo: undo,
                clearUpdateJournal: settledUpdates)
            if token == nil { break }
        }
    }

    /// A page's records with those the listing abbreviates read whole (`list.detail`): each new or changed one that
    /// lacks a field the profile reads, `job.concurrency` requests at a time. A failed read fails the page.
    func completed(
        _ records: [PulledRecord], links: [String: SyncLink], _ codec: RecordCodec
    ) async throws -> [PulledRecord] {
        guard codec.resource.list.detail else { return records }
        let need = records.indices.filter { i in
            guard let rid = records[i].remoteID, !records[i].deleted, codec.lacksFields(records[i].json) else {
                return false
            }
            guard let link = links[rid], let stamp = codec.modified(records[i].json) else { return true }
            return link.remoteStamp != stamp
        }
        guard !need.isEmpty else { return records }
        let client = self.client
        let type = codec.resource.record
        let got = await BoundedConcurrency.map(need.map { (i: $0, rid: records[$0].remoteID!) }, width: job.concurrency)
        { item in
            do {
                return Result<JSONValue?, any Error>.success(try await client.get(type, remoteID: item.rid)?.record)
            } catch { return .failure(error) }
        }
        var out = records
        for (k, i) in need.enumerated() {
            // A record gone between the listing and its read stays as listed; the next complete listing settles it.
            if let whole = try got[k]!.get() { out[i] = PulledRecord(whole, codec) }
        }
        return out
    }

    /// Linked records that a complete listing lacked: gone, unless there are more than the job lets one run remove.
    func absent<R: CRMRecord>(
        _ type: R.Type, _ codec: RecordCodec, seen: Set<String>, linkedBefore: Set<String>, handled: Set<String>,
        records: inout [R],
        tombstones: inout [String], removeLinks: inout [String], report: inout SyncReport
    ) async throws {
        // Ids first (a link's base is most of its size); whole links only for the few a listing lacked.
        guard !linkedBefore.isEmpty else { return }
        let all = try storeCall { try store.linkIDs(remote: remoteName, type: R.recordType) }.filter {
            linkedBefore.contains($0.localID)
        }
        let missingIDs = all.filter { !seen.contains($0.remoteID) && !handled.contains($0.localID) }.map(\.localID)
        guard !missingIDs.isEmpty else { return }
        let byLocal = try storeCall { try store.links(remote: remoteName, type: R.recordType, localIDs: missingIDs) }
        let missing = missingIDs.compactMap { byLocal[$0] }
        var pairs: [(link: SyncLink, local: ChangedRecord<R>?)] = []
        for l in missing { pairs.append((l, try storeCall { try store.recordForSync(R.self, id: l.localID) })) }
        let live = pairs.filter { $0.local.map { !$0.deleted } ?? false }.count
        let allowed = max(1, Int((Double(all.count) * job.massDeleteShare).rounded(.down)))
        if live > allowed, !job.allowMassDelete {
            throw SyncError(
                .massDelete, context: "\(job.name): \(R.recordType.plural)",
                message:
                    "the remote's complete listing lacks \(live) of \(all.count) linked \(R.recordType.plural) (more than "
                    + "\(Int(job.massDeleteShare * 100))%); nothing was deleted. If the remote really deleted them, run again with "
                    + "--allow-mass-delete; otherwise check the profile's list path and filters")
        }
        // A record a paged listing skipped (a delete elsewhere shifted the pages) is still there: where the remote
        // can be asked for one record, each absent one is confirmed before it counts as gone.
        var confirmed: [(link: SyncLink, local: ChangedRecord<R>?)] = []
        for pair in pairs {
            if codec.resource.get != nil, pair.local.map({ !$0.deleted }) ?? false,
                let got = try await client.get(R.recordType, remoteID: pair.link.remoteID),
                pair.link.identity == nil || codec.identity(got.record) == nil
                    || codec.identity(got.record) == pair.link.identity
            {
                continue
            }
            confirmed.append(pair)
        }
        try gone(
            R.self, confirmed, why: "is no longer at the remote (its complete listing lacks it)", codec: codec,
            records: &records,
            tombstones: &tombstones,
            removeLinks: &removeLinks, report: &report)
    }
}
