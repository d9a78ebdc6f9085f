public import CRMModel
import Foundation
import GRDB
import GRDBSQLite

/// The embedded store: one SQLite file holding records, import batches and their row ledger.
///
/// Owns its database connection (a GRDB queue, kept internal). Writes are serialised; WAL mode
/// lets readers see the last committed state while an import runs.
public final class CRMStore: @unchecked Sendable {
    // @unchecked: DatabaseQueue serialises all access itself.
    let queue: DatabaseQueue
    /// The store file.
    public let path: String
    /// SQLite's page cache of a connection (`PRAGMA cache_size`, negative: KiB).
    static let cacheKiB = -65536
    /// The page cache while an export scans a table: each page is read once, and the 64 MB above was half the
    /// export's peak memory (70 MB with two connections).
    static let scanCacheKiB = -4096

    /// How a store is opened.
    public enum OpenMode: Sendable, Equatable {
        /// Create the file when it is missing and migrate it to the current schema: imports, syncs and
        /// commands that make new records.
        case create
        /// The file must exist; migrate it to the current schema: commands that change existing records.
        case update
        /// The file must exist and have the current schema; nothing is created, migrated or written:
        /// exports, lists and views.
        case readOnly
    }

    /// Opens the store at `path`; `.create` (the default) creates a missing file, and `.create` and
    /// `.update` migrate an older store to the current schema.
    /// - Throws: `StoreError.missing` when the mode needs an existing file and there is none (nothing is
    ///   created); `.outdated` when a read-only open finds an older schema (it is not migrated);
    ///   `.cannotOpen` when the file cannot be opened or is not a crmgate store.
    public init(path: String, mode: OpenMode = .create) throws {
        self.path = path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            // SQLite says "disk I/O error" here.
            throw StoreError(
                .cannotOpen, path: path,
                message: "cannot open the store: \(path) is a folder; give the store file's path")
        }
        if mode != .create, !FileManager.default.fileExists(atPath: path) {
            throw StoreError(.missing, path: path, message: "no store at \(path)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) || !isFolder.boolValue {
            // SQLite says "unable to open database file" here.
            throw StoreError(
                .cannotOpen, path: path,
                message: "cannot create the store at \(path): the folder \(folder) does not exist")
        }
        let readOnly = mode == .readOnly
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.readonly = readOnly
        Self.tuneSQLite()
        config.prepareDatabase { db in
            if !readOnly {
                try db.execute(sql: "PRAGMA page_size = 16384")  // takes effect only when the file is new
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            try db.execute(sql: "PRAGMA cache_size = \(CRMStore.cacheKiB)")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            db.add(function: Self.foldCase)
        }
        if readOnly, FileManager.default.fileExists(atPath: path + "-journal") { Self.rollBackHotJournal(path) }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            let migrator = CRMStore.migrator
            // A store at the current schema is not written to, even by a read-write open.
            let (complete, applied) = try queue.read { db in
                try (migrator.hasCompletedMigrations(db), migrator.appliedIdentifiers(db))
            }
            let known = Set(migrator.migrations)
            let unknown = try queue.read { db -> [String] in
                guard try db.tableExists("grdb_migrations") else { return [] }
                return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations").filter {
                    !known.contains($0)
                }
            }
            if !unknown.isEmpty { throw Self.newerStore(path, unknown) }
            if !complete {
                if readOnly {
                    guard !applied.isEmpty else {
                        throw StoreError(
                            .cannotOpen, path: path, message: "cannot open the store: it is not a crmgate store")
                    }
                    let missing = migrator.migrations.filter { !applied.contains($0) }
                    throw StoreError(
                        .outdated, path: path,
                        message: "the store was made by an older crmgate (its schema lacks "
                            + missing.map { "'\($0)'" }.joined(separator: ", ")
                            + "); this command only reads and does not upgrade it: run a command that writes "
                            + "(crmgate import, sync apply) with this crmgate first")
                }
                try migrator.migrate(queue)
            }
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError where e.extendedResultCode == .SQLITE_READONLY_ROLLBACK {
            throw StoreError(
                .cannotOpen, path: path, sqliteCode: e.extendedResultCode.rawValue,
                message: "cannot open the store: an import into it was interrupted and its journal "
                    + "(\(path)-journal) must be rolled back, which needs write access to the store's folder; "
                    + "run a command that writes to the store (such as crmgate import with --dry-run) as a user "
                    + "who may write there")
        } catch let e as DatabaseError {
            throw StoreError(
                .cannotOpen, path: path, sqliteCode: e.extendedResultCode.rawValue,
                message: "cannot open the store: \(e.message ?? "\(e)")")
        } catch {
            throw StoreError(.cannotOpen, path: path, message: "cannot open the store: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: meta, imports, ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    INSERT INTO meta (key, value) VALUES ('change_seq', '0');
                    CREATE TABLE imports (
                        id INTEGER PRIMARY KEY,
                        record_type TEXT NOT NULL,
                        source TEXT NOT NULL,
                        mapping TEXT NOT NULL,
                        started_at TEXT NOT NULL,
                        finished_at TEXT,
                        status TEXT NOT NULL,
                        read INTEGER NOT NULL DEFAULT 0,
                        created INTEGER NOT NULL DEFAULT 0,
                        updated INTEGER NOT NULL DEFAULT 0,
                        unchanged INTEGER NOT NULL DEFAULT 0,
                        merged INTEGER NOT NULL DEFAULT 0,
                        rejected INTEGER NOT NULL DEFAULT 0,
                        error TEXT
                    );
                    CREATE TABLE import_rows (
                        import_id INTEGER NOT NULL,
                        row INTEGER NOT NULL,
                        line INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        record_rowid INTEGER,
                        reason TEXT,
                        PRIMARY KEY (import_id, row)
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v1: record tables") { db in
            try RecordTable<Lead>.ensure(db)
            try RecordTable<Customer>.ensure(db)
            try RecordTable<Opportunity>.ensure(db)
            try RecordTable<CRMTask>.ensure(db)
        }
        registerSyncMigrations(&m)
        registerReviewMigrations(&m)
        registerReportMigrations(&m)
        return m
    }

    /// `crm_fold_case(x)`: text lower-cased in every script (Swift's `lowercased()`), for `--where` filters; NULL and
    /// numbers as they are.
    static let foldCase = DatabaseFunction("crm_fold_case", argumentCount: 1, pure: true) { values in
        guard let text = String.fromDatabaseValue(values[0]) else { return values[0] }
        return text.lowercased()
    }

    /// Runs `body` with an import writer inside one transaction; commits unless `dryRun` or `body` throws.
    ///
    /// The batch is recorded in `imports` with its counts. When `body` throws, nothing it wrote
    /// stays: the batch is recorded as failed (with the error) and the error is rethrown.
    /// - Returns: the import batch id and what `body` returned.
    ///
    /// An import into an empty store (no records, no sync links) that no other connection has open writes each page
    /// once: the store leaves WAL mode for a rollback journal while the import runs and returns to it after. In WAL
    /// mode every page is written twice, into the log and at the checkpoint into the file; the 1M-lead import wrote
    /// 832 MB for a 415 MB store. A rollback journal keeps only the pages that existed before (an empty store's few),
    /// so the import is as atomic and crash-safe as before. A store with records stays in WAL mode, so that readers
    /// (the web page, lists) never wait for an import; with another connection open SQLite refuses the switch, and
    /// the import runs in WAL mode.
    public func runImport<R: CRMRecord, T>(
        _ type: R.Type, source: String, mapping: String, system: String?, dryRun: Bool,
        _ body: (ImportWriter<R>) throws -> (ImportCounts, T)
    ) throws -> (batch: Int64, result: T) {
        let started = Date().iso8601UTC
        var output: (Int64, T)?
        let journaled = try? leaveWALIfEmpty()
        defer {
            if journaled == true {
                try? queue.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                    _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                }
            }
        }
        do {
            try queue.inTransaction(.immediate) { db in
                try db.execute(
                    sql:
                        "INSERT INTO imports (record_type, source, mapping, started_at, status) VALUES (?, ?, ?, ?, 'running')",
                    arguments: [R.recordType.plural, source, mapping, started])
                let batch = db.lastInsertedRowID
                // Into an empty store the indexes of external ids and of change numbers are built once at the end,
                // from the rows sorted, not kept up row by row: ids in the order of the file land all over the first
                // (`1`, `10`, `100` …), and every merge moves a record's entry in the second. Nothing reads them
                // during the import (match keys are in memory), and the transaction restores them on any failure.
                // 200k XML leads with ids: about 0.9 s of CPU less on the writing thread for the first. 1M generated
                // leads, three alternated runs each, for the second: the rows' loop 0.4 s shorter, the index's build
                // at the end 0.35 s; 4.47–4.57 s against 4.63–4.93 s in all.
                let rebuildIndexes = journaled == true && !dryRun
                if rebuildIndexes {
                    try db.execute(sql: "DROP INDEX IF EXISTS \(RecordTable<R>.name)_ext")
                }
                let writer = try ImportWriter<R>(db: db, batch: batch, system: system, path: path)
                let (counts, value) = try body(writer)
                try writer.finish()
                if rebuildIndexes {
                    try db.execute(sql: RecordTable<R>.extIndexSQL)
                }
                try db.execute(
                    sql: """
                        UPDATE imports SET finished_at = ?, status = ?, read = ?, created = ?, updated = ?, unchanged =
                            ?,
                        merged = ?, rejected = ? WHERE id = ?
                        """,
                    arguments: [
                        Date().iso8601UTC, dryRun ? "dry-run" : "committed", counts.read, counts.created,
                        counts.updated,
                        counts.unchanged, counts.merged, counts.rejected, batch,
                    ])
                output = (batch, value)
                return dryRun ? .rollback : .commit
            }
        } catch {
            // A dry run is not in the history, failed or not.
            if !dryRun {
                try? recordFailedImport(
                    recordType: R.recordType.plural, source: source, mapping: mapping, startedAt: started,
                    error: "\(error)")
            }
            if let e = error as? DatabaseError {
                throw StoreError(
                    .sqlite, path: path, sqliteCode: e.extendedResultCode.rawValue, message: e.message ?? "\(e)")
            }
            throw error
        }
        return output!
    }

    /// Records an import that failed, with its error, in the import history (`imports list`): one that stopped
    /// before its first row (a binary file, a mapping that does not fit) or whose transaction was rolled back.
    public func recordFailedImport(
        recordType: String, source: String, mapping: String, startedAt: String, error: String
    ) throws {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO imports (record_type, source, mapping, started_at, finished_at, status, error)
                        VALUES (?, ?, ?, ?, ?, 'failed', ?)
                        """,
                    arguments: [recordType, source, mapping, startedAt, Date().iso8601UTC, error])
            }
        }
    }

    /// The number of records of a type (tombstones excluded).
    public func count(_ type: RecordType) throws -> Int {
        try wrap {
            try queue.read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(type.plural) WHERE deleted_at IS NULL") ?? 0
            }
        }
    }

    /// Calls `body` with every record of a type in id order, streaming (one record in memory at a time).
    public func forEach<R: CRMRecord>(_ type: R.Type, _ body: (R, _ externalID: String?) throws -> Void) throws {
        try wrap {
            try queue.read { db in
                let stmt = try db.makeStatement(
                    sql:
                        "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE deleted_at IS NULL ORDER BY rowid"
                )
                let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
                let kinds = R.fields.map(\.kind)
                while try raw.step(path: path) {
                    let (_, r, ext) = RecordTable<R>.decode(raw, kinds: kinds)
                    try body(r, ext)
                }
            }
        }
    }

    /// Calls `body` with every record of a type matching `query`, streaming, in id order.
    /// - Throws: `StoreError.notFound` for a field the record type does not have.
    public func forEach<R: CRMRecord>(
        _ type: R.Type, where query: RecordQuery, _ body: (R, _ externalID: String?) throws -> Void
    )
        throws
    {
        let (clauses, args) = try whereClause(R.self, query)
        let sql =
            "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE " + clauses + " ORDER BY rowid"
        try wrap {
            try queue.read { db in
                let stmt = try db.makeStatement(sql: sql)
                let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
                for (i, a) in args.enumerated() { raw.bind(Int32(i + 1), a) }
                let kinds = R.fields.map(\.kind)
                while try raw.step(path: path) {
                    let (_, r, ext) = RecordTable<R>.decode(raw, kinds: kinds)
                    try body(r, ext)
                }
            }
        }
    }

    /// Calls `body` with the stored text of some columns of every record matching `query`, streaming,
    /// without decoding records: the fast path for exports. Columns are field names, `id`, `updated_at`
    /// or `custom.<name>`; values are in their stored form (ISO dates, `.` decimals, lists as JSON arrays).
    /// - Throws: `StoreError.notFound` for a column the record type does not have.
    public func forEachRow<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, _ body: (StoredRow) throws -> Void
    )
        throws
    {
        let (sql, args) = try rowSQL(R.self, columns: columns, where: query)
        try wrap {
            try queue.read { db in
                try db.execute(sql: "PRAGMA cache_size = \(CRMStore.scanCacheKiB)")
                defer { try? db.execute(sql: "PRAGMA cache_size = \(CRMStore.cacheKiB)") }
                let stmt = try db.makeStatement(sql: sql)
                let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
                for (i, a) in args.enumerated() { raw.bind(Int32(i + 1), a) }
                let row = StoredRow(raw: raw)
                while try raw.step(path: path) { try body(row) }
            }
        }
    }

    /// The query of `forEachRow` and the filter's parameters, with `extra` (a condition whose own parameters come after
    /// the filter's) when given.
    func rowSQL<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, extra: String? = nil
    )
        throws -> (sql: String, args: [String])
    {
        let exprs = try columns.map { c -> String in
            if let meta = RecordTable<R>.metaColumn(c) { return meta }
            if c.hasPrefix("custom.") {
                let key = String(c.dropFirst(7)).replacingOccurrences(of: "'", with: "''").replacingOccurrences(
                    of: "\"", with: "\\\"")
                return "json_extract(custom, '$.\"\(key)\"')"
            }
            guard R.fieldIndex(named: c) != nil else {
                throw StoreError(.notFound, path: path, message: "\(R.recordType.plural) have no field '\(c)'")
            }
            return RecordTable<R>.column(c)
        }
        let (clauses, args) = try whereClause(R.self, query)
        let condition = extra.map { "(" + clauses + ") AND " + $0 } ?? clauses
        return (
            "SELECT \(exprs.joined(separator: ", ")) FROM \(RecordTable<R>.name) WHERE " + condition
                + " ORDER BY rowid",
            args
        )
    }

    /// The distinct non-empty values a text field holds across a type's records (tombstones excluded), sorted;
    /// for checking a filter value (`export --stage`) against what the store has.
    /// - Throws: `StoreError.notFound` for a field the record type does not have.
    public func distinctValues<R: CRMRecord>(_ type: R.Type, field: String) throws -> [String] {
        guard R.fieldIndex(named: field) != nil else {
            throw StoreError(.notFound, path: path, message: "\(R.recordType.plural) have no field '\(field)'")
        }
        let column = RecordTable<R>.column(field)
        let sql = """
            SELECT DISTINCT \(column) FROM \(RecordTable<R>.name)
            WHERE deleted_at IS NULL AND \(column) IS NOT NULL AND \(column) <> '' ORDER BY 1
            """
        return try wrap { try queue.read { try String.fetchAll($0, sql: sql) } }
    }

    /// Opportunities summed by stage and currency over `query` (count, total amount, probability-weighted amount).
    public func pipelineTotals(
        where query: RecordQuery
    ) throws -> [(stage: String, currency: String, count: Int, total: Double, weighted: Double)] {
        let (clauses, args) = try whereClause(Opportunity.self, query)
        let sql = """
            SELECT COALESCE(stage, ''), UPPER(COALESCE(currency, '')), COUNT(*), TOTAL(CAST(amount AS REAL)),
                   TOTAL(CAST(amount AS REAL) * COALESCE(probability, 0) / 100.0)
            FROM opportunities WHERE \(clauses) GROUP BY 1, 2
            """
        return try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map {
                    ($0[0], $0[1], $0[2], $0[3], $0[4])
                }
            }
        }
    }

    func whereClause<R: CRMRecord>(_ type: R.Type, _ query: RecordQuery) throws -> (String, [String]) {
        var clauses = ["deleted_at IS NULL"]
        var args: [String] = []
        func column(_ field: String) throws -> String {
            if let meta = RecordTable<R>.metaColumn(field) { return meta }
            if let key = RecordQuery.customKey(field) {
                // A custom field's value out of the JSON object (any key, as a bound parameter).
                args.append(key)
                return "(SELECT value FROM json_each(custom) WHERE key = ?)"
            }
            guard R.fieldIndex(named: field) != nil else {
                throw StoreError(.notFound, path: path, message: "\(R.recordType.plural) have no field '\(field)'")
            }
            return RecordTable<R>.column(field)
        }
        for (f, values) in query.anyOf where !values.isEmpty {
            if f == "id" {
                // Ids are lower-case hex: compared as they are stored, the id's index finds them.
                clauses.append("id IN (" + values.map { _ in "?" }.joined(separator: ", ") + ")")
                args += values.map { $0.lowercased() }
                continue
            }
            // Text in any script (SQLite's NOCASE folds ASCII only: a trial's `last_name=иванов` found no Иванов);
            // numbers and yes/no as before, compared with the column's affinity.
            let numeric = R.fieldIndex(named: f).map { [.integer, .bool].contains(R.fields[$0].kind) } ?? false
            clauses.append(
                numeric
                    ? "\(try column(f)) COLLATE NOCASE IN (" + values.map { _ in "?" }.joined(separator: ", ") + ")"
                    : "crm_fold_case(\(try column(f))) IN ("
                        + values.map { _ in "crm_fold_case(?)" }.joined(separator: ", ") + ")")
            args += values.map { RecordQuery.storedForm(R.self, field: f, $0) }
        }
        for r in query.ranges {
            // The column once per clause: a custom field's brings its key as a parameter of its own.
            if let from = r.from {
                clauses.append("\(try column(r.field)) >= ?")
                args.append(from)
            }
            if let to = r.to {
                clauses.append("\(try column(r.field)) <= ?")
                args.append(to)
            }
        }
        return (clauses.joined(separator: " AND "), args)
    }

    /// The record with this id, which may be given as the full id, a unique prefix of it, a unique suffix of it
    /// such as the short id lists print (`RecordID.short`), or a unique start of that short id: at least 8
    /// characters, any case.
    /// - Throws: `StoreError.invalidID` for text that cannot be (part of) an id; `.notFound` when no
    ///   record matches; `.ambiguous`, listing the candidates, when more than one does.
    /// The lookup key for a typed id (full, prefix or suffix): trimmed, lower case, 8 to 36 characters of an id.
    /// - Throws: `StoreError.invalidID` for text that cannot be (part of) an id.
    static func idKey(_ id: String, path: String?) throws -> String {
        guard let key = RecordID.typedKey(id) else {
            throw StoreError(
                .invalidID, path: path,
                message: "'\(id)' is not a record id: give the full id, the short id a list prints "
                    + "(its last 12 characters) or its start, or at least 8 characters of either end")
        }
        return key
    }

    public func record<R: CRMRecord>(_ type: R.Type, id: String) throws -> R {
        let key = try Self.idKey(id, path: path)
        let name = R.recordType.rawValue
        let table = RecordTable<R>.name
        return try wrap {
            try queue.read { db in
                // The full id, a prefix of it (the index serves the range), a suffix, or the start of the short id
                // (the last 12 characters), which is what a user types after reading a list.
                let matches: [String]
                if key.utf8.count == 36 {
                    matches = try String.fetchAll(
                        db, sql: "SELECT id FROM \(table) WHERE id = ? AND deleted_at IS NULL", arguments: [key])
                } else {
                    matches = try String.fetchAll(
                        db,
                        sql:
                            "SELECT id FROM \(table) WHERE ((id >= ? AND id < ?) OR substr(id, -\(key.utf8.count)) = ?"
                            + " OR substr(id, 25, \(key.utf8.count)) = ?) AND deleted_at IS NULL ORDER BY id LIMIT 6",
                        arguments: [key, key + "~", key, key])
                }
                guard let only = matches.first else {
                    throw StoreError(.notFound, path: path, message: "no \(name) has the id \(id)")
                }
                guard matches.count == 1 else {
                    let how = matches.count == 6 ? "more than 5" : "\(matches.count)"
                    throw StoreError(
                        .ambiguous, path: path,
                        message: "'\(id)' matches \(how) \(R.recordType.plural): "
                            + matches.prefix(5).map { "\(RecordID.short($0)) (\($0))" }.joined(separator: ", ")
                            + "; give the full id of one, or more of its start or end")
                }
                let sql = "SELECT \(RecordTable<R>.selectColumns) FROM \(table) WHERE id = ?"
                let stmt = try db.makeStatement(sql: sql)
                let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: sql)
                raw.bind(1, only)
                guard try raw.step(path: path) else {
                    throw StoreError(.notFound, path: path, message: "no \(name) has the id \(id)")
                }
                let found = RecordTable<R>.decode(raw).record
                raw.reset()
                return found
            }
        }
    }

    /// Writes records in one transaction: an existing id is updated, a new one inserted. Each gets a
    /// new change counter value (so that sync pushes it) and `updated_at`.
    public func save<R: CRMRecord>(_ records: [R]) throws {
        guard !records.isEmpty else { return }
        try saveTogether { db, seq in try self.write(records, db, &seq) }
    }

    /// Saves a lead's conversion in one transaction: the new customers, the leads that now point to them and any new
    /// opportunities. A crash leaves either all of it or none (a customer whose lead does not know it, converted
    /// again by a rerun, cannot happen).
    public func saveConversion(customers: [Customer], leads: [Lead], opportunities: [Opportunity]) throws {
        try saveTogether { db, seq in
            try self.write(customers, db, &seq)
            try self.write(leads, db, &seq)
            try self.write(opportunities, db, &seq)
        }
    }

    /// Saves an edit unless the record's change counter moved since `expected` (checked and written under the write
    /// lock).
    public func saveEdit<R: CRMRecord>(_ record: R, ifUnchangedSince expected: Int64) throws -> Bool {
        var saved = false
        try saveTogether { db, seq in
            let now = try Int64.fetchOne(
                db, sql: "SELECT change_seq FROM \(RecordTable<R>.name) WHERE id = ?",
                arguments: [record.id.description])
            guard now == expected else { return }
            try self.write([record], db, &seq)
            saved = true
        }
        return saved
    }

    /// One write transaction with the change counter read at its start and stored at its end.
    private func saveTogether(_ body: (Database, inout Int64) throws -> Void) throws {
        try wrap {
            try queue.inTransaction(.immediate) { db in
                var seq =
                    Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_seq'") ?? "0") ?? 0
                try body(db, &seq)
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'change_seq'", arguments: [String(seq)])
                return .commit
            }
        }
    }

    /// Inserts or updates records inside a transaction, each with the next change counter.
    private func write<R: CRMRecord>(_ records: [R], _ db: Database, _ seq: inout Int64) throws {
        guard !records.isEmpty else { return }
        let cols = R.fields.map { RecordTable<R>.column($0.name) }
        let update = try db.makeStatement(
            sql: "UPDATE \(RecordTable<R>.name) SET " + cols.map { "\($0) = ?" }.joined(separator: ", ")
                + ", custom = ?, updated_at = ?, change_seq = ? WHERE id = ?")
        let insert = try db.makeStatement(
            sql:
                "INSERT INTO \(RecordTable<R>.name) (id, \(cols.joined(separator: ", ")), custom, updated_at, change_seq) VALUES ("
                + Array(repeating: "?", count: cols.count + 4).joined(separator: ", ") + ")")
        let conn = db.sqliteConnection!
        let u = RawStatement(handle: update.sqliteStatement, db: conn, sql: update.sql)
        let ins = RawStatement(handle: insert.sqliteStatement, db: conn, sql: insert.sql)
        for r in records {
            seq += 1
            let values = StoreValues.prepare(r.fieldValues())
            let stamp = (r.updatedAt ?? Date()).iso8601UTC
            u.reset()
            var c: Int32 = 1
            for v in values {
                u.bind(c, v)
                c += 1
            }
            u.bind(c, JSONText.object(r.custom))
            u.bind(c + 1, stamp)
            u.bind(c + 2, seq)
            u.bind(c + 3, r.id.description)
            try u.run(path: path)
            if db.changesCount == 0 {
                ins.reset()
                ins.bind(1, r.id.description)
                var k: Int32 = 2
                for v in values {
                    ins.bind(k, v)
                    k += 1
                }
                ins.bind(k, JSONText.object(r.custom))
                ins.bind(k + 1, stamp)
                ins.bind(k + 2, seq)
                try ins.run(path: path)
            }
        }
        u.reset()
        ins.reset()
    }

    /// Every record of a type (for small stores and tests; exports use `forEach`).
    public func all<R: CRMRecord>(_ type: R.Type) throws -> [R] {
        var out: [R] = []
        try forEach(type) { r, _ in out.append(r) }
        return out
    }

    /// The error for a store whose schema has steps this crmgate does not know (`unknown`, their names).
    static func newerStore(_ location: String, _ unknown: [String]) -> StoreError {
        StoreError(
            .newer, path: location,
            message: "the store was made by a newer crmgate (its schema has "
                + unknown.sorted().map { "'\($0)'" }.joined(separator: ", ")
                + ", which this one does not know and would misread); use that crmgate or a newer one")
    }

    /// SQLite's own consistency check: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try wrap { try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" } }
    }

    /// Runs a read-only SQL query returning one integer (for tests and diagnostics).
    public func scalar(_ sql: String) throws -> Int64? {
        try wrap { try queue.read { try Int64.fetchOne($0, sql: sql) } }
    }

    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError {
            throw StoreError(
                .sqlite, path: path, sqliteCode: e.extendedResultCode.rawValue, message: e.message ?? "\(e)")
        }
    }
}
