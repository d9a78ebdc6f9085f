import CRMModel
import Foundation
import GRDB

/// One reason rows of an import were rejected for: how many, and the first lines.
public struct RejectGroup: Sendable, Equatable {
    public var reason: String
    public var count: Int
    /// Line numbers of the first rows rejected for it.
    public var lines: [Int]
}

extension CRMStore {
    static func registerReportMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7: imports remember their reject file") { db in
            try db.execute(sql: "ALTER TABLE imports ADD COLUMN rejects_file TEXT")
        }
        m.registerMigration("v8: review pairs keep the matcher's explanation") { db in
            try db.execute(sql: "ALTER TABLE review_pairs ADD COLUMN explanation TEXT")
        }
        m.registerMigration("v9: a ledger line stands for a run of created rows") { db in
            try db.execute(sql: "ALTER TABLE import_rows ADD COLUMN span INTEGER NOT NULL DEFAULT 1")
        }
        m.registerMigration("v10: a merged record names its survivor") { db in
            for table in RecordTable<Lead>.allNames {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN merged_into INTEGER")
            }
        }
    }

    /// The rejected rows of an import grouped by reason, most frequent first, with up to `samples` line numbers each;
    /// read with SQL (an import of millions of rows is not loaded). A reason that quotes the value
    /// (`email (column 'Email'): 'a@b' is not a valid email address`) is grouped without it
    /// (`email (column 'Email'): is not a valid email address`), and one that starts with the column where a row's
    /// fault starts (`column 45: quoted field opened here is never closed`) without it.
    public func rejectGroups(importID: Int64, samples: Int = 5) throws -> [RejectGroup] {
        let reason =
            "(CASE WHEN reason GLOB 'column [0-9]*: *' THEN substr(reason, instr(reason, ': ') + 2) ELSE reason END)"
        let key =
            "CASE WHEN instr(\(reason), ': ''') > 0 THEN substr(\(reason), 1, instr(\(reason), ': ''') - 1) "
            + "ELSE \(reason) END"
        return try wrap {
            try queue.read { db in
                var groups = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT \(key) AS k, COUNT(*) AS n FROM import_rows WHERE import_id = ? AND outcome = 'rejected' GROUP BY k ORDER BY n DESC, k",
                    arguments: [importID]
                ).map { RejectGroup(reason: $0["k"] ?? "", count: $0["n"], lines: []) }
                for i in groups.indices {
                    let rows = try Row.fetchAll(
                        db,
                        sql:
                            "SELECT line, reason FROM import_rows WHERE import_id = ? AND outcome = 'rejected' AND \(key) IS ? ORDER BY row LIMIT ?",
                        arguments: [importID, groups[i].reason.isEmpty ? nil : groups[i].reason, samples])
                    groups[i].lines = rows.map { $0["line"] }
                    // The words after the quoted value, from the first row: what is wrong with it.
                    if let first = rows.first?["reason"] as String?, first.count > groups[i].reason.count,
                        let tail = first.range(of: "' ", options: .backwards)
                    {
                        groups[i].reason += ": " + first[tail.upperBound...]
                    }
                }
                return groups
            }
        }
    }

    /// Remembers where an import wrote its reject file.
    public func setRejectsFile(importID: Int64, path: String) throws {
        try wrap {
            try queue.write { db in
                try db.execute(sql: "UPDATE imports SET rejects_file = ? WHERE id = ?", arguments: [path, importID])
            }
        }
    }

    /// Where an import wrote its reject file (nil: no rows were rejected, or the import predates v7).
    public func rejectsFile(importID: Int64) throws -> String? {
        try wrap {
            try queue.read { db in
                try String.fetchOne(db, sql: "SELECT rejects_file FROM imports WHERE id = ?", arguments: [importID])
            }
        }
    }
}
