public import CRMModel
import Foundation

/// The store on PostgreSQL: the same tables as the SQLite store, so that many gateways and workers on many
/// machines share one store. Opened with a `postgresql://` URL that carries no password (libpq reads it from
/// `PGPASSWORD`, `PGPASSFILE`/`~/.pgpass` or a `passfile` named in the URL).
///
/// One connection per store value, used synchronously under a lock (as the SQLite store serialises its queue).
/// After a dropped connection (a server restart), the next call reconnects with backoff; a call that was in
/// flight fails with `StoreError(.connectionLost)` and its transaction is rolled back by the server, so a sync run
/// that stops there resumes from its last checkpoint.
public final class PostgresStore: @unchecked Sendable {
    // @unchecked: every use of `connection` is under `lock`.
    private let lock = NSLock()
    private var connection: PGConnection
    /// The URL (without a password).
    public let url: String
    /// Seconds to keep trying to reconnect before a call fails.
    public var reconnectTimeout: Double = 30

    /// Connects and migrates to the current schema (`.create`, `.update`), or checks that the schema is current
    /// (`.readOnly`, which writes nothing).
    /// - Throws: `StoreError(.cannotOpen)` when the server cannot be reached or refuses the login; `.outdated` when
    ///   a read-only open finds an older schema; `.missing` when a read-only or update open finds no crmgate schema.
    public init(url: String, mode: CRMStore.OpenMode = .create) throws {
        self.url = url
        connection = try PGConnection(url: url)
        try migrate(mode: mode)
    }

    /// Runs `body` with the connection, reconnecting first when it dropped.
    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if !connection.isOK { try reconnect() }
        // A transaction an error left open (its ROLLBACK failed) is ended before anything else runs on the connection.
        if !connection.isIdle, (try? connection.exec("ROLLBACK")) == nil || !connection.isIdle {
            if !connection.reconnect() { try reconnect() }
        }
        return try body(connection)
    }

    private func reconnect() throws {
        let deadline = Date(timeIntervalSinceNow: reconnectTimeout)
        var wait = 0.1
        while true {
            if connection.reconnect() { return }
            if Date() >= deadline {
                // With why (a trial's worker said only "cannot reconnect" while the server refused its password).
                throw StoreError(
                    .connectionLost, path: url,
                    message: "cannot reconnect to PostgreSQL after \(Int(reconnectTimeout)) s: \(connection.failure)")
            }
            Thread.sleep(forTimeInterval: wait)
            wait = min(wait * 2, 2)
        }
    }

    /// One transaction.
    func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try withConnection { c in try c.transaction { try body(c) } }
    }

    // MARK: - Schema

    /// The migrations, in order; each runs once, in a transaction, under an advisory lock (many workers may open
    /// the store at once).
    static let migrations: [(id: String, sql: String)] = [
        (
            "v1: meta, imports, ledger",
            """
            CREATE TABLE crmgate_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
            INSERT INTO crmgate_meta (key, value) VALUES ('change_seq', 0);
            CREATE TABLE imports (
                id BIGSERIAL PRIMARY KEY, record_type TEXT NOT NULL, source TEXT NOT NULL, mapping TEXT NOT NULL,
                started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, read BIGINT NOT NULL DEFAULT 0,
                created BIGINT NOT NULL DEFAULT 0, updated BIGINT NOT NULL DEFAULT 0, unchanged BIGINT NOT NULL DEFAULT
                    0,
                merged BIGINT NOT NULL DEFAULT 0, rejected BIGINT NOT NULL DEFAULT 0, error TEXT
            );
            CREATE TABLE import_rows (
                import_id BIGINT NOT NULL, row BIGINT NOT NULL, line BIGINT NOT NULL, outcome TEXT NOT NULL,
                    record_rowid BIGINT,
                reason TEXT, PRIMARY KEY (import_id, row)
            );
            """
        ),
        (
            "v1: record tables",
            recordTable(Lead.self) + recordTable(Customer.self) + recordTable(Opportunity.self)
                + recordTable(CRMTask.self)
        ),
        (
            "v2: sync state",
            """
            CREATE TABLE sync_links (
                remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, remote_id TEXT NOT NULL,
                etag TEXT, version TEXT, base TEXT NOT NULL, synced_seq BIGINT NOT NULL, remote_stamp TEXT,
                    remote_identity TEXT,
                PRIMARY KEY (remote, record_type, local_id)
            );
            CREATE UNIQUE INDEX sync_links_remote ON sync_links(remote, record_type, remote_id);
            CREATE TABLE sync_journal (
                remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, idem_key TEXT NOT NULL,
                lookup TEXT, created_at TEXT NOT NULL, sent TEXT, PRIMARY KEY (remote, record_type, local_id)
            );
            CREATE TABLE sync_update_journal (
                remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, sent TEXT NOT NULL, sent_at
                    TEXT NOT NULL,
                PRIMARY KEY (remote, record_type, local_id)
            );
            CREATE TABLE sync_cursors (job TEXT NOT NULL, record_type TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY
                (job, record_type));
            CREATE TABLE sync_conflicts (
                id BIGSERIAL PRIMARY KEY, job TEXT NOT NULL, remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id
                    TEXT NOT NULL,
                remote_id TEXT NOT NULL, fields TEXT NOT NULL, base TEXT NOT NULL, local TEXT NOT NULL, remote_side TEXT
                    NOT NULL,
                status TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT
            );
            CREATE INDEX sync_conflicts_open ON sync_conflicts(remote, record_type, local_id) WHERE status = 'open';
            CREATE TABLE sync_leases (job TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, expires_at DOUBLE
                PRECISION NOT NULL);
            CREATE TABLE sync_runs (
                id BIGSERIAL PRIMARY KEY, job TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT
                    NULL,
                counts TEXT NOT NULL DEFAULT '{}', message TEXT, profile TEXT, base_url TEXT
            );
            CREATE TABLE run_undo (
                run_id BIGINT NOT NULL, seq BIGINT NOT NULL, side TEXT NOT NULL, record_type TEXT NOT NULL, local_id
                    TEXT NOT NULL,
                remote_id TEXT, action TEXT NOT NULL, before TEXT, after TEXT, PRIMARY KEY (run_id, seq)
            );
            CREATE TABLE sync_set_aside (
                remote TEXT NOT NULL, record_type TEXT NOT NULL, local_id TEXT NOT NULL, change_seq BIGINT NOT NULL,
                operation TEXT NOT NULL, status INTEGER, message TEXT NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT
                    NULL,
                attempts INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (remote, record_type, local_id)
            );
            """
        ),
        (
            "v3: the job board",
            """
            CREATE TABLE job_board (
                job TEXT PRIMARY KEY, schedule TEXT, every_seconds DOUBLE PRECISION, next_due TIMESTAMPTZ,
                holder TEXT, lease_until TIMESTAMPTZ, heartbeat_at TIMESTAMPTZ,
                last_started TIMESTAMPTZ, last_finished TIMESTAMPTZ, last_status TEXT, last_message TEXT, runs BIGINT
                    NOT NULL DEFAULT 0
            );
            CREATE INDEX job_board_due ON job_board(next_due) WHERE next_due IS NOT NULL;
            """
        ),
        (
            "v4: review queue and reject files",
            """
            CREATE TABLE review_pairs (
                id BIGSERIAL PRIMARY KEY, record_type TEXT NOT NULL, a_id TEXT NOT NULL, b_id TEXT NOT NULL, weight
                    DOUBLE PRECISION NOT NULL,
                status TEXT NOT NULL, import_id BIGINT, created_at TEXT NOT NULL, decided_at TEXT, explanation TEXT,
                UNIQUE (record_type, a_id, b_id)
            );
            ALTER TABLE imports ADD COLUMN rejects_file TEXT;
            """
        ),
        (
            // A line of the SQLite writer's may stand for a run of created rows; this engine's writer writes one a row.
            "v5: a ledger line stands for a run of created rows",
            "ALTER TABLE import_rows ADD COLUMN span BIGINT NOT NULL DEFAULT 1;"
        ),
        (
            "v6: a merged record names its survivor",
            RecordTable<Lead>.allNames.map { "ALTER TABLE \($0) ADD COLUMN merged_into BIGINT;" }.joined(
                separator: "\n")
        ),
    ]

    static func recordTable<R: CRMRecord>(_ type: R.Type) -> String {
        let name = RecordTable<R>.name
        var cols = ["rowid BIGSERIAL PRIMARY KEY", "id TEXT NOT NULL UNIQUE", "ext_system TEXT", "ext_id TEXT"]
        cols += R.fields.map {
            "\(RecordTable<R>.column($0.name)) \($0.kind == .integer || $0.kind == .bool ? "BIGINT" : "TEXT")"
        }
        cols += [
            "custom TEXT", "updated_at TEXT NOT NULL", "change_seq BIGINT NOT NULL", "import_batch BIGINT",
            "deleted_at TEXT", "row_hash BIGINT",
        ]
        return """
            CREATE TABLE \(name) (\(cols.joined(separator: ", ")));
            CREATE INDEX \(name)_ext ON \(name)(ext_system, ext_id) WHERE ext_id IS NOT NULL;
            CREATE INDEX \(name)_change ON \(name)(change_seq);

            """
    }

    private func migrate(mode: CRMStore.OpenMode) throws {
        try withConnection { c in
            let has = try c.exec("SELECT to_regclass('crmgate_migrations') IS NOT NULL").text(0, 0) == "t"
            var applied: Set<String> = []
            if has {
                let r = try c.exec("SELECT id FROM crmgate_migrations")
                for i in 0..<r.count { if let id = r.text(i, 0) { applied.insert(id) } }
            }
            let unknown = applied.subtracting(Self.migrations.map(\.id))
            if !unknown.isEmpty { throw CRMStore.newerStore(url, Array(unknown)) }
            let missing = Self.migrations.filter { !applied.contains($0.id) }
            if missing.isEmpty { return }
            if mode != .create, applied.isEmpty {
                throw StoreError(
                    .missing, path: url,
                    message:
                        "no crmgate store in the database at \(url) (run `crmgate sync apply` or an import with it first)"
                )
            }
            if mode == .readOnly {
                throw StoreError(
                    .outdated, path: url,
                    message: "the store was made by an older crmgate (its schema lacks "
                        + missing.map { "'\($0.id)'" }.joined(separator: ", ")
                        + "); this command only reads and does not upgrade it: run a command that writes with this crmgate first"
                )
            }
            try c.transaction {
                // One migrator at a time, whichever worker opened the store first.
                try c.exec("SELECT pg_advisory_xact_lock(7262637267617465)")
                try c.exec(
                    "CREATE TABLE IF NOT EXISTS crmgate_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                let r = try c.exec("SELECT id FROM crmgate_migrations")
                var done: Set<String> = []
                for i in 0..<r.count { if let id = r.text(i, 0) { done.insert(id) } }
                for m in Self.migrations where !done.contains(m.id) {
                    try c.exec(m.sql)
                    try c.exec("INSERT INTO crmgate_migrations (id) VALUES ($1)", [m.id])
                }
            }
        }
    }

    /// The applied migrations (for `status`).
    public func appliedMigrations() throws -> [String] {
        try withConnection { c in
            let r = try c.exec("SELECT id FROM crmgate_migrations ORDER BY applied_at, id")
            return (0..<r.count).compactMap { r.text($0, 0) }
        }
    }

    // MARK: - Records

    /// A stored value as text (nil for empty), as `StoreValues.prepare` lays it out.
    static func text(_ v: FieldValue) -> String? {
        switch v {
        case .empty: return nil
        case .text(let s): return s.isEmpty ? nil : s  // as SQLite binds it: an empty text is NULL
        case .integer(let n): return String(n)
        case .bool(let b): return b ? "1" : "0"
        case .number(let d): return NSDecimalNumber(decimal: d).stringValue
        case .day(let d): return d.description
        case .instant(let d): return d.iso8601UTC
        case .list(let l): return JSONText.array(l)
        }
    }

    /// A stored column's text back in its typed form (integers and booleans are stored as integers).
    static func fieldValue<R: CRMRecord>(_ type: R.Type, _ t: String?, _ kind: FieldKind) -> FieldValue {
        guard let t else { return .empty }
        let raw: FieldValue = (kind == .integer || kind == .bool) ? (Int(t).map { .integer($0) } ?? .empty) : .text(t)
        return StoreValues.typed(raw, kind)
    }

    /// A record from a row laid out as `RecordTable.selectColumns`.
    static func decode<R: CRMRecord>(_ r: PGResult, _ row: Int) -> (record: R, externalID: String?) {
        var rec = R(id: RecordID(r.text(row, 1) ?? "") ?? RecordID.make())
        let fields = R.fields
        for i in 0..<fields.count { fields[i].set(&rec, fieldValue(R.self, r.text(row, 4 + i), fields[i].kind)) }
        let base = 4 + R.fields.count
        rec.custom = JSONText.decodeObject(r.text(row, base))
        if let u = r.text(row, base + 1), let p = ISOStamp.parse(u) { rec.updatedAt = p }
        return (rec, r.text(row, 3))
    }

    private func changedRecords<R: CRMRecord>(_ r: PGResult) -> [ChangedRecord<R>] {
        let n = RecordTable<R>.selectColumns.split(separator: ",").count
        return (0..<r.count).map { i in
            ChangedRecord(
                record: Self.decode(r, i).record, changeSeq: r.int64(i, n) ?? 0, deleted: r.text(i, n + 1) == "t")
        }
    }

    /// Takes `n` change counters; the row lock on the counter serialises writers until commit, so counters become
    /// visible in order (a reader that saw counter k has seen every counter below k).
    func nextSeqs(_ c: PGConnection, _ n: Int) throws -> Int64 {
        let last =
            try c.exec(
                "UPDATE crmgate_meta SET value = value + $1 WHERE key = 'change_seq' RETURNING value", [String(n)]
            ).int64(0, 0) ?? 0
        return last - Int64(n) + 1
    }

    /// Inserts or replaces a record. A sync write (`revive`) also clears a tombstone and stamps now; `save` keeps
    /// the record's own stamp and its deletion, as the SQLite store does.
    func upsert<R: CRMRecord>(_ c: PGConnection, _ r: R, seq: Int64, revive: Bool = true) throws {
        let cols = R.fields.map { RecordTable<R>.column($0.name) }
        let marks = (1...(cols.count + 4)).map { "$\($0)" }.joined(separator: ", ")
        let sql =
            "INSERT INTO \(RecordTable<R>.name) (id, \(cols.joined(separator: ", ")), custom, updated_at, change_seq) VALUES (\(marks)) "
            + "ON CONFLICT (id) DO UPDATE SET " + cols.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            + ", custom = excluded.custom, updated_at = excluded.updated_at, change_seq = excluded.change_seq"
            + (revive ? ", deleted_at = NULL, merged_into = NULL" : "")
        var params: [String?] = [r.id.description]
        params += r.fieldValues().map(Self.text)
        params += [JSONText.object(r.custom), (revive ? Date() : r.updatedAt ?? Date()).iso8601UTC, String(seq)]
        try c.exec(sql, params)
    }
}

extension PostgresStore: SyncStore {
    public var location: String { url }

    public func changed<R: CRMRecord>(_ type: R.Type, afterSeq: Int64, limit: Int) throws -> [ChangedRecord<R>] {
        try withConnection { c in
            changedRecords(
                try c.exec(
                    "SELECT \(RecordTable<R>.selectColumns), change_seq, deleted_at IS NOT NULL FROM \(RecordTable<R>.name) WHERE change_seq > $1 ORDER BY change_seq LIMIT $2",
                    [String(afterSeq), String(limit)]))
        }
    }

    public func recordForSync<R: CRMRecord>(_ type: R.Type, id: String) throws -> ChangedRecord<R>? {
        let rows: [ChangedRecord<R>] = try withConnection { c in
            changedRecords(
                try c.exec(
                    "SELECT \(RecordTable<R>.selectColumns), change_seq, deleted_at IS NOT NULL FROM \(RecordTable<R>.name) WHERE id = $1",
                    [id]))
        }
        return rows.first
    }

    public func forEach<R: CRMRecord>(_ type: R.Type, _ body: (R, _ externalID: String?) throws -> Void) throws {
        // Keyset pages: memory stays bounded on a large table.
        var after: Int64 = 0
        while true {
            let r = try withConnection { c in
                try c.exec(
                    "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE deleted_at IS NULL AND rowid > $1 ORDER BY rowid LIMIT 2000",
                    [String(after)])
            }
            if r.count == 0 { return }
            for i in 0..<r.count {
                let (rec, ext): (R, String?) = Self.decode(r, i)
                try body(rec, ext)
            }
            after = r.int64(r.count - 1, 0) ?? after
        }
    }

    public func save<R: CRMRecord>(_ records: [R]) throws {
        guard !records.isEmpty else { return }
        try transaction { c in
            var seq = try nextSeqs(c, records.count)
            for r in records {
                try upsert(c, r, seq: seq, revive: false)
                seq += 1
            }
        }
    }

    public func tombstone<R: CRMRecord>(_ type: R.Type, ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try transaction { c in
            var seq = try nextSeqs(c, ids.count)
            for id in ids {
                try c.exec(
                    "UPDATE \(RecordTable<R>.name) SET deleted_at = $1, change_seq = $2 WHERE id = $3 AND deleted_at IS NULL",
                    [Date().iso8601UTC, String(seq), id])
                seq += 1
            }
        }
    }

    public func count(_ type: RecordType) throws -> Int {
        try withConnection { c in
            Int(try c.exec("SELECT COUNT(*) FROM \(type.plural) WHERE deleted_at IS NULL").int64(0, 0) ?? 0)
        }
    }

    public func applySync<R: CRMRecord>(
        _ type: R.Type, records: [R], links: [SyncLink], removeLinks: [String], tombstones: [String],
        cursor: (job: String, state: String)?, clearJournal: [String], undo: (run: Int64, entries: [UndoEntry])?,
        remote: String?, setAside: [SetAsideRecord], clearSetAside: [String], clearUpdateJournal: [String]
    ) throws {
        let rt = R.recordType.rawValue
        try transaction { c in
            var seqs: [String: Int64] = [:]
            if !records.isEmpty || !tombstones.isEmpty {
                var seq = try nextSeqs(c, records.count + tombstones.count)
                for r in records {
                    try upsert(c, r, seq: seq)
                    seqs[r.id.description] = seq
                    seq += 1
                }
                for id in tombstones {
                    try c.exec(
                        "UPDATE \(RecordTable<R>.name) SET deleted_at = $1, change_seq = $2 WHERE id = $3",
                        [Date().iso8601UTC, String(seq), id])
                    seqs[id] = seq
                    seq += 1
                }
            }
            for id in removeLinks {
                if let remote {
                    try c.exec(
                        "DELETE FROM sync_links WHERE remote = $1 AND record_type = $2 AND local_id = $3",
                        [remote, rt, id])
                } else {
                    try c.exec("DELETE FROM sync_links WHERE record_type = $1 AND local_id = $2", [rt, id])
                }
            }
            for var l in links {
                if l.syncedSeq < 0 { l.syncedSeq = 0 } else if let s = seqs[l.localID] { l.syncedSeq = s }
                // A remote id belongs to one local record: a link that still holds it for another record is stale.
                try c.exec(
                    "DELETE FROM sync_links WHERE remote = $1 AND record_type = $2 AND remote_id = $3 AND local_id <> $4",
                    [l.remote, l.recordType.rawValue, l.remoteID, l.localID])
                try c.exec(
                    """
                    INSERT INTO sync_links (remote, record_type, local_id, remote_id, etag, version, base, synced_seq,
                        remote_stamp, remote_identity)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (remote, record_type, local_id) DO
                        UPDATE SET
                    remote_id = excluded.remote_id, etag = excluded.etag, version = excluded.version, base =
                        excluded.base,
                    synced_seq = excluded.synced_seq, remote_stamp = excluded.remote_stamp, remote_identity =
                        excluded.remote_identity
                    """,
                    [
                        l.remote, l.recordType.rawValue, l.localID, l.remoteID, l.etag, l.version, l.base,
                        String(l.syncedSeq), l.remoteStamp, l.identity,
                    ])
            }
            // Only this remote's entries: another remote's create of the same record may be in flight.
            for id in clearJournal {
                if let remote {
                    try c.exec(
                        "DELETE FROM sync_journal WHERE remote = $1 AND record_type = $2 AND local_id = $3",
                        [remote, rt, id])
                } else {
                    try c.exec("DELETE FROM sync_journal WHERE record_type = $1 AND local_id = $2", [rt, id])
                }
            }
            if let remote {
                for id in clearUpdateJournal {
                    try c.exec(
                        "DELETE FROM sync_update_journal WHERE remote = $1 AND record_type = $2 AND local_id = $3",
                        [remote, rt, id])
                }
            }
            if let cursor {
                try c.exec(
                    "INSERT INTO sync_cursors (job, record_type, state) VALUES ($1, $2, $3) ON CONFLICT (job, record_type) DO UPDATE SET state = excluded.state",
                    [cursor.job, rt, cursor.state])
            }
            if let undo, !undo.entries.isEmpty {
                var seq =
                    try c.exec("SELECT COALESCE(MAX(seq), 0) FROM run_undo WHERE run_id = $1", [String(undo.run)])
                    .int64(0, 0) ?? 0
                for e in undo.entries {
                    seq += 1
                    try c.exec(
                        "INSERT INTO run_undo (run_id, seq, side, record_type, local_id, remote_id, action, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        [
                            String(undo.run), String(seq), e.side.rawValue, e.recordType.rawValue, e.localID,
                            e.remoteID, e.action.rawValue, e.before, e.after,
                        ])
                }
            }
            for a in setAside {
                try c.exec(
                    """
                    INSERT INTO sync_set_aside (remote, record_type, local_id, change_seq, operation, status, message,
                        first_at, last_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (remote, record_type, local_id) DO UPDATE
                        SET change_seq = excluded.change_seq,
                    operation = excluded.operation, status = excluded.status, message = excluded.message, last_at =
                        excluded.last_at,
                    attempts = sync_set_aside.attempts + 1
                    """,
                    [
                        a.remote, a.recordType.rawValue, a.localID, String(a.changeSeq), a.operation,
                        a.status.map(String.init), a.message, a.firstAt, a.lastAt,
                    ])
            }
            if let remote {
                for id in clearSetAside {
                    try c.exec(
                        "DELETE FROM sync_set_aside WHERE remote = $1 AND record_type = $2 AND local_id = $3",
                        [remote, rt, id])
                }
            }
        }
    }
}
