public import CRMModel
import Foundation
import GRDB
import GRDBSQLite

/// What the store remembers about one local record at one remote: its remote id, the remote's version or
/// ETag, and the base snapshot last agreed with that remote (the "base" of the three-way merge).
public struct SyncLink: Sendable, Equatable {
    public var remote: String
    public var recordType: RecordType
    public var localID: String
    public var remoteID: String
    public var etag: String?
    public var version: String?
    /// The agreed snapshot, as JSON text.
    public var base: String
    /// The local change counter value that the base corresponds to; a record whose counter moved on has local edits.
    public var syncedSeq: Int64
    /// The remote's modified stamp (or content digest where records carry none) when last seen.
    public var remoteStamp: String?
    /// What identifies the remote record beyond its id (its creation stamp), where the profile names it: a record
    /// found at the linked id with another identity is a different record (the remote reused the id).
    public var identity: String?

    public init(
        remote: String, recordType: RecordType, localID: String, remoteID: String, etag: String? = nil,
        version: String? = nil,
        base: String, syncedSeq: Int64 = 0, remoteStamp: String? = nil, identity: String? = nil
    ) {
        self.identity = identity
        self.remote = remote
        self.recordType = recordType
        self.localID = localID
        self.remoteID = remoteID
        self.etag = etag
        self.version = version
        self.base = base
        self.syncedSeq = syncedSeq
        self.remoteStamp = remoteStamp
    }
}

/// Which side of a sync a change was made on.
public enum SyncSide: String, Sendable, Equatable, CaseIterable {
    case local, remote
}

/// What a run did to a record, which its undo reverses: `created` (undo deletes it), `updated` (undo restores it).
public enum UndoAction: String, Sendable, Equatable, CaseIterable {
    case created, updated
    /// The run deleted the record (its before-image kept): `undo` does not bring a deleted record back, and says so.
    case deleted
}

/// Whether a conflict waits for a person or was decided.
public enum ConflictStatus: String, Sendable, Equatable, CaseIterable {
    case open, resolved
}

/// How a sync run stands: `running` (or died running, until the job's next run marks it `interrupted`), `ok`,
/// `failed` (with its message), `undone` by `crmgate undo`.
public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    case running, ok, failed, interrupted, undone
}

/// A record waiting for a person: both sides changed the same fields differently under the `manual` policy.
public struct SyncConflict: Sendable, Equatable {
    public var id: Int64
    public var job: String
    public var remote: String
    public var recordType: RecordType
    public var localID: String
    public var remoteID: String
    public var fields: [String]
    public var base: String
    public var local: String
    public var remoteSide: String
    public var status: ConflictStatus
    public var createdAt: String
    public var resolution: String?
}

/// One sync (or import) run and its counts.
public struct SyncRun: Sendable, Equatable {
    public var id: Int64
    public var job: String
    public var startedAt: String
    public var finishedAt: String?
    public var status: RunStatus
    /// Counts as JSON text: pulled/pushed creates, updates, conflicts, deletes.
    public var counts: String
    public var message: String?
    /// The remote profile and base URL the run talked to.
    public var profile: String?
    public var baseURL: String?
}

/// One line of a run's undo manifest.
public struct UndoEntry: Sendable, Equatable {
    /// The side the run changed.
    public var side: SyncSide
    public var recordType: RecordType
    public var localID: String
    public var remoteID: String?
    /// What the run did.
    public var action: UndoAction
    /// The before-image (a snapshot's JSON) of an update; nil for creates.
    public var before: String?
    /// The snapshot written by the run, to tell whether the record changed since.
    public var after: String?

    public init(
        side: SyncSide, recordType: RecordType, localID: String, remoteID: String?, action: UndoAction, before: String?,
        after: String?
    ) {
        self.side = side
        self.recordType = recordType
        self.localID = localID
        self.remoteID = remoteID
        self.action = action
        self.before = before
        self.after = after
    }
}

/// A local record with its change counter, for pushing.
public struct ChangedRecord<R: CRMRecord>: Sendable {
    public var record: R
    public var changeSeq: Int64
    public var deleted: Bool
}

extension CRMStore {
    static func registerSyncMigrations(_ m: inout DatabaseMigrator) {
        defer {
            m.registerMigration("v3: runs remember their remote") { db in
                try db.execute(
                    sql: "ALTER TABLE sync_runs ADD COLUMN profile TEXT; ALTER TABLE sync_runs ADD COLUMN base_url TEXT"
                )
            }
            m.registerMigration("v4: the journal keeps what a create sent") { db in
                try db.execute(sql: "ALTER TABLE sync_journal ADD COLUMN sent TEXT")
            }
            m.registerMigration("v6: updates are journaled") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE sync_update_journal (
                            remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, sent TEXT NOT NULL,
                                sent_at TEXT NOT NULL,
                            PRIMARY KEY (remote, record_type, local_id)
                        ) WITHOUT ROWID;
                        """)
            }
            m.registerMigration("v5: link identities and set-aside records") { db in
                try db.execute(
                    sql: """
                        ALTER TABLE sync_links ADD COLUMN remote_identity TEXT;
                        CREATE TABLE sync_set_aside (
                            remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, change_seq INTEGER
                                NOT NULL,
                            operation TEXT NOT NULL, status INTEGER, message TEXT NOT NULL, first_at TEXT NOT NULL,
                                last_at TEXT NOT NULL,
                            attempts INTEGER NOT NULL DEFAULT 1,
                            PRIMARY KEY (remote, record_type, local_id)
                        ) WITHOUT ROWID;
                        """)
            }
        }
        m.registerMigration("v2: sync state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sync_links (
                        remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, remote_id TEXT NOT
                            NULL,
                        etag TEXT, version TEXT, base TEXT NOT NULL, synced_seq INTEGER NOT NULL, remote_stamp TEXT,
                        PRIMARY KEY (remote, record_type, local_id)
                    ) WITHOUT ROWID;
                    CREATE UNIQUE INDEX sync_links_remote ON sync_links(remote, record_type, remote_id);
                    CREATE TABLE sync_journal (
                        remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, idem_key TEXT NOT NULL,
                        lookup TEXT, created_at TEXT NOT NULL,
                        PRIMARY KEY (remote, record_type, local_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE sync_cursors (job TEXT NOT NULL, record_type TEXT NOT NULL, state TEXT NOT NULL,
                        PRIMARY KEY (job, record_type)) WITHOUT ROWID;
                    CREATE TABLE sync_conflicts (
                        id INTEGER PRIMARY KEY, job TEXT NOT NULL, remote TEXT NOT NULL, record_type TEXT NOT NULL,
                            local_id TEXT NOT NULL,
                        remote_id TEXT NOT NULL, fields TEXT NOT NULL, base TEXT NOT NULL, local TEXT NOT NULL,
                            remote_side TEXT NOT NULL,
                        status TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT
                    );
                    CREATE INDEX sync_conflicts_open ON sync_conflicts(remote, record_type, local_id) WHERE status =
                        'open';
                    CREATE TABLE sync_leases (job TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL,
                        expires_at REAL NOT NULL);
                    CREATE TABLE sync_runs (
                        id INTEGER PRIMARY KEY, job TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, status
                            TEXT NOT NULL,
                        counts TEXT NOT NULL DEFAULT '{}', message TEXT
                    );
                    CREATE TABLE run_undo (
                        run_id INTEGER NOT NULL, seq INTEGER NOT NULL, side TEXT NOT NULL, record_type TEXT NOT NULL,
                            local_id TEXT NOT NULL,
                        remote_id TEXT, action TEXT NOT NULL, before TEXT, after TEXT, PRIMARY KEY (run_id, seq)
                    ) WITHOUT ROWID;
                    """)
        }
    }

    // MARK: - Local records for sync

    /// Records (deleted ones included) whose change counter is above `afterSeq`, in counter order, at most `limit`.
    public func changed<R: CRMRecord>(_ type: R.Type, afterSeq: Int64, limit: Int) throws -> [ChangedRecord<R>] {
        try wrap {
            try queue.read { db in
                let sql =
                    "SELECT \(RecordTable<R>.selectColumns), change_seq, deleted_at IS NOT NULL FROM \(RecordTable<R>.name) WHERE change_seq > ? ORDER BY change_seq LIMIT ?"
                let stmt = try db.makeStatement(sql: sql)
                let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: sql)
                raw.bind(1, afterSeq)
                raw.bind(2, Int64(limit))
                var out: [ChangedRecord<R>] = []
                let n = Int32(RecordTable<R>.selectColumns.split(separator: ",").count)
                let kinds = R.fields.map(\.kind)
                while try raw.step(path: path) {
                    let rec = RecordTable<R>.decode(raw, kinds: kinds).record
                    out.append(
                        ChangedRecord(record: rec, changeSeq: raw.int64(n) ?? 0, deleted: (raw.int64(n + 1) ?? 0) != 0))
                }
                return out
            }
        }
    }

    /// The record with this exact id, deleted or not, with its change counter.
    public func recordForSync<R: CRMRecord>(_ type: R.Type, id: String) throws -> ChangedRecord<R>? {
        try wrap {
            try queue.read { db in
                let sql =
                    "SELECT \(RecordTable<R>.selectColumns), change_seq, deleted_at IS NOT NULL FROM \(RecordTable<R>.name) WHERE id = ?"
                let stmt = try db.makeStatement(sql: sql)
                let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: sql)
                raw.bind(1, id)
                let n = Int32(RecordTable<R>.selectColumns.split(separator: ",").count)
                guard try raw.step(path: path) else { return nil }
                return ChangedRecord(
                    record: RecordTable<R>.decode(raw).record, changeSeq: raw.int64(n) ?? 0,
                    deleted: (raw.int64(n + 1) ?? 0) != 0)
            }
        }
    }

    /// Marks records deleted (tombstones), giving each a new change counter.
    public func tombstone<R: CRMRecord>(_ type: R.Type, ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try wrap {
            try queue.inTransaction(.immediate) { db in
                var seq =
                    Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_seq'") ?? "0") ?? 0
                for id in ids {
                    seq += 1
                    try db.execute(
                        sql:
                            "UPDATE \(RecordTable<R>.name) SET deleted_at = ?, change_seq = ? WHERE id = ? AND deleted_at IS NULL",
                        arguments: [Date().iso8601UTC, seq, id])
                }
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'change_seq'", arguments: [String(seq)])
                return .commit
            }
        }
    }

    /// One atomic step of a sync: records written from the remote (their links' `syncedSeq` set to the counter
    /// they get), links written or removed, the cursor checkpoint, journal entries cleared, undo lines added.
    public func applySync<R: CRMRecord>(
        _ type: R.Type, records: [R], links: [SyncLink], removeLinks: [String] = [], tombstones: [String] = [],
        cursor: (job: String, state: String)? = nil, clearJournal: [String] = [],
        undo: (run: Int64, entries: [UndoEntry])? = nil,
        remote: String? = nil, setAside: [SetAsideRecord] = [], clearSetAside: [String] = [],
        clearUpdateJournal: [String] = []
    ) throws {
        try wrap {
            try queue.inTransaction(.immediate) { db in
                var seqs: [String: Int64] = [:]
                if !records.isEmpty || !tombstones.isEmpty {
                    var seq =
                        Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_seq'") ?? "0")
                        ?? 0
                    let cols = R.fields.map { RecordTable<R>.column($0.name) }
                    let upsert = try db.makeStatement(
                        sql:
                            "INSERT INTO \(RecordTable<R>.name) (id, \(cols.joined(separator: ", ")), custom, updated_at, change_seq) VALUES ("
                            + Array(repeating: "?", count: cols.count + 4).joined(separator: ", ")
                            + ") ON CONFLICT(id) DO UPDATE SET "
                            + cols.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
                            + ", custom = excluded.custom, updated_at = excluded.updated_at, change_seq = excluded.change_seq, deleted_at = NULL, merged_into = NULL"
                    )
                    let raw = RawStatement(handle: upsert.sqliteStatement, db: db.sqliteConnection!, sql: upsert.sql)
                    let now = Date().iso8601UTC  // one transaction, one time
                    for r in records {
                        seq += 1
                        raw.reset()
                        let id = r.id.description
                        raw.bind(1, id)
                        var k: Int32 = 2
                        for v in StoreValues.prepare(r.fieldValues()) {
                            raw.bind(k, v)
                            k += 1
                        }
                        raw.bind(k, JSONText.object(r.custom))
                        raw.bind(k + 1, now)
                        raw.bind(k + 2, seq)
                        try raw.run(path: path)
                        seqs[id] = seq
                    }
                    raw.reset()
                    withExtendedLifetime(upsert) {}  // the raw handle is the statement's: it lives until here
                    for id in tombstones {
                        seq += 1
                        try db.execute(
                            sql: "UPDATE \(RecordTable<R>.name) SET deleted_at = ?, change_seq = ? WHERE id = ?",
                            arguments: [now, seq, id])
                        seqs[id] = seq
                    }
                    try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'change_seq'", arguments: [String(seq)])
                }
                for id in removeLinks {
                    if let remote {
                        try db.execute(
                            sql: "DELETE FROM sync_links WHERE remote = ? AND record_type = ? AND local_id = ?",
                            arguments: [remote, R.recordType.rawValue, id])
                    } else {
                        try db.execute(
                            sql: "DELETE FROM sync_links WHERE record_type = ? AND local_id = ?",
                            arguments: [R.recordType.rawValue, id])
                    }
                }
                let linkStmt = try db.makeStatement(
                    sql: """
                        INSERT INTO sync_links (remote, record_type, local_id, remote_id, etag, version, base,
                            synced_seq, remote_stamp,
                        remote_identity)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(remote, record_type, local_id) DO UPDATE SET
                            remote_id = excluded.remote_id,
                        etag = excluded.etag, version = excluded.version, base = excluded.base, synced_seq =
                            excluded.synced_seq,
                        remote_stamp = excluded.remote_stamp, remote_identity = excluded.remote_identity
                        """)
                // A remote id belongs to one local record: a link that still holds it for another record is stale
                // (the remote reused the id of a record it deleted) and gives way.
                let staleStmt = try db.makeStatement(
                    sql:
                        "DELETE FROM sync_links WHERE remote = ? AND record_type = ? AND remote_id = ? AND local_id <> ?"
                )
                let conn = db.sqliteConnection!
                let stale = RawStatement(handle: staleStmt.sqliteStatement, db: conn, sql: staleStmt.sql)
                let upsertLink = RawStatement(handle: linkStmt.sqliteStatement, db: conn, sql: linkStmt.sql)
                for var l in links {
                    // A negative counter marks a link whose local side still differs from the remote (push it next).
                    if l.syncedSeq < 0 { l.syncedSeq = 0 } else if let s = seqs[l.localID] { l.syncedSeq = s }
                    stale.resetKeepingBindings()
                    stale.bindText(1, l.remote)
                    stale.bindText(2, l.recordType.rawValue)
                    stale.bindText(3, l.remoteID)
                    stale.bindText(4, l.localID)
                    try stale.run(path: path)
                    upsertLink.resetKeepingBindings()
                    upsertLink.bindText(1, l.remote)
                    upsertLink.bindText(2, l.recordType.rawValue)
                    upsertLink.bindText(3, l.localID)
                    upsertLink.bindText(4, l.remoteID)
                    upsertLink.bindText(5, l.etag)
                    upsertLink.bindText(6, l.version)
                    upsertLink.bindText(7, l.base)
                    upsertLink.bind(8, l.syncedSeq)
                    upsertLink.bindText(9, l.remoteStamp)
                    upsertLink.bindText(10, l.identity)
                    try upsertLink.run(path: path)
                }
                stale.reset()
                upsertLink.reset()
                withExtendedLifetime((staleStmt, linkStmt)) {}
                // Only this remote's entries: another remote's create of the same record may be in flight (found by
                // ten workers pushing the same leads to ten remotes, one of them killed mid-push).
                for id in clearJournal {
                    if let remote {
                        try db.execute(
                            sql: "DELETE FROM sync_journal WHERE remote = ? AND record_type = ? AND local_id = ?",
                            arguments: [remote, R.recordType.rawValue, id])
                    } else {
                        try db.execute(
                            sql: "DELETE FROM sync_journal WHERE record_type = ? AND local_id = ?",
                            arguments: [R.recordType.rawValue, id])
                    }
                }
                if let remote {
                    for id in clearUpdateJournal {
                        try db.execute(
                            sql:
                                "DELETE FROM sync_update_journal WHERE remote = ? AND record_type = ? AND local_id = ?",
                            arguments: [remote, R.recordType.rawValue, id])
                    }
                }
                if let cursor {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO sync_cursors (job, record_type, state) VALUES (?, ?, ?)",
                        arguments: [cursor.job, R.recordType.rawValue, cursor.state])
                }
                if let undo { try Self.addUndo(db, run: undo.run, entries: undo.entries, path: path) }
                for a in setAside { try Self.setAside(db, a) }
                if let remote {
                    for id in clearSetAside {
                        try db.execute(
                            sql: "DELETE FROM sync_set_aside WHERE remote = ? AND record_type = ? AND local_id = ?",
                            arguments: [remote, R.recordType.rawValue, id])
                    }
                }
                return .commit
            }
        }
    }

    static func addUndo(_ db: Database, run: Int64, entries: [UndoEntry], path: String? = nil) throws {
        guard !entries.isEmpty else { return }
        var seq =
            try Int64.fetchOne(
                db, sql: "SELECT seq FROM run_undo WHERE run_id = ? ORDER BY seq DESC LIMIT 1", arguments: [run]) ?? 0
        let stmt = try db.makeStatement(
            sql:
                "INSERT INTO run_undo (run_id, seq, side, record_type, local_id, remote_id, action, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
        defer {
            raw.reset()
            withExtendedLifetime(stmt) {}
        }
        for e in entries {
            seq += 1
            raw.resetKeepingBindings()
            raw.bind(1, run)
            raw.bind(2, seq)
            raw.bindText(3, e.side.rawValue)
            raw.bindText(4, e.recordType.rawValue)
            raw.bindText(5, e.localID)
            raw.bindText(6, e.remoteID)
            raw.bindText(7, e.action.rawValue)
            raw.bindText(8, e.before)
            raw.bindText(9, e.after)
            try raw.run(path: path)
        }
    }

    // MARK: - Idempotency journal

    // MARK: - Cursors

    public func cursorState(job: String, type: RecordType) throws -> String? {
        try wrap {
            try queue.read { db in
                try String.fetchOne(
                    db, sql: "SELECT state FROM sync_cursors WHERE job = ? AND record_type = ?",
                    arguments: [job, type.rawValue])
            }
        }
    }

    // MARK: - Leases

    /// Takes the job's lease for `seconds` unless a live holder has it. A lease whose process is gone or whose time ran
    /// out is taken over.
    /// - Returns: nil when taken, else the holder's description.
    public func acquireLease(
        job: String, owner: String, pid: Int32, seconds: Double, isAlive: (Int32) -> Bool
    ) throws -> String? {
        try wrap {
            try queue.inTransaction(.immediate) { db in
                let now = Date().timeIntervalSince1970
                if let row = try Row.fetchOne(
                    db, sql: "SELECT owner, pid, expires_at FROM sync_leases WHERE job = ?", arguments: [job])
                {
                    let heldBy: String = row["owner"]
                    let hp: Int32 = row["pid"]
                    let exp: Double = row["expires_at"]
                    if heldBy != owner, exp > now, isAlive(hp) {
                        return .rollback
                    }
                }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO sync_leases (job, owner, pid, expires_at) VALUES (?, ?, ?, ?)",
                    arguments: [job, owner, pid, now + seconds])
                return .commit
            }
            let holder = try queue.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT owner, pid, expires_at FROM sync_leases WHERE job = ?", arguments: [job])
            }
            guard let holder, (holder["owner"] as String) != owner else { return nil }
            return
                "process \(holder["pid"] as Int32) (\(holder["owner"] as String)) until \(Date(timeIntervalSince1970: holder["expires_at"]).iso8601UTC)"
        }
    }

    public func releaseLease(job: String, owner: String) throws {
        try wrap {
            try queue.write { db in
                try db.execute(sql: "DELETE FROM sync_leases WHERE job = ? AND owner = ?", arguments: [job, owner])
            }
        }
    }

    // MARK: - Runs and undo

    /// Records a run as started. Called with the job's lease held, so a run of the job still marked `running` is
    /// one whose process died (killed, crashed): it is marked `interrupted`.
    public func startRun(job: String, profile: String? = nil, baseURL: String? = nil) throws -> Int64 {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql:
                        "UPDATE sync_runs SET status = 'interrupted', finished_at = ?, message = ? WHERE job = ? AND status = 'running'",
                    arguments: [
                        Date().iso8601UTC,
                        "the process ended without finishing (killed or crashed); the next run resumed from its checkpoints",
                        job,
                    ])
                try db.execute(
                    sql:
                        "INSERT INTO sync_runs (job, started_at, status, profile, base_url) VALUES (?, ?, 'running', ?, ?)",
                    arguments: [job, Date().iso8601UTC, profile, baseURL])
                return db.lastInsertedRowID
            }
        }
    }

    public func finishRun(id: Int64, status: RunStatus, counts: String, message: String?) throws {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql: "UPDATE sync_runs SET finished_at = ?, status = ?, counts = ?, message = ? WHERE id = ?",
                    arguments: [Date().iso8601UTC, status.rawValue, counts, message, id])
            }
        }
    }

    public func runs() throws -> [SyncRun] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM sync_runs ORDER BY id DESC").map {
                    SyncRun(
                        id: $0["id"], job: $0["job"], startedAt: $0["started_at"], finishedAt: $0["finished_at"],
                        status: try storedEnum(RunStatus.self, $0["status"], "status"), counts: $0["counts"],
                        message: $0["message"],
                        profile: $0["profile"], baseURL: $0["base_url"])
                }
            }
        }
    }

    public func undoEntries(run: Int64) throws -> [UndoEntry] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM run_undo WHERE run_id = ? ORDER BY seq DESC", arguments: [run])
                    .map {
                        UndoEntry(
                            side: try storedEnum(SyncSide.self, $0["side"], "side"),
                            recordType: try storedEnum(RecordType.self, $0["record_type"], "record_type"),
                            localID: $0["local_id"],
                            remoteID: $0["remote_id"], action: try storedEnum(UndoAction.self, $0["action"], "action"),
                            before: $0["before"], after: $0["after"])
                    }
            }
        }
    }
}
