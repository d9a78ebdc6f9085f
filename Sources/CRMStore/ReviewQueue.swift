public import CRMModel
import Foundation
import GRDB
import GRDBSQLite

/// Where a review pair stands: waiting, merged by a person, or rejected (then never proposed again).
public enum ReviewStatus: String, Sendable, CaseIterable {
    case open, accepted, rejected
    /// One of its records was merged into another after it was queued (another pair accepted): its question now
    /// stands as a pair with the record that survived.
    case merged
}

/// A pair of records a matcher was unsure about, waiting for a person.
public struct ReviewPair: Sendable, Equatable {
    public var id: Int64
    public var recordType: RecordType
    public var a: String
    public var b: String
    public var weight: Double
    public var status: ReviewStatus
    public var importID: Int64?
    /// The matcher's reasons: each field's comparison level and weight, the total against the thresholds.
    public var explanation: String? = nil
}

/// One fuzzy merge: the survivor (already combined) and the records folded into it.
public struct FuzzyMerge<R: CRMRecord>: Sendable {
    public var survivor: R
    public var merged: [String]
    public var reason: String
    public init(survivor: R, merged: [String], reason: String) {
        self.survivor = survivor
        self.merged = merged
        self.reason = reason
    }
}

extension CRMStore {
    static func registerReviewMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v4: review queue") { db in
            try db.execute(
                sql: """
                    CREATE TABLE review_pairs (
                        id INTEGER PRIMARY KEY, record_type TEXT NOT NULL, a_id TEXT NOT NULL, b_id TEXT NOT NULL,
                            weight REAL NOT NULL,
                        status TEXT NOT NULL, import_id INTEGER, created_at TEXT NOT NULL, decided_at TEXT,
                        UNIQUE (record_type, a_id, b_id)
                    );
                    """)
        }
    }

    /// Every live record with its rowid (for matching the whole store).
    public func forEachWithRowID<R: CRMRecord>(_ type: R.Type, _ body: (Int64, R) throws -> Void) throws {
        try wrap {
            try queue.read { db in
                let stmt = try db.makeStatement(
                    sql:
                        "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE deleted_at IS NULL ORDER BY rowid"
                )
                let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
                let kinds = R.fields.map(\.kind)
                while try raw.step(path: path) {
                    let (rowid, r, _) = RecordTable<R>.decode(raw, kinds: kinds)
                    try body(rowid, r)
                }
            }
        }
    }

    /// The rowid of a record (its place in insertion order: smaller is older).
    public func rowID<R: CRMRecord>(_ type: R.Type, id: String) throws -> Int64? {
        try wrap {
            try queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT rowid FROM \(RecordTable<R>.name) WHERE id = ?", arguments: [id])
            }
        }
    }

    /// The ids of the records an import created or updated.
    public func importRecordIDs<R: CRMRecord>(_ type: R.Type, importID: Int64) throws -> Set<String> {
        try wrap {
            try queue.read { db in
                Set(
                    try String.fetchAll(
                        db,
                        sql:
                            "SELECT r.id FROM import_rows i JOIN \(RecordTable<R>.name) r "
                            + "ON r.rowid BETWEEN i.record_rowid AND i.record_rowid + i.span - 1 "
                            + "WHERE i.import_id = ? AND i.outcome IN ('created', 'updated')",
                        arguments: [importID]))
            }
        }
    }

    /// Applies fuzzy merges of an import in one transaction: survivors saved (new change counter), merged records
    /// tombstoned, their ledger rows marked `merged` (pointing at the survivor, with the reason), the import's counts
    /// moved.
    @discardableResult
    public func applyFuzzyMerges<R: CRMRecord>(_ merges: [FuzzyMerge<R>], importID: Int64?) throws -> FuzzyMergeCounts {
        guard !merges.isEmpty else { return FuzzyMergeCounts() }
        try save(merges.map(\.survivor))
        var counts = FuzzyMergeCounts()
        try wrap {
            try queue.inTransaction(.immediate) { db in
                var seq =
                    Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_seq'") ?? "0") ?? 0
                let table = RecordTable<R>.name
                for m in merges {
                    let survivorRow = try Int64.fetchOne(
                        db, sql: "SELECT rowid FROM \(table) WHERE id = ?", arguments: [m.survivor.id.description])
                    for id in m.merged {
                        seq += 1
                        let row = try Int64.fetchOne(
                            db, sql: "SELECT rowid FROM \(table) WHERE id = ?", arguments: [id])
                        try db.execute(
                            sql: "UPDATE \(table) SET deleted_at = ?, change_seq = ?, merged_into = ? WHERE id = ?",
                            arguments: [Date().iso8601UTC, seq, survivorRow, id])
                        if let importID, let row {
                            try Self.isolateCreatedRow(db, importID: importID, rowid: row)
                            try db.execute(
                                sql:
                                    "UPDATE import_rows SET outcome = 'merged', record_rowid = ?, reason = ? WHERE import_id = ? AND record_rowid = ? AND outcome = 'created'",
                                arguments: [survivorRow, m.reason, importID, row])
                            counts.created += db.changesCount
                            // A record the import updated (it was in the store before) can be merged away too.
                            try db.execute(
                                sql:
                                    "UPDATE import_rows SET outcome = 'merged', record_rowid = ?, reason = ? WHERE import_id = ? AND record_rowid = ? AND outcome = 'updated'",
                                arguments: [survivorRow, m.reason, importID, row])
                            counts.updated += db.changesCount
                        }
                    }
                }
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'change_seq'", arguments: [String(seq)])
                if let importID, counts.created + counts.updated > 0 {
                    try db.execute(
                        sql:
                            "UPDATE imports SET created = created - ?, updated = updated - ?, merged = merged + ? WHERE id = ?",
                        arguments: [counts.created, counts.updated, counts.created + counts.updated, importID])
                }
                return .commit
            }
        }
        return counts
    }

    /// Gives the created record `rowid` a ledger line of its own when it lies inside a line that stands for a run of
    /// created rows, so that the line can say `merged` for that row alone: the run is cut in up to three.
    static func isolateCreatedRow(_ db: Database, importID: Int64, rowid: Int64) throws {
        guard
            let run = try Row.fetchOne(
                db,
                sql:
                    "SELECT row, line, record_rowid, span FROM import_rows WHERE import_id = ? AND outcome = 'created' "
                    + "AND span > 1 AND record_rowid <= ? AND record_rowid + span > ?",
                arguments: [importID, rowid, rowid])
        else { return }
        let row: Int64 = run["row"]
        let line: Int64 = run["line"]
        let first: Int64 = run["record_rowid"]
        let span: Int64 = run["span"]
        let k = rowid - first
        let insert =
            "INSERT INTO import_rows (import_id, row, line, outcome, record_rowid, reason, span) "
            + "VALUES (?, ?, ?, 'created', ?, NULL, ?)"
        // Before it (none when it is the first), it, after it (none when it is the last).
        try db.execute(
            sql: "UPDATE import_rows SET span = ? WHERE import_id = ? AND row = ?",
            arguments: [k > 0 ? k : 1, importID, row])
        if k > 0 { try db.execute(sql: insert, arguments: [importID, row + k, line + k, rowid, 1]) }
        if span - k - 1 > 0 {
            try db.execute(sql: insert, arguments: [importID, row + k + 1, line + k + 1, rowid + 1, span - k - 1])
        }
    }

    /// Queues pairs for review; a pair already decided (or queued) is not proposed again.
    /// - Returns: how many were new.
    @discardableResult
    public func proposeReview(
        type: RecordType, pairs: [(String, String, Double)], importID: Int64?, explanations: [String?] = []
    ) throws -> Int {
        try wrap {
            try queue.write { db in
                let stmt = try db.makeStatement(
                    sql:
                        "INSERT OR IGNORE INTO review_pairs (record_type, a_id, b_id, weight, status, import_id, created_at, explanation) VALUES (?, ?, ?, ?, 'open', ?, ?, ?)"
                )
                var n = 0
                let now = Date().iso8601UTC
                for (i, (a, b, w)) in pairs.enumerated() {
                    let (x, y) = a < b ? (a, b) : (b, a)
                    try stmt.execute(arguments: [
                        type.rawValue, x, y, w, importID, now, i < explanations.count ? explanations[i] : nil,
                    ])
                    n += db.changesCount
                }
                return n
            }
        }
    }

    private static func reviewPair(_ r: Row) throws -> ReviewPair {
        ReviewPair(
            id: r["id"], recordType: try storedEnum(RecordType.self, r["record_type"], "record_type"), a: r["a_id"],
            b: r["b_id"], weight: r["weight"], status: try storedEnum(ReviewStatus.self, r["status"], "status"),
            importID: r["import_id"],
            explanation: r["explanation"])
    }

    public func reviewPairs(status: ReviewStatus? = .open) throws -> [ReviewPair] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM review_pairs" + (status == nil ? "" : " WHERE status = ?")
                        + " ORDER BY weight DESC, id", arguments: status.map { [$0.rawValue] } ?? []
                ).map(Self.reviewPair)
            }
        }
    }

    public func reviewPair(id: Int64) throws -> ReviewPair? {
        try wrap {
            try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM review_pairs WHERE id = ?", arguments: [id]).map(
                    Self.reviewPair)
            }
        }
    }

    public func decideReview(id: Int64, status: ReviewStatus) throws {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql: "UPDATE review_pairs SET status = ?, decided_at = ? WHERE id = ?",
                    arguments: [status.rawValue, Date().iso8601UTC, id])
            }
        }
    }

    /// Whether the pair was rejected by a person (the matcher must not merge it).
    public func rejectedPairs(type: RecordType) throws -> Set<String> {
        try wrap {
            try queue.read { db in
                Set(
                    try Row.fetchAll(
                        db, sql: "SELECT a_id, b_id FROM review_pairs WHERE record_type = ? AND status = 'rejected'",
                        arguments: [type.rawValue]
                    ).map { ($0["a_id"] as String) + "|" + ($0["b_id"] as String) })
            }
        }
    }
}
