public import CRMModel
import Foundation

/// Writes one import into PostgreSQL inside the import's transaction: new records and ledger rows are buffered and
/// sent through `COPY … FROM STDIN` in blocks (a buffered record can still be read and changed); changes to stored
/// records are UPDATEs between blocks. The record table is locked against other writers for the import (readers go
/// on), as the SQLite import holds the write lock: row ids and change counters are assigned here.
///
/// A connection lost in the middle of a COPY aborts the transaction: the server keeps nothing of the import.
public final class PGImportWriter<R: CRMRecord>: ImportSink {
    public typealias Record = R
    public let batch: Int64
    let system: String?
    private let c: PGConnection
    private var changeSeq: Int64
    private var nextRowID: Int64
    private let stamp = Date().iso8601UTC
    /// Records waiting for the next COPY block; their row ids are consecutive from `pendingBase`.
    private var pending:
        [(
            rowid: Int64, id: String, values: [FieldValue], custom: String?, externalID: String?, rowHash: Int64?,
            seq: Int64
        )] = []
    private var pendingBase: Int64 = 0
    private var ledgerBuffer: [(row: Int, line: Int, outcome: RowOutcome, record: Int64?, reason: String?)] = []
    /// Stored records read ahead (`preload`) for the rows about to be matched.
    private var cache: [Int64: (record: R, externalID: String?)] = [:]
    /// Changes to stored records, written in bulk at the next block (COPY into a temporary table, one UPDATE).
    private var updates: [Int64: (record: R, externalID: String?, addedExternalID: String?, seq: Int64)] = [:]
    private var updateTableMade = false
    /// Rows per COPY block.
    static var block: Int { 5000 }

    init(connection: PGConnection, batch: Int64, system: String?) throws {
        c = connection
        self.batch = batch
        self.system = system
        // The counter row first, then the table: the order sync writes take them in (the other order can deadlock).
        changeSeq = try c.exec("SELECT value FROM crmgate_meta WHERE key = 'change_seq' FOR UPDATE").int64(0, 0) ?? 0
        try c.exec("LOCK TABLE \(RecordTable<R>.name) IN EXCLUSIVE MODE")
        nextRowID = (try c.exec("SELECT COALESCE(MAX(rowid), 0) FROM \(RecordTable<R>.name)").int64(0, 0) ?? 0) + 1
        pending.reserveCapacity(Self.block)
    }

    public func scan(
        fields: [String],
        _ body: (Int64, R, _ externalID: String?, _ rowHash: Int64?, _ mergedInto: Int64?) throws -> Void
    ) throws {
        let wanted = R.fields.filter { fields.contains($0.name) }
        // The record id too when a key is made of it (`id`); otherwise a placeholder.
        let withID = fields.contains("id")
        let cols =
            (["rowid", "ext_id", "ext_system", "row_hash", withID ? "id" : "NULL", RecordTable<R>.mergedIntoColumn]
            + wanted.map { RecordTable<R>.column($0.name) }).joined(separator: ", ")
        // A cursor: the table is read in pages, never whole into memory.
        try c.exec(
            "DECLARE crmgate_scan NO SCROLL CURSOR FOR SELECT \(cols) FROM \(RecordTable<R>.name)"
                + " WHERE deleted_at IS NULL OR merged_into IS NOT NULL"
        )
        defer { _ = try? c.exec("CLOSE crmgate_scan") }
        while true {
            let r = try c.exec("FETCH 10000 FROM crmgate_scan")
            if r.count == 0 { break }
            for i in 0..<r.count {
                var rec = R(
                    id: r.text(i, 4).flatMap { RecordID($0) } ?? RecordID.make(at: Date(timeIntervalSince1970: 0)))
                for k in 0..<wanted.count {
                    wanted[k].set(&rec, PostgresStore.fieldValue(R.self, r.text(i, 6 + k), wanted[k].kind))
                }
                let ext = r.text(i, 2) == system ? r.text(i, 1) : nil
                try body(r.int64(i, 0) ?? 0, rec, ext, r.int64(i, 3), r.int64(i, 5))
            }
        }
    }

    public func load(_ rowid: Int64) throws -> (record: R, externalID: String?)? {
        let i = Int(rowid - pendingBase)
        if i >= 0, i < pending.count {
            let p = pending[i]
            let values = zip(R.fields, p.values).map { f, v in StoreValues.typed(v, f.kind) }
            return (
                R(id: RecordID(p.id) ?? RecordID.make(), fieldValues: values, custom: JSONText.decodeObject(p.custom)),
                p.externalID
            )
        }
        if let u = updates[rowid] { return (u.record, u.externalID) }
        if let hit = cache[rowid] { return hit }
        let r = try c.exec(
            "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE rowid = $1", [String(rowid)])
        guard r.count > 0 else { return nil }
        let hit: (record: R, externalID: String?) = PostgresStore.decode(r, 0)
        cache[rowid] = hit  // `update` keeps the stored external id it finds here
        return hit
    }

    /// PostgreSQL is across a connection: stored records are read ahead, a batch at a time.
    public var wantsPreload: Bool { true }

    public func preload(_ rowids: [Int64]) throws {
        let wanted = Array(
            Set(
                rowids.filter { id in
                    let i = Int(id - pendingBase)
                    return !(i >= 0 && i < pending.count) && updates[id] == nil && cache[id] == nil
                }))
        if cache.count > 50_000 { cache.removeAll(keepingCapacity: true) }
        guard !wanted.isEmpty else { return }
        let r = try c.exec(
            "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE rowid = ANY($1::bigint[])",
            ["{" + wanted.map(String.init).joined(separator: ",") + "}"])
        for i in 0..<r.count {
            let (rec, ext): (R, String?) = PostgresStore.decode(r, i)
            cache[r.int64(i, 0) ?? 0] = (rec, ext)
        }
    }

    public func insert(laid rows: LaidRows, row: Int, externalID: String?, rowHash: Int64?) throws -> Int64 {
        let rowid = nextRowID
        nextRowID += 1
        changeSeq += 1
        if pending.isEmpty { pendingBase = rowid }
        pending.append(
            (rowid, rows.idText(row), rows.prepared(row), rows.customJSON(row), externalID, rowHash, changeSeq))
        if pending.count >= Self.block { try flushRecords() }
        return rowid
    }

    public func update(_ rowid: Int64, _ r: R, externalID: String?) throws {
        let i = Int(rowid - pendingBase)
        if i >= 0, i < pending.count {
            pending[i].values = StoreValues.prepare(r.fieldValues())
            pending[i].custom = StoreValues.customJSON(r.custom)
            if pending[i].externalID == nil { pending[i].externalID = externalID }
            return
        }
        changeSeq += 1
        let before = updates[rowid]?.externalID ?? cache[rowid]?.externalID
        let added = updates[rowid]?.addedExternalID ?? externalID
        updates[rowid] = (r, before ?? externalID, added, changeSeq)
        cache[rowid] = nil
        if updates.count >= Self.block { try flushUpdates() }
    }

    /// Writes the changes to stored records: COPY into a temporary table, then one UPDATE … FROM.
    private func flushUpdates() throws {
        guard !updates.isEmpty else { return }
        let table = RecordTable<R>.name
        if !updateTableMade {
            try c.exec("CREATE TEMP TABLE crmgate_updates ON COMMIT DROP AS SELECT * FROM \(table) WITH NO DATA")
            updateTableMade = true
        }
        let cols = "rowid, ext_id, ext_system, \(RecordTable<R>.fieldColumns), custom, updated_at, change_seq"
        let system = self.system
        let stamp = self.stamp
        try c.copy("COPY crmgate_updates (\(cols)) FROM STDIN") { copy in
            var row: [String?] = []
            for (rowid, u) in updates {
                row.removeAll(keepingCapacity: true)
                row.append(String(rowid))
                row.append(u.addedExternalID)
                row.append(u.addedExternalID == nil ? nil : system)
                for v in u.record.fieldValues() { row.append(PostgresStore.text(v)) }
                row.append(JSONText.object(u.record.custom))
                row.append(stamp)
                row.append(String(u.seq))
                try copy.row(row)
            }
        }
        let sets = R.fields.map { "\(RecordTable<R>.column($0.name)) = u.\(RecordTable<R>.column($0.name))" }.joined(
            separator: ", ")
        try c.exec(
            "UPDATE \(table) t SET ext_id = COALESCE(t.ext_id, u.ext_id), ext_system = COALESCE(t.ext_system, u.ext_system), \(sets), "
                + "custom = u.custom, updated_at = u.updated_at, change_seq = u.change_seq FROM crmgate_updates u WHERE t.rowid = u.rowid"
        )
        try c.exec("TRUNCATE crmgate_updates")
        updates.removeAll(keepingCapacity: true)
    }

    public func ledger(row: Int, line: Int, outcome: RowOutcome, record: Int64?, reason: String?) throws {
        ledgerBuffer.append((row, line, outcome, record, reason))
        if ledgerBuffer.count >= Self.block { try flushLedger() }
    }

    private func flushRecords() throws {
        guard !pending.isEmpty else { return }
        let cols =
            "rowid, id, ext_system, ext_id, \(RecordTable<R>.fieldColumns), custom, updated_at, change_seq, import_batch, row_hash"
        let system = self.system
        let stamp = self.stamp
        try c.copy("COPY \(RecordTable<R>.name) (\(cols)) FROM STDIN") { copy in
            let batch = Int64(self.batch)
            for p in pending {
                copy.int(p.rowid)
                try copy.text(p.id)
                try copy.text(p.externalID == nil ? nil : system)
                try copy.text(p.externalID)
                for v in p.values { try copy.value(v) }
                try copy.text(p.custom)
                try copy.text(stamp)
                copy.int(p.seq)
                copy.int(batch)
                copy.int(p.rowHash)
                try copy.endRow()
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func flushLedger() throws {
        guard !ledgerBuffer.isEmpty else { return }
        try c.copy("COPY import_rows (import_id, row, line, outcome, record_rowid, reason) FROM STDIN") { copy in
            let batch = Int64(self.batch)
            for l in ledgerBuffer {
                copy.int(batch)
                copy.int(Int64(l.row))
                copy.int(Int64(l.line))
                try copy.text(l.outcome.rawValue)
                copy.int(l.record)
                try copy.text(l.reason)
                try copy.endRow()
            }
        }
        ledgerBuffer.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        try flushRecords()
        try flushUpdates()
        try flushLedger()
        try c.exec("UPDATE crmgate_meta SET value = $1 WHERE key = 'change_seq'", [String(changeSeq)])
        // The table's own sequence moves past the row ids given here (sync writes take theirs from it).
        try c.exec(
            "SELECT setval(pg_get_serial_sequence('\(RecordTable<R>.name)', 'rowid'), GREATEST($1::bigint, 1))",
            [String(nextRowID - 1)])
    }
}

extension PostgresStore {
    /// Runs `body` with an import writer inside one transaction; commits unless `dryRun` or `body` throws (as
    /// `CRMStore.runImport`). A failed import is recorded as failed, with the error, and the error rethrown.
    public func runImport<R: CRMRecord, T>(
        _ type: R.Type, source: String, mapping: String, system: String?, dryRun: Bool,
        _ body: (PGImportWriter<R>) throws -> (ImportCounts, T)
    ) throws -> (batch: Int64, result: T) {
        let started = Date().iso8601UTC
        do {
            return try withConnection { c in
                try c.exec("BEGIN")
                do {
                    // A dry run takes no number from the sequence (a sequence does not roll back: a trial's dry runs left
                    // gaps in `imports list`); its rolled-back row has one of its own, below every real one.
                    let batch =
                        try c.exec(
                            dryRun
                                ? "INSERT INTO imports (id, record_type, source, mapping, started_at, status) VALUES (-pg_backend_pid(), $1, $2, $3, $4, 'running') RETURNING id"
                                : "INSERT INTO imports (record_type, source, mapping, started_at, status) VALUES ($1, $2, $3, $4, 'running') RETURNING id",
                            [R.recordType.plural, source, mapping, started]
                        ).int64(0, 0) ?? 0
                    let writer = try PGImportWriter<R>(connection: c, batch: batch, system: system)
                    let (counts, value) = try body(writer)
                    try writer.finish()
                    try c.exec(
                        """
                        UPDATE imports SET finished_at = $1, status = $2, read = $3, created = $4, updated = $5,
                            unchanged = $6, merged = $7,
                        rejected = $8 WHERE id = $9
                        """,
                        [
                            Date().iso8601UTC, dryRun ? "dry-run" : "committed", String(counts.read),
                            String(counts.created), String(counts.updated),
                            String(counts.unchanged), String(counts.merged), String(counts.rejected), String(batch),
                        ])
                    try c.exec(dryRun ? "ROLLBACK" : "COMMIT")
                    return (batch, value)
                } catch {
                    if c.isOK { _ = try? c.exec("ROLLBACK") }
                    throw error
                }
            }
        } catch {
            if !dryRun {  // a dry run is not in the history, failed or not
                try? recordFailedImport(
                    recordType: R.recordType.plural, source: source, mapping: mapping, startedAt: started,
                    error: "\(error)")
            }
            throw error
        }
    }

    /// Records an import that failed, with its error, in the import history (as `CRMStore.recordFailedImport`).
    public func recordFailedImport(
        recordType: String, source: String, mapping: String, startedAt: String, error: String
    ) throws {
        _ = try withConnection { c in
            try c.exec(
                "INSERT INTO imports (record_type, source, mapping, started_at, finished_at, status, error) VALUES ($1, $2, $3, $4, $5, 'failed', $6)",
                [recordType, source, mapping, startedAt, Date().iso8601UTC, error])
        }
    }

    /// The imports, newest first (the same shape as `CRMStore.imports()`).
    public func importCount(status: String) throws -> Int {
        try withConnection { c in
            Int(try c.exec("SELECT COUNT(*) FROM imports WHERE status = $1", [status]).int64(0, 0) ?? 0)
        }
    }
}
