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
