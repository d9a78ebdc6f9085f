public import CRMModel
import Foundation

extension PostgresStore: ReviewStore {
    public func forEachWithRowID<R: CRMRecord>(_ type: R.Type, _ body: (Int64, R) throws -> Void) throws {
        var after: Int64 = 0
        while true {
            let r = try withConnection { c in
                try c.exec(
                    "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE deleted_at IS NULL AND rowid > $1 ORDER BY rowid LIMIT 5000",
                    [String(after)])
            }
            if r.count == 0 { return }
            for i in 0..<r.count {
                let (rec, _): (R, String?) = Self.decode(r, i)
                try body(r.int64(i, 0) ?? 0, rec)
            }
            after = r.int64(r.count - 1, 0) ?? after
        }
    }

    public func rowID<R: CRMRecord>(_ type: R.Type, id: String) throws -> Int64? {
        try withConnection { c in
            let r = try c.exec("SELECT rowid FROM \(RecordTable<R>.name) WHERE id = $1", [id])
            return r.count > 0 ? r.int64(0, 0) : nil
        }
    }

    public func importRecordIDs<R: CRMRecord>(_ type: R.Type, importID: Int64) throws -> Set<String> {
        try withConnection { c in
            let r = try c.exec(
                "SELECT r.id FROM import_rows i JOIN \(RecordTable<R>.name) r "
                    + "ON r.rowid BETWEEN i.record_rowid AND i.record_rowid + i.span - 1 "
                    + "WHERE i.import_id = $1 AND i.outcome IN ('created', 'updated')",
                [String(importID)])
            return Set((0..<r.count).compactMap { r.text($0, 0) })
        }
    }

    @discardableResult
    public func applyFuzzyMerges<R: CRMRecord>(_ merges: [FuzzyMerge<R>], importID: Int64?) throws -> FuzzyMergeCounts {
        guard !merges.isEmpty else { return FuzzyMergeCounts() }
        let table = RecordTable<R>.name
        var counts = FuzzyMergeCounts()
        try transaction { c in
            let merged = merges.reduce(0) { $0 + $1.merged.count }
            var seq = try nextSeqs(c, merges.count + merged)
            for m in merges {
                try upsert(c, m.survivor, seq: seq, revive: false)
                seq += 1
            }
            for m in merges {
                let survivorRow = try c.exec("SELECT rowid FROM \(table) WHERE id = $1", [m.survivor.id.description])
                    .int64(0, 0)
                for id in m.merged {
                    let r = try c.exec("SELECT rowid FROM \(table) WHERE id = $1", [id])
                    let row = r.count > 0 ? r.int64(0, 0) : nil
                    try c.exec(
                        "UPDATE \(table) SET deleted_at = $1, change_seq = $2, merged_into = $3 WHERE id = $4",
                        [Date().iso8601UTC, String(seq), survivorRow.map(String.init), id])
                    seq += 1
                    if let importID, let row {
                        for outcome in ["created", "updated"] {
                            // A record the import updated (it was in the store before) can be merged away too.
                            let n = try c.exec(
                                "UPDATE import_rows SET outcome = 'merged', record_rowid = $1, reason = $2 WHERE import_id = $3 AND record_rowid = $4 AND outcome = $5",
                                [survivorRow.map(String.init), m.reason, String(importID), String(row), outcome]
                            ).affected
                            if outcome == "created" { counts.created += n } else { counts.updated += n }
                        }
                    }
                }
            }
            if let importID, counts.created + counts.updated > 0 {
                try c.exec(
                    "UPDATE imports SET created = created - $1, updated = updated - $2, merged = merged + $3 WHERE id = $4",
                    [
                        String(counts.created), String(counts.updated), String(counts.created + counts.updated),
                        String(importID),
                    ])
            }
        }
        return counts
    }

    @discardableResult
    public func proposeReview(
        type: RecordType, pairs: [(String, String, Double)], importID: Int64?, explanations: [String?]
    ) throws -> Int {
        let now = Date().iso8601UTC
        return try transaction { c in
            var n = 0
            for (i, (a, b, w)) in pairs.enumerated() {
                let (x, y) = a < b ? (a, b) : (b, a)
                n += try c.exec(
                    """
                    INSERT INTO review_pairs (record_type, a_id, b_id, weight, status, import_id, created_at,
                        explanation)
                    VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) ON CONFLICT DO NOTHING
                    """,
                    [
                        type.rawValue, x, y, String(w), importID.map(String.init), now,
                        i < explanations.count ? explanations[i] : nil,
                    ]
                ).affected
            }
            return n
        }
    }

    private static func reviewPairs(_ r: PGResult) throws -> [ReviewPair] {
        try (0..<r.count).map { i in
            ReviewPair(
                id: Int64(r.text(i, "id") ?? "0") ?? 0,
                recordType: try storedEnum(RecordType.self, r.text(i, "record_type"), "record_type"),
                a: r.text(i, "a_id") ?? "", b: r.text(i, "b_id") ?? "", weight: Double(r.text(i, "weight") ?? "0") ?? 0,
                status: try storedEnum(ReviewStatus.self, r.text(i, "status"), "status"),
                importID: r.text(i, "import_id").flatMap { Int64($0) }, explanation: r.text(i, "explanation"))
        }
    }

    public func reviewPairs(status: ReviewStatus?) throws -> [ReviewPair] {
        try withConnection { c in
            if let status {
                return try Self.reviewPairs(
                    c.exec("SELECT * FROM review_pairs WHERE status = $1 ORDER BY weight DESC, id", [status.rawValue]))
            }
            return try Self.reviewPairs(c.exec("SELECT * FROM review_pairs ORDER BY weight DESC, id"))
        }
    }

    public func reviewPair(id: Int64) throws -> ReviewPair? {
        try withConnection { c in
            try Self.reviewPairs(c.exec("SELECT * FROM review_pairs WHERE id = $1", [String(id)])).first
        }
    }

    public func decideReview(id: Int64, status: ReviewStatus) throws {
        _ = try withConnection { c in
            try c.exec(
                "UPDATE review_pairs SET status = $1, decided_at = $2 WHERE id = $3",
                [status.rawValue, Date().iso8601UTC, String(id)])
        }
    }

    public func rejectedPairs(type: RecordType) throws -> Set<String> {
        try withConnection { c in
            let r = try c.exec(
                "SELECT a_id, b_id FROM review_pairs WHERE record_type = $1 AND status = 'rejected'", [type.rawValue])
            return Set((0..<r.count).map { (r.text($0, 0) ?? "") + "|" + (r.text($0, 1) ?? "") })
        }
    }

    public func rejectGroups(importID: Int64, samples: Int) throws -> [RejectGroup] {
        // As `CRMStore.rejectGroups`: a quoted value and a leading `column N: ` are left out of the group.
        let reason = "regexp_replace(reason, '^column [0-9]+: ', '')"
        let key =
            "CASE WHEN strpos(\(reason), ': ''') > 0 THEN substr(\(reason), 1, strpos(\(reason), ': ''') - 1) "
            + "ELSE \(reason) END"
        return try withConnection { c in
            let g = try c.exec(
                "SELECT \(key) AS k, COUNT(*) AS n FROM import_rows WHERE import_id = $1 AND outcome = 'rejected' GROUP BY 1 ORDER BY 2 DESC, 1",
                [String(importID)])
            var groups = (0..<g.count).map {
                RejectGroup(reason: g.text($0, 0) ?? "", count: Int(g.int64($0, 1) ?? 0), lines: [])
            }
            for i in groups.indices {
                let r = try c.exec(
                    "SELECT line, reason FROM import_rows WHERE import_id = $1 AND outcome = 'rejected' AND \(key) IS NOT DISTINCT FROM $2 ORDER BY row LIMIT $3",
                    [String(importID), groups[i].reason.isEmpty ? nil : groups[i].reason, String(samples)])
                groups[i].lines = (0..<r.count).map { Int(r.int64($0, 0) ?? 0) }
                if r.count > 0, let first = r.text(0, 1), first.count > groups[i].reason.count,
                    let tail = first.range(of: "' ", options: .backwards)
                {
                    groups[i].reason += ": " + first[tail.upperBound...]
                }
            }
            return groups
        }
    }

    public func setRejectsFile(importID: Int64, path: String) throws {
        _ = try withConnection { c in
            try c.exec("UPDATE imports SET rejects_file = $1 WHERE id = $2", [path, String(importID)])
        }
    }

    public func rejectsFile(importID: Int64) throws -> String? {
        try withConnection { c in
            let r = try c.exec("SELECT rejects_file FROM imports WHERE id = $1", [String(importID)])
            return r.count > 0 ? r.text(0, 0) : nil
        }
    }
}
