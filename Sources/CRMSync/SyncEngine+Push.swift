import CRMHTTP
import CRMModel
import CRMStore
import Foundation

// The push half of the engine: the batch read ahead from the store, the push planner's decision per record carried
// out with requests (batch upserts, creates with recovery, updates that re-read and merge, deletes), the outcomes
// applied and checkpointed.
extension SyncEngine {
    private enum PushOutcome: Sendable {
        case linked(
            SyncLink, rewrite: Snapshot?, counts: SyncCounts, undo: UndoEntry?, clearJournal: Bool, line: String?)
        case unlink(String, counts: SyncCounts, undo: UndoEntry?, line: String?)
        case nothing(counts: SyncCounts, line: String?)
        /// The remote no longer has the linked record (404/410, or its id holds another record now).
        case gone(SyncLink, why: String)
        case failed(any Error)
    }

    func push<R: CRMRecord>(
        _ type: R.Type, _ codec: RecordCodec, _ state: inout CursorState, _ report: inout SyncReport
    ) async throws {
        if job.allowDelete, !dryRun {
            // Deletes an earlier push kept from the remote (no --allow-delete) are sent now: their changes were behind
            // the push position, and a trial's contact stayed at the remote for good (`leads delete` again found no
            // such lead). They are moved past it, as `sync errors retry` moves a refused record.
            let kept = try storeCall { try store.deletedButLinked(R.self, remote: remoteName) }
            if !kept.isEmpty { _ = try storeCall { try store.retrySetAside(R.self, localIDs: kept) } }
        }
        while true {
            let batch = try storeCall { try store.changed(R.self, afterSeq: state.pushSeq, limit: job.batchSize) }
            if batch.isEmpty { break }
            // Everything the batch needs from the store, read at once; creates' keys journaled before any request.
            let ids = batch.map { $0.record.id.description }
            let known = try storeCall { try store.links(remote: remoteName, type: R.recordType, localIDs: ids) }
            let conflicted = try storeCall {
                try store.openConflictIDs(remote: remoteName, type: R.recordType, localIDs: ids)
            }
            var journal = try storeCall { try store.journal(remote: remoteName, type: R.recordType, localIDs: ids) }
            var fresh: [(localID: String, key: String, lookup: String?, sent: String)] = []
            var contexts: [PushContext<R>] = []
            let lookupField = codec.resource.lookup?.field
            for item in batch {
                let id = item.record.id.description
                var ctx = PushContext(
                    item: item, link: known[id], conflicted: conflicted.contains(id), journal: nil,
                    journalExisted: false)
                if dryRun {
                    // What this plan's pull said it would do, which apply writes before it pushes: a conflict it would
                    // open holds the record back; a record it would delete here is not pushed; one it would keep
                    // unlinked (a remote delete of an edited record) is created again.
                    let key = Self.plannedKey(R.recordType, id)
                    if planned.conflicts.contains(key) { ctx.conflicted = true }
                    if planned.deleted.contains(key) {
                        ctx.item.deleted = true
                        ctx.link = nil
                    }
                    if planned.unlinked.contains(key) { ctx.link = nil }
                }
                if let j = journal[id] {
                    ctx.journal = j
                    ctx.journalExisted = true
                } else if ctx.link == nil, !item.deleted, !ctx.conflicted, !dryRun {
                    let sl = localSnapshot(item.record, codec)
                    let entry = (
                        localID: id, key: UUID().uuidString.lowercased(), lookup: lookupField.flatMap { sl[$0] },
                        sent: sl.json
                    )
                    fresh.append(entry)
                    journal[id] = (entry.key, entry.lookup)
                    ctx.journal = (entry.key, entry.lookup)
                }
                contexts.append(ctx)
            }
            if !fresh.isEmpty {
                try storeCall { try store.journalCreates(remote: remoteName, type: R.recordType, entries: fresh) }
            }
            if !dryRun {
                // What each update will send, written before any request (a killed run leaves it for the next pull).
                var updates: [(localID: String, sent: String)] = []
                for ctx in contexts where !ctx.item.deleted && !ctx.conflicted {
                    guard let link = ctx.link, ctx.item.changeSeq > link.syncedSeq else { continue }
                    let base = Snapshot(json: link.base)
                    let sl = localSnapshot(ctx.item.record, codec)
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
                    let sl = localSnapshot(c.item.record, codec)
                    // One the profile cannot write goes on alone, to be set aside with its reason.
                    return c.link == nil && !c.item.deleted && !c.conflicted && !(sl[key] ?? "").isEmpty
                        && (try? codec.body(sl)) != nil
                }
                for chunk in stride(from: 0, to: eligible.count, by: max(1, batch.size)) {
                    let part = Array(eligible[chunk..<min(eligible.count, chunk + max(1, batch.size))])
                    for (i, o) in await upsert(part.map { contexts[$0] }, key: key, codec) { upserted[part[i]] = o }
                }
            }
            let rest = contexts.indices.filter { upserted[$0] == nil }
            let perRecord: [PushOutcome?] = await BoundedConcurrency.map(
                rest.map { contexts[$0] }, width: job.concurrency
            ) { (ctx: PushContext<R>) in
                do { return try await self.pushOne(ctx, codec) } catch { return .failed(error) }
            }
            var outcomes: [PushOutcome?] = contexts.indices.map { upserted[$0] }
            for (k, i) in rest.enumerated() { outcomes[i] = perRecord[k] }
            var links: [SyncLink] = []
            var rewrites: [R] = []
            var unlinks: [String] = []
            var clear: [String] = []
            var undo: [UndoEntry] = []
            var tombstones: [String] = []
            var setAside: [SetAsideRecord] = []
            var settled: [String] = []
            var answered: [String] = []
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
                    setAside.append(
                        SetAsideRecord(
                            remote: remoteName, recordType: R.recordType, localID: id, changeSeq: item.changeSeq,
                            operation: operation, status: e.status, message: e.description))
                    if operation == "create" && !ctx.journalExisted { clear.append(id) }
                    report.counts.refused += 1
                    report.lines.append(
                        dryRun
                            ? "refused: \(R.recordType.rawValue) \(id.suffix(12)) (\(operation)): \(e.description); would be set aside"
                            : "refused: \(R.recordType.rawValue) \(id.suffix(12)) (\(operation)): \(e.description); set aside "
                                + "(`crmgate sync errors show \(id.suffix(12))`), tried again when it changes or on `sync errors retry`"
                    )
                case .failed(let e):
                    if failure == nil { failure = e }
                    // A create refused for its values made no record, even behind another record's failure: its journal
                    // line goes, or the next run would "recover" it by linking whatever record the lookup finds (a
                    // review: another contact with that e-mail). It is sent again, and set aside then.
                    if let s = e as? SyncError, s.isPermanentRefusal, contexts[i].link == nil,
                        !contexts[i].journalExisted
                    {
                        clear.append(id)
                    }
                case .gone(let l, let why):
                    var goneRecords: [R] = []
                    try gone(
                        R.self, [(l, item)], why: why, codec: codec, records: &goneRecords, tombstones: &tombstones,
                        removeLinks: &unlinks, report: &report)
                    rewrites += goneRecords
                    settled.append(id)
                case .linked(let l, let rewrite, let c, let u, let j, let line):
                    settled.append(id)
                    answered.append(id)
                    links.append(l)
                    if let rewrite {
                        rewrites.append(
                            applyChanges(rewrite, over: localSnapshot(item.record, codec), to: item.record, codec))
                    }
                    if let u { undo.append(u) }
                    if j { clear.append(l.localID) }
                    report.counts += c
                    if let line { report.lines.append(line) }
                case .unlink(let id, let c, let u, let line):
                    settled.append(id)
                    unlinks.append(id)
                    if let u { undo.append(u) }
                    report.counts += c
                    if let line { report.lines.append(line) }
                case .nothing(var c, let line):
                    if c.blocked == 0 { settled.append(id) }
                    if c.blocked > 0, !blockedIDs.insert(Self.plannedKey(R.recordType, id)).inserted { c.blocked = 0 }
                    report.counts += c
                    if let line { report.lines.append(line) }
                }
                if failure == nil { lastDone = item.changeSeq }
            }
            state.pushSeq = lastDone
            try checkpoint(
                R.self, state, records: rewrites, links: links, removeLinks: unlinks, tombstones: tombstones,
                clearJournal: clear, undo: undo,
                setAside: setAside, clearSetAside: settled, clearUpdateJournal: settled + answered)
            if let failure { throw failure }
            if dryRun { state.pushSeq = batch.last!.changeSeq }
        }
    }

    /// The model field a batch upsert keys on: the one whose remote path ends in the profile's `upsert_key`.
    private func upsertField(_ codec: RecordCodec) -> String? {
        guard let key = codec.resource.batch?.upsertKey else { return nil }
        return codec.resource.fields.first {
            $0.kind != .nameParts && $0.path.description.split(separator: ".").last.map(String.init) == key
        }?.fields.first
    }

    /// One batch upsert of new records; each gets its outcome (all fail together when the request fails).
    private func upsert<R: CRMRecord>(
        _ contexts: [PushContext<R>], key: String, _ codec: RecordCodec
    ) async -> [(Int, PushOutcome)] {
        let snapshots = contexts.map { localSnapshot($0.item.record, codec) }
        let found: [JSONValue]
        do {
            let inputs = try snapshots.map { (key: $0[key] ?? "", body: try codec.body($0)) }
            found = try await client.batchUpsert(R.recordType, inputs: inputs)
        } catch { return contexts.indices.map { ($0, .failed(error)) } }
        var byKey: [String: JSONValue] = [:]
        for json in found { if let v = codec.snapshot(json)[key] { byKey[v.lowercased()] = json } }
        return contexts.indices.map { i in
            let ctx = contexts[i]
            let sl = snapshots[i]
            guard let json = byKey[(sl[key] ?? "").lowercased()], let rid = codec.remoteID(json) else {
                return (
                    i,
                    .failed(
                        SyncError(
                            .badResponse, context: "batch upsert \(R.recordType.plural)",
                            message: "the answer has no record for \(key) \(sl[key] ?? "")"))
                )
            }
            let rs = codec.snapshot(json)
            var c = SyncCounts()
            c.pushedCreated = 1
            var l = link(
                rid, ctx.item.record.id.description, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: false)
            l.syncedSeq = ctx.item.changeSeq
            return (
                i,
                .linked(
                    l, rewrite: nil, counts: c,
                    undo: UndoEntry(
                        side: .remote, recordType: R.recordType, localID: l.localID, remoteID: rid,
                        action: .created, before: nil, after: rs.json),
                    clearJournal: true, line: nil)
            )
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
                changeSeq: item.changeSeq, syncedSeq: ctx.link?.syncedSeq, deleted: item.deleted,
                conflictWaiting: ctx.conflicted,
                createSentBefore: ctx.journalExisted, allowDelete: job.allowDelete,
                base: ctx.link.map { Snapshot(json: $0.base) }, local: sl))
        var c = SyncCounts()
        switch decision {
        case .alreadySynced, .nothingToDelete:
            return .nothing(counts: c, line: nil)
        case .waitForConflict:
            c.blocked = 1
            return .nothing(
                counts: c, line: "push: \(type.rawValue) \(localID.suffix(12)) waits for its conflict to be resolved")
        case .keepRemote:
            c.deletesKept = 1
            return .nothing(
                counts: c,
                line:
                    "push: \(type.rawValue) \(localID.suffix(12)) was deleted locally; kept remotely (no --allow-delete)"
            )
        case .delete:
            let link = ctx.link!
            // Read first: a remote record changed since the last sync is not deleted for a local delete, as a local
            // record changed since is not deleted for a remote one (a trial's `--allow-delete` wiped a note written at
            // the remote after the last sync). The edit wins: the record comes back here with the remote's values.
            let got = codec.resource.get == nil ? nil : try await client.get(type, remoteID: link.remoteID)
            if codec.resource.get != nil, got == nil {
                return .unlink(
                    localID, counts: c, undo: nil, line: "push: remote \(link.remoteID) was deleted there too")
            }
            let remoteNow = got.map { codec.snapshot($0.record) }
            if let got, let remoteNow, remoteNow != Snapshot(json: link.base) {
                c.deletesKept = 1
                let line =
                    "push: \(type.rawValue) \(localID.suffix(12)) was deleted here, but changed remotely since the last "
                    + "sync: the edit wins, so it is kept there and \(dryRun ? "would be" : "is") restored here with the "
                    + "remote's values (`crmgate \(type.plural) delete \(localID.suffix(12))` again lets it go)"
                if dryRun { return .nothing(counts: c, line: line) }
                var l = self.link(
                    link.remoteID, localID, got.record, codec, base: remoteNow,
                    stamp: stamp(got.record, codec, remoteNow), dirty: false, etag: got.etag, keep: link.identity)
                l.version = codec.version(got.record) ?? link.version
                return .linked(l, rewrite: remoteNow, counts: c, undo: nil, clearJournal: false, line: line)
            }
            c.pushedDeleted = 1
            if dryRun { return .nothing(counts: c, line: "push: delete remote \(link.remoteID)") }
            let etag = got?.etag ?? link.etag
            _ = try await client.delete(type, remoteID: link.remoteID, etag: etag)
            // In the run's manifest, so that `undo` says it does not bring it back (it did say "0 reverted" and marked
            // the run undone).
            return .unlink(
                localID, counts: c,
                undo: UndoEntry(
                    side: .remote, recordType: type, localID: localID, remoteID: link.remoteID, action: .deleted,
                    before: (remoteNow ?? Snapshot(json: link.base)).json, after: nil),
                line: nil)
        case .create:
            return try await create(item, sl, codec, journal: ctx.journal, existed: ctx.journalExisted)
        case .update, .advance:
            // The update re-reads the remote where it may have moved (ETags, reused ids) and merges before it sends.
            return try await update(item, sl, ctx.link!, codec)
        }
    }

    private func stamp(_ json: JSONValue, _ codec: RecordCodec, _ s: Snapshot) -> String {
        codec.modified(json) ?? s.digest
    }

    private func create<R: CRMRecord>(
        _ item: ChangedRecord<R>, _ sl: Snapshot, _ codec: RecordCodec, journal: (key: String, lookup: String?)?,
        existed: Bool
    ) async throws -> PushOutcome {
        let type = R.recordType
        let localID = item.record.id.description
        var c = SyncCounts()
        // Built first: a value the profile cannot write sets the record aside before anything is sent.
        let body = try codec.body(sl)
        if dryRun {
            c.pushedCreated = 1
            return .nothing(counts: c, line: "push: create \(type.rawValue) \(localID.suffix(12)): \(summary(sl))")
        }
        let lookupField = codec.resource.lookup?.field
        guard let j = journal else {
            throw SyncError(.store, message: "no idempotency key was journaled for \(localID)")
        }
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
                    if rs.values.allSatisfy({ sl[$0.key] == nil || sl[$0.key] == $0.value })
                        || (rs["email"] != nil && rs["email"] == sl["email"])
                    {
                        match = (json, rid)
                        break
                    }
                }
                if let (json, rid) = match {
                    let rs = codec.snapshot(json)
                    c.recoveredCreates = 1
                    var l = link(rid, localID, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: rs != sl)
                    if rs == sl { l.syncedSeq = item.changeSeq }
                    return .linked(
                        l, rewrite: nil, counts: c,
                        undo: UndoEntry(
                            side: .remote, recordType: type, localID: localID, remoteID: rid, action: .created,
                            before: nil, after: rs.json),
                        clearJournal: true, line: nil)
                }
            } else {
                c.recoveredCreates = 1
            }
        }
        var (json, etag) = try await client.create(type, body: body, idempotencyKey: key)
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
                    if try storeCall({ try store.link(remote: remoteName, type: type, remoteID: rid) }) == nil {
                        unlinked = candidate
                        break
                    }
                }
                guard let unlinked else {
                    throw SyncError(
                        .badResponse, context: "create \(type.rawValue)",
                        message: "the remote's answer is not the record and the lookup by \(field) found no new record")
                }
                json = unlinked
            }
        }
        guard let rid = codec.remoteID(json) else {
            throw SyncError(
                .badResponse, context: "create \(type.rawValue)",
                message:
                    "the remote's answer has no id at '\(codec.resource.idPath)' (give the profile a lookup to find created records)"
            )
        }
        let rs = codec.snapshot(json)
        c.pushedCreated = 1
        var l = link(rid, localID, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: false, etag: etag)
        l.syncedSeq = item.changeSeq
        return .linked(
            l, rewrite: nil, counts: c,
            undo: UndoEntry(
                side: .remote, recordType: type, localID: localID, remoteID: rid, action: .created, before: nil,
                after: rs.json),
            clearJournal: true, line: nil)
    }

    private func update<R: CRMRecord>(
        _ item: ChangedRecord<R>, _ sl: Snapshot, _ link: SyncLink, _ codec: RecordCodec
    ) async throws -> PushOutcome {
        let type = R.recordType
        let localID = item.record.id.description
        var c = SyncCounts()
        var base = Snapshot(json: link.base)
        var local = sl
        if dryRun, let m = planned.merged[Self.plannedKey(type, localID)] {
            // The plan's pull merged this record: apply would push what the merge left, against the remote's side.
            base = m.base
            local = m.local
        }
        var rewrite: Snapshot?
        var changed = Set(base.values.keys).union(local.values.keys).filter { base[$0] != local[$0] }
        if changed.isEmpty {
            var l = link
            l.syncedSeq = item.changeSeq
            return .linked(l, rewrite: nil, counts: c, undo: nil, clearJournal: false, line: nil)
        }
        if dryRun {
            _ = try codec.body(local, only: changed)  // a value the profile cannot write is shown as a refusal
            c.pushedUpdated = 1
            return .nothing(counts: c, line: "push: update remote \(link.remoteID): \(diff(base, local))")
        }
        var etag = link.etag
        var version = link.version
        let before = base
        // Where the remote reuses ids, the record at the linked id is read first: writing one person's data onto
        // another record is never acceptable.
        let verify = link.identity != nil && codec.resource.identityPath != nil && codec.resource.get != nil
        if (codec.resource.concurrency == .etag && etag == nil) || verify {
            guard let got = try await client.get(type, remoteID: link.remoteID) else {
                return .gone(link, why: "answered 404: deleted remotely")
            }
            if let now = codec.identity(got.record), let known = link.identity, now != known {
                return .gone(link, why: "was deleted remotely; its id now holds another record")
            }
            etag = got.etag
            version = codec.version(got.record) ?? version
            let rs = codec.snapshot(got.record)
            if rs != base {
                let m = ThreeWayMerge.merge(
                    base: base, local: local, remote: rs, policy: job.policy, rules: job.fieldRules,
                    localTime: item.record.updatedAt, remoteTime: codec.modified(got.record).flatMap(RemoteTime.parse))
                if !m.conflicts.isEmpty {
                    return try conflict(type, localID, link.remoteID, m.conflicts, base, local, rs, c)
                }
                if m.merged != local {
                    rewrite = m.merged
                    local = m.merged
                }
                base = rs
                changed = Set(base.values.keys).union(local.values.keys).filter { base[$0] != local[$0] }
            }
        }
        for _ in 0..<5 {
            if changed.isEmpty {
                var l = self.link(
                    link.remoteID, localID, .null, codec, base: base, stamp: link.remoteStamp ?? "", dirty: false,
                    etag: etag, keep: link.identity)
                l.version = version
                if rewrite == nil { l.syncedSeq = item.changeSeq }
                return .linked(l, rewrite: rewrite, counts: c, undo: nil, clearJournal: false, line: nil)
            }
            switch try await client.update(
                type, remoteID: link.remoteID, body: codec.body(local, only: changed), etag: etag, version: version)
            {
            case .updated(var json, var newEtag):
                if !codec.isRecord(json) {
                    // The answer is a message, not the record: the base is what the remote holds now, read back.
                    guard let got = try await client.get(type, remoteID: link.remoteID) else {
                        return .gone(link, why: "answered 404 after an update")
                    }
                    json = got.record
                    newEtag = got.etag ?? newEtag
                }
                let rs = codec.snapshot(json)
                c.pushedUpdated = 1
                var l = self.link(
                    link.remoteID, localID, json, codec, base: rs, stamp: stamp(json, codec, rs), dirty: false,
                    etag: newEtag,
                    keep: link.identity)
                if rewrite == nil { l.syncedSeq = item.changeSeq }
                return .linked(
                    l, rewrite: rewrite, counts: c,
                    undo: UndoEntry(
                        side: .remote, recordType: type, localID: localID, remoteID: link.remoteID, action: .updated,
                        before: before.json, after: rs.json),
                    clearJournal: false, line: nil)
            case .notFound:
                return .gone(link, why: "answered 404: deleted remotely")
            case .stale(let refusal):
                c.staleRetries += 1
                guard let got = try await client.get(type, remoteID: link.remoteID) else {
                    return .gone(link, why: "answered 404: deleted remotely")
                }
                let rs = codec.snapshot(got.record)
                // Nothing moved on (the values, the ETag and the version are what the update was based on): the 409 or
                // 412 refused the values themselves, and sending them again would only be refused again.
                let sameVersion = codec.version(got.record).map { $0 == version } ?? true
                if rs == base, got.etag == nil || got.etag == etag, sameVersion { throw refusal }
                etag = got.etag
                version = codec.version(got.record) ?? version
                let m = ThreeWayMerge.merge(
                    base: base, local: local, remote: rs, policy: job.policy, rules: job.fieldRules,
                    localTime: item.record.updatedAt, remoteTime: codec.modified(got.record).flatMap(RemoteTime.parse))
                if !m.conflicts.isEmpty {
                    return try conflict(type, localID, link.remoteID, m.conflicts, base, local, rs, c)
                }
                if m.merged != local {
                    rewrite = m.merged
                    local = m.merged
                }
                if !m.settled.isEmpty { c.conflictsSettled += 1 }
                base = rs
                changed = Set(base.values.keys).union(local.values.keys).filter { base[$0] != local[$0] }
            }
        }
        throw SyncError(
            .transport, context: "update \(type.rawValue) \(link.localID.suffix(12)) (remote id \(link.remoteID))",
            message: "the remote record kept changing while it was being updated; the next run tries again")
    }

    private func conflict(
        _ type: RecordType, _ localID: String, _ rid: String, _ fields: [String], _ base: Snapshot, _ local: Snapshot,
        _ remote: Snapshot, _ c: SyncCounts
    ) throws -> PushOutcome {
        var c = c
        c.conflictsOpened = 1
        _ = try storeCall {
            try store.openConflict(
                job: job.name, remote: remoteName, type: type, localID: localID, remoteID: rid, fields: fields,
                base: base.json, local: local.json, remoteSide: remote.json)
        }
        return .nothing(
            counts: c,
            line:
                "conflict: \(type.rawValue) \(localID.suffix(12)) (remote \(rid)) on \(fields.joined(separator: ", "))")
    }
}
