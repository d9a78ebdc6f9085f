public import CRMModel
import Foundation
import GRDB
import GRDBSQLite

/// The sync links of the SQLite store: per remote and record, the remote id, its version and the base snapshot
/// (moved from SyncState.swift unchanged).
extension CRMStore {
    private static func link(_ row: Row) throws -> SyncLink {
        SyncLink(
            remote: row["remote"], recordType: try storedEnum(RecordType.self, row["record_type"], "record_type"),
            localID: row["local_id"], remoteID: row["remote_id"],
            etag: row["etag"], version: row["version"], base: row["base"], syncedSeq: row["synced_seq"],
            remoteStamp: row["remote_stamp"],
            identity: row["remote_identity"])
    }

    public func link(remote: String, type: RecordType, localID: String) throws -> SyncLink? {
        try link(remote: remote, type: type, column: "local_id", id: localID)
    }

    public func link(remote: String, type: RecordType, remoteID: String) throws -> SyncLink? {
        try link(remote: remote, type: type, column: "remote_id", id: remoteID)
    }

    /// The link whose `column` (`local_id` or `remote_id`) is `id`.
    private func link(remote: String, type: RecordType, column: String, id: String) throws -> SyncLink? {
        try wrap {
            try queue.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT * FROM sync_links WHERE remote = ? AND record_type = ? AND \(column) = ?",
                    arguments: [remote, type.rawValue, id]
                ).map(Self.link)
            }
        }
    }

    /// Links for many remote ids at once.
    public func links(remote: String, type: RecordType, remoteIDs: [String]) throws -> [String: SyncLink] {
        guard !remoteIDs.isEmpty else { return [:] }
        return try wrap {
            try queue.read { db in
                var out: [String: SyncLink] = [:]
                // A pull asks this for every page: the statement is prepared once per chunk size and read by column
                // number (a page's worth of placeholders costs more to parse than to run).
                var start = 0
                while start < remoteIDs.count {
                    let end = min(start + 500, remoteIDs.count)
                    let stmt = try db.cachedStatement(
                        sql:
                            "SELECT remote, record_type, local_id, remote_id, etag, version, base, synced_seq, remote_stamp, remote_identity "
                            + "FROM sync_links INDEXED BY sync_links_remote WHERE remote = ? AND record_type = ? AND remote_id IN ("
                            + String(repeating: "?,", count: end - start - 1) + "?)")
                    let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
                    defer {
                        raw.reset()
                        withExtendedLifetime(stmt) {}
                    }
                    raw.bindText(1, remote)
                    raw.bindText(2, type.rawValue)
                    for k in start..<end { raw.bindText(Int32(k - start + 3), remoteIDs[k]) }
                    while try raw.step(path: path) {
                        let l = SyncLink(
                            remote: raw.text(0) ?? "",
                            recordType: try storedEnum(RecordType.self, raw.text(1), "record_type"),
                            localID: raw.text(2) ?? "", remoteID: raw.text(3) ?? "", etag: raw.text(4),
                            version: raw.text(5),
                            base: raw.text(6) ?? "", syncedSeq: raw.int64(7) ?? 0, remoteStamp: raw.text(8),
                            identity: raw.text(9))
                        out[l.remoteID] = l
                    }
                    start = end
                }
                return out
            }
        }
    }

    /// Rows of `sql` (which ends in `IN (`) for many ids at once, in chunks.
    private func fetchIn(_ db: Database, _ sql: String, _ prefix: [String], _ ids: [String]) throws -> [Row] {
        var out: [Row] = []
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            start += 500
            out += try Row.fetchAll(
                db, sql: sql + chunk.map { _ in "?" }.joined(separator: ",") + ")",
                arguments: StatementArguments(prefix + chunk))
        }
        return out
    }

    /// Links for many local ids at once.
    public func links(remote: String, type: RecordType, localIDs: [String]) throws -> [String: SyncLink] {
        guard !localIDs.isEmpty else { return [:] }
        return try wrap {
            try queue.read { db in
                var out: [String: SyncLink] = [:]
                for r in try fetchIn(
                    db, "SELECT * FROM sync_links WHERE remote = ? AND record_type = ? AND local_id IN (",
                    [remote, type.rawValue], localIDs)
                {
                    let l = try Self.link(r)
                    out[l.localID] = l
                }
                return out
            }
        }
    }

    /// The local ids among `localIDs` that have an open conflict with this remote.
    public func openConflictIDs(remote: String, type: RecordType, localIDs: [String]) throws -> Set<String> {
        guard !localIDs.isEmpty else { return [] }
        return try wrap {
            try queue.read { db in
                Set(
                    try fetchIn(
                        db,
                        "SELECT local_id FROM sync_conflicts WHERE status = 'open' AND remote = ? AND record_type = ? AND local_id IN (",
                        [remote, type.rawValue], localIDs
                    )
                    .map { $0["local_id"] as String })
            }
        }
    }

    /// Journal entries (creates whose answer may not have arrived) for many local ids at once.
    public func journal(
        remote: String, type: RecordType, localIDs: [String]
    ) throws -> [String: (key: String, lookup: String?)] {
        guard !localIDs.isEmpty else { return [:] }
        return try wrap {
            try queue.read { db in
                var out: [String: (key: String, lookup: String?)] = [:]
                for r in try fetchIn(
                    db,
                    "SELECT local_id, idem_key, lookup FROM sync_journal WHERE remote = ? AND record_type = ? AND local_id IN (",
                    [remote, type.rawValue], localIDs)
                {
                    out[r["local_id"]] = (key: r["idem_key"], lookup: r["lookup"])
                }
                return out
            }
        }
    }

    /// Writes the idempotency keys of many creates in one transaction, before their requests are sent, with the
    /// snapshot each sends (`sent`, the base for merging the record should its answer be lost).
    public func journalCreates(
        remote: String, type: RecordType, entries: [(localID: String, key: String, lookup: String?, sent: String)]
    ) throws {
        guard !entries.isEmpty else { return }
        try wrap {
            try queue.write { db in
                let stamp = Date().iso8601UTC
                let stmt = try db.makeStatement(
                    sql:
                        "INSERT OR IGNORE INTO sync_journal (remote, record_type, local_id, idem_key, lookup, created_at, sent) VALUES (?, ?, ?, ?, ?, ?, ?)"
                )
                for e in entries {
                    try stmt.execute(arguments: [remote, type.rawValue, e.localID, e.key, e.lookup, stamp, e.sent])
                }
            }
        }
    }

    /// What the journaled create of `localID` sent (nil: no create is journaled, or it was journaled before v4).
    /// Writes what the updates of a batch are about to send (the fields and values, as snapshot JSON), before any
    /// request goes: a run killed while an update is on its way leaves it here, and the next pull counts a remote
    /// value equal to it as this side's own.
    public func journalUpdates(remote: String, type: RecordType, entries: [(localID: String, sent: String)]) throws {
        guard !entries.isEmpty else { return }
        try wrap {
            try queue.write { db in
                let stamp = Date().iso8601UTC
                let stmt = try db.makeStatement(
                    sql:
                        "INSERT OR REPLACE INTO sync_update_journal (remote, record_type, local_id, sent, sent_at) VALUES (?, ?, ?, ?, ?)"
                )
                for e in entries { try stmt.execute(arguments: [remote, type.rawValue, e.localID, e.sent, stamp]) }
            }
        }
    }

    /// Journaled updates of these records whose answers never came (local id → sent snapshot JSON).
    public func journaledUpdates(remote: String, type: RecordType, localIDs: [String]) throws -> [String: String] {
        guard !localIDs.isEmpty else { return [:] }
        return try wrap {
            try queue.read { db in
                var out: [String: String] = [:]
                for chunk in stride(from: 0, to: localIDs.count, by: 500) {
                    let ids = Array(localIDs[chunk..<min(localIDs.count, chunk + 500)])
                    let marks = ids.map { _ in "?" }.joined(separator: ",")
                    let rows = try Row.fetchAll(
                        db,
                        sql:
                            "SELECT local_id, sent FROM sync_update_journal WHERE remote = ? AND record_type = ? AND local_id IN (\(marks))",
                        arguments: StatementArguments([remote, type.rawValue] + ids))
                    for r in rows { out[r["local_id"]] = r["sent"] }
                }
                return out
            }
        }
    }

    public func journaledCreates(remote: String, type: RecordType) throws -> [(localID: String, sent: String)] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT local_id, sent FROM sync_journal WHERE remote = ? AND record_type = ? AND sent IS NOT NULL",
                    arguments: [remote, type.rawValue]
                ).map { (localID: $0[0], sent: $0[1]) }
            }
        }
    }

    public func journaledSnapshot(remote: String, type: RecordType, localID: String) throws -> String? {
        try wrap {
            try queue.read { db in
                try String.fetchOne(
                    db, sql: "SELECT sent FROM sync_journal WHERE remote = ? AND record_type = ? AND local_id = ?",
                    arguments: [remote, type.rawValue, localID])
            }
        }
    }

    /// Every link of a remote and type (for reports and tests).
    public func links(remote: String, type: RecordType) throws -> [SyncLink] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM sync_links WHERE remote = ? AND record_type = ? ORDER BY local_id",
                    arguments: [remote, type.rawValue]
                ).map(Self.link)
            }
        }
    }

    public func deletedButLinked<R: CRMRecord>(_ type: R.Type, remote: String) throws -> [String] {
        try wrap {
            try queue.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT l.local_id FROM sync_links l JOIN \(RecordTable<R>.name) r ON r.id = l.local_id
                        WHERE l.remote = ? AND l.record_type = ? AND r.deleted_at IS NOT NULL ORDER BY l.local_id
                        """,
                    arguments: [remote, R.recordType.rawValue])
            }
        }
    }

    public func linkIDs(remote: String, type: RecordType) throws -> [(localID: String, remoteID: String)] {
        try wrap {
            try queue.read { db in
                var out: [(localID: String, remoteID: String)] = []
                let rows = try Row.fetchCursor(
                    db,
                    sql:
                        "SELECT local_id, remote_id FROM sync_links WHERE remote = ? AND record_type = ? ORDER BY local_id",
                    arguments: [remote, type.rawValue])
                while let r = try rows.next() { out.append((r[0], r[1])) }
                return out
            }
        }
    }

    public func remotes() throws -> [(name: String, links: Int)] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT remote, COUNT(*) FROM sync_links GROUP BY remote ORDER BY remote").map
                {
                    (name: $0[0], links: $0[1])
                }
            }
        }
    }

    public func renameRemote(from: String, to: String) throws -> Int {
        var renamed = 0
        try wrap {
            try queue.inTransaction(.immediate) { db in
                for table in remoteKeyedTables {
                    try db.execute(sql: "UPDATE \(table) SET remote = ? WHERE remote = ?", arguments: [to, from])
                    renamed += db.changesCount
                }
                // Past runs name the address too: undo of one made before the move goes to the new one.
                if let old = baseURL(ofRemote: from), let new = baseURL(ofRemote: to) {
                    try db.execute(sql: "UPDATE sync_runs SET base_url = ? WHERE base_url = ?", arguments: [new, old])
                }
                return .commit
            }
        }
        return renamed
    }
}
