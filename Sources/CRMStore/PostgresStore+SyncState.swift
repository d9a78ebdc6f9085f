public import CRMModel
import Foundation

/// The PostgreSQL store's sync state: links, journals, cursors and conflicts, leases, runs, undo and set-aside records
/// (the rest of its `SyncStore` conformance is in PostgresStore.swift).
extension PostgresStore {
    // MARK: Links

    private static func links(_ r: PGResult) throws -> [SyncLink] {
        try (0..<r.count).map { i in
            SyncLink(
                remote: r.text(i, "remote") ?? "",
                recordType: try storedEnum(RecordType.self, r.text(i, "record_type"), "record_type"),
                localID: r.text(i, "local_id") ?? "", remoteID: r.text(i, "remote_id") ?? "", etag: r.text(i, "etag"),
                version: r.text(i, "version"),
                base: r.text(i, "base") ?? "", syncedSeq: Int64(r.text(i, "synced_seq") ?? "0") ?? 0,
                remoteStamp: r.text(i, "remote_stamp"),
                identity: r.text(i, "remote_identity"))
        }
    }

    /// `ANY($n)` takes a whole id list as one text-array parameter.
    static func array(_ ids: [String]) -> String {
        "{"
            + ids.map {
                "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }.joined(separator: ",") + "}"
    }

    public func link(remote: String, type: RecordType, localID: String) throws -> SyncLink? {
        try withConnection { c in
            try Self.links(
                c.exec(
                    "SELECT * FROM sync_links WHERE remote = $1 AND record_type = $2 AND local_id = $3",
                    [remote, type.rawValue, localID])
            ).first
        }
    }

    public func link(remote: String, type: RecordType, remoteID: String) throws -> SyncLink? {
        try withConnection { c in
            try Self.links(
                c.exec(
                    "SELECT * FROM sync_links WHERE remote = $1 AND record_type = $2 AND remote_id = $3",
                    [remote, type.rawValue, remoteID])
            ).first
        }
    }

    public func links(remote: String, type: RecordType, remoteIDs: [String]) throws -> [String: SyncLink] {
        guard !remoteIDs.isEmpty else { return [:] }
        return try withConnection { c in
            let ls = try Self.links(
                c.exec(
                    "SELECT * FROM sync_links WHERE remote = $1 AND record_type = $2 AND remote_id = ANY($3::text[])",
                    [remote, type.rawValue, Self.array(remoteIDs)]))
            return Dictionary(ls.map { ($0.remoteID, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func links(remote: String, type: RecordType, localIDs: [String]) throws -> [String: SyncLink] {
        guard !localIDs.isEmpty else { return [:] }
        return try withConnection { c in
            let ls = try Self.links(
                c.exec(
                    "SELECT * FROM sync_links WHERE remote = $1 AND record_type = $2 AND local_id = ANY($3::text[])",
                    [remote, type.rawValue, Self.array(localIDs)]))
            return Dictionary(ls.map { ($0.localID, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func links(remote: String, type: RecordType) throws -> [SyncLink] {
        try withConnection { c in
            try Self.links(
                c.exec(
                    "SELECT * FROM sync_links WHERE remote = $1 AND record_type = $2 ORDER BY local_id COLLATE \"C\"",
                    [remote, type.rawValue]))
        }
    }

    public func deletedButLinked<R: CRMRecord>(_ type: R.Type, remote: String) throws -> [String] {
        try withConnection { c in
            let r = try c.exec(
                """
                SELECT l.local_id FROM sync_links l JOIN \(RecordTable<R>.name) r ON r.id = l.local_id
                WHERE l.remote = $1 AND l.record_type = $2 AND r.deleted_at IS NOT NULL ORDER BY l.local_id COLLATE "C"
                """, [remote, R.recordType.rawValue])
            return (0..<r.count).compactMap { r.text($0, 0) }
        }
    }

    public func linkIDs(remote: String, type: RecordType) throws -> [(localID: String, remoteID: String)] {
        try withConnection { c in
            let r = try c.exec(
                "SELECT local_id, remote_id FROM sync_links WHERE remote = $1 AND record_type = $2 ORDER BY local_id COLLATE \"C\"",
                [remote, type.rawValue])
            return (0..<r.count).map { i in (r.text(i, "local_id") ?? "", r.text(i, "remote_id") ?? "") }
        }
    }

    // MARK: Journals

    public func journal(
        remote: String, type: RecordType, localIDs: [String]
    ) throws -> [String: (key: String, lookup: String?)] {
        guard !localIDs.isEmpty else { return [:] }
        return try withConnection { c in
            let r = try c.exec(
                "SELECT local_id, idem_key, lookup FROM sync_journal WHERE remote = $1 AND record_type = $2 AND local_id = ANY($3::text[])",
                [remote, type.rawValue, Self.array(localIDs)])
            var out: [String: (key: String, lookup: String?)] = [:]
            for i in 0..<r.count { out[r.text(i, 0) ?? ""] = (key: r.text(i, 1) ?? "", lookup: r.text(i, 2)) }
            return out
        }
    }

    public func journalCreates(
        remote: String, type: RecordType, entries: [(localID: String, key: String, lookup: String?, sent: String)]
    ) throws {
        guard !entries.isEmpty else { return }
        let stamp = Date().iso8601UTC
        try transaction { c in
            for e in entries {
                try c.exec(
                    "INSERT INTO sync_journal (remote, record_type, local_id, idem_key, lookup, created_at, sent) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                    [remote, type.rawValue, e.localID, e.key, e.lookup, stamp, e.sent])
            }
        }
    }

    public func journalUpdates(remote: String, type: RecordType, entries: [(localID: String, sent: String)]) throws {
        guard !entries.isEmpty else { return }
        let stamp = Date().iso8601UTC
        try transaction { c in
            for e in entries {
                try c.exec(
                    """
                    INSERT INTO sync_update_journal (remote, record_type, local_id, sent, sent_at) VALUES ($1, $2, $3,
                        $4, $5)
                    ON CONFLICT (remote, record_type, local_id) DO UPDATE SET sent = excluded.sent, sent_at =
                        excluded.sent_at
                    """,
                    [remote, type.rawValue, e.localID, e.sent, stamp])
            }
        }
    }

    public func journaledUpdates(remote: String, type: RecordType, localIDs: [String]) throws -> [String: String] {
        guard !localIDs.isEmpty else { return [:] }
        return try withConnection { c in
            let r = try c.exec(
                "SELECT local_id, sent FROM sync_update_journal WHERE remote = $1 AND record_type = $2 AND local_id = ANY($3::text[])",
                [remote, type.rawValue, Self.array(localIDs)])
            var out: [String: String] = [:]
            for i in 0..<r.count { out[r.text(i, 0) ?? ""] = r.text(i, 1) }
            return out
        }
    }

    public func journaledCreates(remote: String, type: RecordType) throws -> [(localID: String, sent: String)] {
        try withConnection { c in
            let r = try c.exec(
                "SELECT local_id, sent FROM sync_journal WHERE remote = $1 AND record_type = $2 AND sent IS NOT NULL",
                [remote, type.rawValue])
            return (0..<r.count).map { (localID: r.text($0, 0) ?? "", sent: r.text($0, 1) ?? "") }
        }
    }

    public func journaledSnapshot(remote: String, type: RecordType, localID: String) throws -> String? {
        try withConnection { c in
            let r = try c.exec(
                "SELECT sent FROM sync_journal WHERE remote = $1 AND record_type = $2 AND local_id = $3",
                [remote, type.rawValue, localID])
            return r.count > 0 ? r.text(0, 0) : nil
        }
    }

    // MARK: Cursors and conflicts

    public func cursorState(job: String, type: RecordType) throws -> String? {
        try withConnection { c in
            let r = try c.exec(
                "SELECT state FROM sync_cursors WHERE job = $1 AND record_type = $2", [job, type.rawValue])
            return r.count > 0 ? r.text(0, 0) : nil
        }
    }

    public func openConflictIDs(remote: String, type: RecordType, localIDs: [String]) throws -> Set<String> {
        guard !localIDs.isEmpty else { return [] }
        return try withConnection { c in
            let r = try c.exec(
                "SELECT local_id FROM sync_conflicts WHERE status = 'open' AND remote = $1 AND record_type = $2 AND local_id = ANY($3::text[])",
                [remote, type.rawValue, Self.array(localIDs)])
            return Set((0..<r.count).compactMap { r.text($0, 0) })
        }
    }

    private static func conflicts(_ r: PGResult) throws -> [SyncConflict] {
        try (0..<r.count).map { i in
            SyncConflict(
                id: Int64(r.text(i, "id") ?? "0") ?? 0, job: r.text(i, "job") ?? "", remote: r.text(i, "remote") ?? "",
                recordType: try storedEnum(RecordType.self, r.text(i, "record_type"), "record_type"),
                localID: r.text(i, "local_id") ?? "",
                remoteID: r.text(i, "remote_id") ?? "",
                fields: (r.text(i, "fields") ?? "").split(separator: ",").map(String.init),
                base: r.text(i, "base") ?? "", local: r.text(i, "local") ?? "",
                remoteSide: r.text(i, "remote_side") ?? "",
                status: try storedEnum(ConflictStatus.self, r.text(i, "status"), "status"),
                createdAt: r.text(i, "created_at") ?? "",
                resolution: r.text(i, "resolution"))
        }
    }

    @discardableResult
    public func openConflict(
        job: String, remote: String, type: RecordType, localID: String, remoteID: String, fields: [String],
        base: String,
        local: String, remoteSide: String
    ) throws -> Int64 {
        try transaction { c in
            try c.exec(
                "DELETE FROM sync_conflicts WHERE remote = $1 AND record_type = $2 AND local_id = $3 AND status = 'open'",
                [remote, type.rawValue, localID])
            return try c.exec(
                """
                INSERT INTO sync_conflicts (job, remote, record_type, local_id, remote_id, fields, base, local,
                    remote_side, status, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10) RETURNING id
                """,
                [
                    job, remote, type.rawValue, localID, remoteID, fields.joined(separator: ","), base, local,
                    remoteSide, Date().iso8601UTC,
                ]
            ).int64(0, 0) ?? 0
        }
    }

    public func refreshConflict(id: Int64, fields: [String], base: String, local: String, remoteSide: String) throws {
        _ = try withConnection { c in
            try c.exec(
                "UPDATE sync_conflicts SET fields = $1, base = $2, local = $3, remote_side = $4 WHERE id = $5 AND status = 'open'",
                [fields.joined(separator: ","), base, local, remoteSide, String(id)])
        }
    }

    public func openConflict(remote: String, type: RecordType, localID: String) throws -> SyncConflict? {
        try withConnection { c in
            try Self.conflicts(
                c.exec(
                    "SELECT * FROM sync_conflicts WHERE remote = $1 AND record_type = $2 AND local_id = $3 AND status = 'open'",
                    [remote, type.rawValue, localID])
            ).first
        }
    }

    public func conflicts(status: ConflictStatus?) throws -> [SyncConflict] {
        try withConnection { c in
            if let status {
                return try Self.conflicts(
                    c.exec("SELECT * FROM sync_conflicts WHERE status = $1 ORDER BY id", [status.rawValue]))
            }
            return try Self.conflicts(c.exec("SELECT * FROM sync_conflicts ORDER BY id"))
        }
    }

    public func conflict(id: Int64) throws -> SyncConflict? {
        try withConnection { c in
            try Self.conflicts(c.exec("SELECT * FROM sync_conflicts WHERE id = $1", [String(id)])).first
        }
    }

    public func closeConflict(id: Int64, resolution: String) throws {
        _ = try withConnection { c in
            try c.exec(
                "UPDATE sync_conflicts SET status = 'resolved', resolved_at = $1, resolution = $2 WHERE id = $3",
                [Date().iso8601UTC, resolution, String(id)])
        }
    }

    // MARK: Leases, runs, undo

    /// The lease is timed by the server's clock (machines' clocks differ). A holder on this machine whose process is
    /// gone loses it at once; one on another machine only when its time runs out (it renews it while it runs).
    public func acquireLease(
        job: String, owner: String, pid: Int32, seconds: Double, isAlive: (Int32) -> Bool
    ) throws -> String? {
        let host = ProcessInfo.processInfo.hostName
        return try transaction { c -> String? in
            try c.exec(
                "INSERT INTO sync_leases (job, owner, pid, expires_at) VALUES ($1, '', 0, 0) ON CONFLICT DO NOTHING",
                [job])
            let r = try c.exec(
                "SELECT owner, pid, expires_at, extract(epoch from clock_timestamp()) FROM sync_leases WHERE job = $1 FOR UPDATE",
                [job])
            let heldBy = r.text(0, 0) ?? ""
            let hp = Int32(r.text(0, 1) ?? "0") ?? 0
            let exp = Double(r.text(0, 2) ?? "0") ?? 0
            let now = Double(r.text(0, 3) ?? "0") ?? 0
            if !heldBy.isEmpty, heldBy != owner, exp > now {
                let sameHost = heldBy.hasPrefix(host + ":")
                if !sameHost || isAlive(hp) {
                    return "process \(hp) (\(heldBy)) until \(Date(timeIntervalSince1970: exp).iso8601UTC)"
                }
            }
            try c.exec(
                "UPDATE sync_leases SET owner = $2, pid = $3, expires_at = $4 WHERE job = $1",
                [job, owner, String(pid), String(now + seconds)])
            return nil
        }
    }

    public func releaseLease(job: String, owner: String) throws {
        _ = try withConnection { c in
            try c.exec("DELETE FROM sync_leases WHERE job = $1 AND owner = $2", [job, owner])
        }
    }

    /// Extends every lease this owner holds (a worker's heartbeat: the job's, and the remote's record types'). - Returns:
    /// how many it extended.
    public func renewLeases(owner: String, seconds: Double) throws -> Int {
        try withConnection { c in
            try c.exec(
                "UPDATE sync_leases SET expires_at = extract(epoch from clock_timestamp()) + $2 WHERE owner = $1",
                [owner, String(seconds)]
            ).affected
        }
    }

    public func startRun(job: String, profile: String?, baseURL: String?) throws -> Int64 {
        try transaction { c in
            try c.exec(
                "UPDATE sync_runs SET status = 'interrupted', finished_at = $1, message = $2 WHERE job = $3 AND status = 'running'",
                [
                    Date().iso8601UTC,
                    "the process ended without finishing (killed or crashed); the next run resumed from its checkpoints",
                    job,
                ])
            return try c.exec(
                "INSERT INTO sync_runs (job, started_at, status, profile, base_url) VALUES ($1, $2, 'running', $3, $4) RETURNING id",
                [job, Date().iso8601UTC, profile, baseURL]
            ).int64(0, 0) ?? 0
        }
    }

    public func finishRun(id: Int64, status: RunStatus, counts: String, message: String?) throws {
        _ = try withConnection { c in
            try c.exec(
                "UPDATE sync_runs SET finished_at = $1, status = $2, counts = $3, message = $4 WHERE id = $5",
                [Date().iso8601UTC, status.rawValue, counts, message, String(id)])
        }
    }

    public func runs() throws -> [SyncRun] {
        try withConnection { c in
            let r = try c.exec("SELECT * FROM sync_runs ORDER BY id DESC")
            return try (0..<r.count).map { i in
                SyncRun(
                    id: Int64(r.text(i, "id") ?? "0") ?? 0, job: r.text(i, "job") ?? "",
                    startedAt: r.text(i, "started_at") ?? "",
                    finishedAt: r.text(i, "finished_at"),
                    status: try storedEnum(RunStatus.self, r.text(i, "status"), "status"),
                    counts: r.text(i, "counts") ?? "{}",
                    message: r.text(i, "message"), profile: r.text(i, "profile"), baseURL: r.text(i, "base_url"))
            }
        }
    }

    public func undoEntries(run: Int64) throws -> [UndoEntry] {
        try withConnection { c in
            let r = try c.exec("SELECT * FROM run_undo WHERE run_id = $1 ORDER BY seq DESC", [String(run)])
            return try (0..<r.count).map { i in
                UndoEntry(
                    side: try storedEnum(SyncSide.self, r.text(i, "side"), "side"),
                    recordType: try storedEnum(RecordType.self, r.text(i, "record_type"), "record_type"),
                    localID: r.text(i, "local_id") ?? "", remoteID: r.text(i, "remote_id"),
                    action: try storedEnum(UndoAction.self, r.text(i, "action"), "action"),
                    before: r.text(i, "before"), after: r.text(i, "after"))
            }
        }
    }

    public func setAsideRecords(remote: String?) throws -> [SetAsideRecord] {
        try withConnection { c in
            let r: PGResult
            if let remote {
                r = try c.exec(
                    "SELECT * FROM sync_set_aside WHERE remote = $1 ORDER BY first_at, local_id COLLATE \"C\"", [remote]
                )
            } else {
                r = try c.exec("SELECT * FROM sync_set_aside ORDER BY first_at, local_id COLLATE \"C\"")
            }
            return try (0..<r.count).map { i in
                var a = SetAsideRecord(
                    remote: r.text(i, "remote") ?? "",
                    recordType: try storedEnum(RecordType.self, r.text(i, "record_type"), "record_type"),
                    localID: r.text(i, "local_id") ?? "", changeSeq: Int64(r.text(i, "change_seq") ?? "0") ?? 0,
                    operation: r.text(i, "operation") ?? "",
                    status: r.text(i, "status").flatMap { Int($0) }, message: r.text(i, "message") ?? "",
                    at: r.text(i, "first_at"))
                a.lastAt = r.text(i, "last_at") ?? a.lastAt
                a.attempts = Int(r.text(i, "attempts") ?? "1") ?? 1
                return a
            }
        }
    }

    public func retrySetAside<R: CRMRecord>(_ type: R.Type, localIDs: [String]) throws -> Int {
        guard !localIDs.isEmpty else { return 0 }
        return try transaction { c in
            var seq = try nextSeqs(c, localIDs.count)
            var n = 0
            for id in localIDs {
                n += try c.exec("UPDATE \(RecordTable<R>.name) SET change_seq = $1 WHERE id = $2", [String(seq), id])
                    .affected
                seq += 1
            }
            return n
        }
    }

    public func remotes() throws -> [(name: String, links: Int)] {
        try withConnection { c in
            let r = try c.exec("SELECT remote, COUNT(*) FROM sync_links GROUP BY remote ORDER BY remote")
            return (0..<r.count).map { (name: r.text($0, 0) ?? "", links: Int(r.int64($0, 1) ?? 0)) }
        }
    }

    public func renameRemote(from: String, to: String) throws -> Int {
        try transaction { c in
            var n = 0
            for table in remoteKeyedTables {
                n += try c.exec("UPDATE \(table) SET remote = $1 WHERE remote = $2", [to, from]).affected
            }
            // Past runs name the address too: undo of one made before the move goes to the new one.
            if let old = baseURL(ofRemote: from), let new = baseURL(ofRemote: to) {
                try c.exec("UPDATE sync_runs SET base_url = $1 WHERE base_url = $2", [new, old])
            }
            return n
        }
    }
}
