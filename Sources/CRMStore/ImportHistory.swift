import CRMModel
import Foundation
import GRDB

/// The counts of an import, which always add up: read = created + updated + unchanged + merged + rejected.
public struct ImportCounts: Sendable, Equatable, Codable {
    public var read = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var merged = 0
    public var rejected = 0
    public init() {}
    /// True when every row read is accounted for.
    public var addsUp: Bool { read == created + updated + unchanged + merged + rejected }
}

/// One past import.
public struct ImportBatch: Sendable, Equatable {
    public let id: Int64
    public let recordType: String
    public let source: String
    public let mapping: String
    public let startedAt: String
    public let finishedAt: String?
    /// `committed`, `dry-run`, `failed` or `running` (a run that died).
    public let status: String
    public let counts: ImportCounts
    public let error: String?

    init(
        id: Int64, recordType: String, source: String, mapping: String, startedAt: String, finishedAt: String?,
        status: String,
        counts: ImportCounts, error: String?
    ) {
        self.id = id
        self.recordType = recordType
        self.source = source
        self.mapping = mapping
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.counts = counts
        self.error = error
    }

    init(row: Row) {
        id = row["id"]
        recordType = row["record_type"]
        source = row["source"]
        mapping = row["mapping"]
        startedAt = row["started_at"]
        finishedAt = row["finished_at"]
        status = row["status"]
        var c = ImportCounts()
        c.read = row["read"]
        c.created = row["created"]
        c.updated = row["updated"]
        c.unchanged = row["unchanged"]
        c.merged = row["merged"]
        c.rejected = row["rejected"]
        counts = c
        error = row["error"]
    }
}

/// What happened to one row of an import.
public struct LedgerEntry: Sendable, Equatable {
    /// 1-based data row.
    public let row: Int
    /// Physical line in the file.
    public let line: Int
    /// `created`, `updated`, `unchanged`, `merged` or `rejected`.
    public let outcome: String
    public let recordRowID: Int64?
    public let reason: String?
    /// The id of the record the row created, updated or left unchanged, or the survivor it was merged into.
    public let recordID: String?

    init(row: Int, line: Int, outcome: String, recordRowID: Int64?, reason: String?, recordID: String? = nil) {
        self.row = row
        self.line = line
        self.outcome = outcome
        self.recordRowID = recordRowID
        self.reason = reason
        self.recordID = recordID
    }
}

/// Reading the import history: the imports and each one's row ledger.
extension CRMStore {
    /// Past imports, newest first.
    public func imports() throws -> [ImportBatch] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM imports ORDER BY id DESC").map(ImportBatch.init(row:))
            }
        }
    }

    /// The ledger of one import, in row order.
    public func ledger(importID: Int64) throws -> [LedgerEntry] {
        try wrap {
            try queue.read { db in
                let type = try String.fetchOne(
                    db, sql: "SELECT record_type FROM imports WHERE id = ?", arguments: [importID])
                let table = RecordType.allCases.first { $0.plural == type }?.plural
                // The record each row made, changed or merged into, by its id (a record since deleted has none).
                let join = table.map { "LEFT JOIN \($0) r ON r.rowid = i.record_rowid AND r.deleted_at IS NULL" } ?? ""
                return try Row.fetchAll(
                    db,
                    sql: Self.ledgerRows(importParameter: "?") + """
                        SELECT i.row, i.line, i.outcome, i.record_rowid, i.reason, \(table == nil ? "NULL" : "r.id") AS
                            record_id
                        FROM i \(join) ORDER BY i.row
                        """,
                    arguments: [importID]
                ).map {
                    LedgerEntry(
                        row: $0["row"], line: $0["line"], outcome: $0["outcome"], recordRowID: $0["record_rowid"],
                        reason: $0["reason"],
                        recordID: $0["record_id"])
                }
            }
        }
    }

    /// A query's start that names `i` the ledger of one import with one row per file row (row, line, outcome,
    /// record_rowid, reason): a ledger line that stands for a run of created rows (`span`, `ImportWriter.ledger`)
    /// is unfolded. SQL both engines run; `importParameter` is the import id's placeholder (`?` or `$1`).
    static func ledgerRows(importParameter p: String) -> String {
        """
        WITH RECURSIVE i(row, line, outcome, record_rowid, reason, rest) AS (
            SELECT row, line, outcome, record_rowid, reason, span - 1 FROM import_rows WHERE import_id = \(p)
            UNION ALL
            SELECT row + 1, line + 1, outcome, record_rowid + 1, reason, rest - 1 FROM i WHERE rest > 0)

        """
    }
}
