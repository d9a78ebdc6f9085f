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
    }

    /// The rejected rows of an import grouped by reason, most frequent first, with up to `samples` line numbers each;
    /// read with SQL (an import of millions of rows is not loaded).
    public func rejectGroups(importID: Int64, samples: Int = 5) throws -> [RejectGroup] {
        try wrap {
            try queue.read { db in
                var groups = try Row.fetchAll(
                    db,
                    sql: "SELECT reason, COUNT(*) AS n FROM import_rows WHERE import_id = ? AND outcome = 'rejected' GROUP BY reason ORDER BY n DESC, reason",
                    arguments: [importID]
                ).map { RejectGroup(reason: $0["reason"] ?? "", count: $0["n"], lines: []) }
                for i in groups.indices {
                    groups[i].lines = try Int.fetchAll(
                        db,
                        sql: "SELECT line FROM import_rows WHERE import_id = ? AND outcome = 'rejected' AND reason IS ? ORDER BY row LIMIT ?",
                        arguments: [importID, groups[i].reason.isEmpty ? nil : groups[i].reason, samples])
                }
                return groups
            }
        }
    }

    /// Remembers where an import wrote its reject file.
    public func setRejectsFile(importID: Int64, path: String) throws {
        try wrap { try queue.write { db in try db.execute(sql: "UPDATE imports SET rejects_file = ? WHERE id = ?", arguments: [path, importID]) } }
    }

    /// Where an import wrote its reject file (nil: no rows were rejected, or the import predates v7).
    public func rejectsFile(importID: Int64) throws -> String? {
        try wrap { try queue.read { db in try String.fetchOne(db, sql: "SELECT rejects_file FROM imports WHERE id = ?", arguments: [importID]) } }
    }
}
