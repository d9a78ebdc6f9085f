public import CRMModel
import Foundation

extension PostgresStore: RecordStore {
    /// The database's size on disk, in bytes.
    public func databaseSize() throws -> Int64 {
        try withConnection { c in try c.exec("SELECT pg_database_size(current_database())").int64(0, 0) ?? 0 }
    }

    public func record<R: CRMRecord>(_ type: R.Type, id: String) throws -> R {
        let key = try CRMStore.idKey(id, path: url)
        let table = RecordTable<R>.name
        let r = try withConnection { c in
            try c.exec(
                "SELECT \(RecordTable<R>.selectColumns) FROM \(table) WHERE deleted_at IS NULL AND "
                    + (key.utf8.count == 36
                        ? "id = $1" : "(id LIKE $1 || '%' OR id LIKE '%' || $1 OR substr(id, 25, length($1)) = $1)")
                    + " ORDER BY id LIMIT 6",
                [key])
        }
        guard r.count > 0 else {
            throw StoreError(.notFound, path: url, message: "no \(R.recordType.rawValue) has the id \(id)")
        }
        guard r.count == 1 else {
            let ids = (0..<r.count).compactMap { r.text($0, 1) }
            let how = r.count == 6 ? "more than 5" : "\(r.count)"
            throw StoreError(
                .ambiguous, path: url,
                message: "'\(id)' matches \(how) \(R.recordType.plural): "
                    + ids.prefix(5).map { "\(RecordID.short($0)) (\($0))" }.joined(separator: ", ")
                    + "; give the full id of one, or more of its start or end")
        }
        let (rec, _): (R, String?) = Self.decode(r, 0)
        return rec
    }

    public func saveConversion(customers: [Customer], leads: [Lead], opportunities: [Opportunity]) throws {
        try transaction { c in
            var seq = try nextSeqs(c, customers.count + leads.count + opportunities.count)
            for r in customers {
                try upsert(c, r, seq: seq, revive: false)
                seq += 1
            }
            for r in leads {
                try upsert(c, r, seq: seq, revive: false)
                seq += 1
            }
            for r in opportunities {
                try upsert(c, r, seq: seq, revive: false)
                seq += 1
            }
        }
    }

    public func imports() throws -> [ImportBatch] {
        try withConnection { c in
            let r = try c.exec("SELECT * FROM imports ORDER BY id DESC")
            return (0..<r.count).map { i in
                var counts = ImportCounts()
                counts.read = Int(r.text(i, "read") ?? "0") ?? 0
                counts.created = Int(r.text(i, "created") ?? "0") ?? 0
                counts.updated = Int(r.text(i, "updated") ?? "0") ?? 0
                counts.unchanged = Int(r.text(i, "unchanged") ?? "0") ?? 0
                counts.merged = Int(r.text(i, "merged") ?? "0") ?? 0
                counts.rejected = Int(r.text(i, "rejected") ?? "0") ?? 0
                return ImportBatch(
                    id: Int64(r.text(i, "id") ?? "0") ?? 0, recordType: r.text(i, "record_type") ?? "",
                    source: r.text(i, "source") ?? "",
                    mapping: r.text(i, "mapping") ?? "", startedAt: r.text(i, "started_at") ?? "",
                    finishedAt: r.text(i, "finished_at"),
                    status: r.text(i, "status") ?? "", counts: counts, error: r.text(i, "error"))
            }
        }
    }

    public func ledger(importID: Int64) throws -> [LedgerEntry] {
        try withConnection { c in
            let type = try c.exec("SELECT record_type FROM imports WHERE id = $1", [String(importID)])
            let table = type.count > 0 ? RecordType.allCases.first { $0.plural == type.text(0, 0) }?.plural : nil
            // The record each row made, changed or merged into, by its id (a record since deleted has none).
            let join = table.map { "LEFT JOIN \($0) r ON r.rowid = i.record_rowid AND r.deleted_at IS NULL" } ?? ""
            let r = try c.exec(
                CRMStore.ledgerRows(importParameter: "$1")
                    + "SELECT i.row, i.line, i.outcome, i.record_rowid, i.reason, \(table == nil ? "NULL" : "r.id") "
                    + "FROM i \(join) ORDER BY i.row", [String(importID)])
            return (0..<r.count).map { i in
                LedgerEntry(
                    row: Int(r.int64(i, 0) ?? 0), line: Int(r.int64(i, 1) ?? 0), outcome: r.text(i, 2) ?? "",
                    recordRowID: r.int64(i, 3),
                    reason: r.text(i, 4), recordID: r.text(i, 5))
            }
        }
    }

    /// Saves an edit unless the record's change counter moved since `expected`. The counter row is taken first, as
    /// every writer does (no lock-order deadlock); the record's row is then locked and checked.
    public func saveEdit<R: CRMRecord>(_ record: R, ifUnchangedSince expected: Int64) throws -> Bool {
        try transaction { c in
            let seq = try nextSeqs(c, 1)
            let r = try c.exec(
                "SELECT change_seq FROM \(RecordTable<R>.name) WHERE id = $1 FOR UPDATE", [record.id.description])
            guard r.count == 1, r.int64(0, 0) == expected else { return false }
            try upsert(c, record, seq: seq, revive: false)
            return true
        }
    }
}
