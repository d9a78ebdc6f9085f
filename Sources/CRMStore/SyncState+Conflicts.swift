public import CRMModel
import Foundation
import GRDB

/// The conflicts the sync queues for `crmgate conflicts` (moved from SyncState.swift unchanged).
extension CRMStore {
    // MARK: - Conflicts

    private static func conflict(_ r: Row) throws -> SyncConflict {
        SyncConflict(
            id: r["id"], job: r["job"], remote: r["remote"],
            recordType: try storedEnum(RecordType.self, r["record_type"], "record_type"), localID: r["local_id"],
            remoteID: r["remote_id"],
            fields: (r["fields"] as String).split(separator: ",").map(String.init), base: r["base"], local: r["local"],
            remoteSide: r["remote_side"],
            status: try storedEnum(ConflictStatus.self, r["status"], "status"), createdAt: r["created_at"],
            resolution: r["resolution"])
    }

    /// Opens a conflict for a record (replacing an open one for the same record).
    @discardableResult
    public func openConflict(
        job: String, remote: String, type: RecordType, localID: String, remoteID: String, fields: [String],
        base: String, local: String, remoteSide: String
    ) throws -> Int64 {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql:
                        "DELETE FROM sync_conflicts WHERE remote = ? AND record_type = ? AND local_id = ? AND status = 'open'",
                    arguments: [remote, type.rawValue, localID])
                try db.execute(
                    sql:
                        "INSERT INTO sync_conflicts (job, remote, record_type, local_id, remote_id, fields, base, local, remote_side, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                    arguments: [
                        job, remote, type.rawValue, localID, remoteID, fields.joined(separator: ","), base, local,
                        remoteSide, Date().iso8601UTC,
                    ])
                return db.lastInsertedRowID
            }
        }
    }

    /// Brings an open conflict up to date (the record changed on a side while it waited); its id stays.
    public func refreshConflict(id: Int64, fields: [String], base: String, local: String, remoteSide: String) throws {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql:
                        "UPDATE sync_conflicts SET fields = ?, base = ?, local = ?, remote_side = ? WHERE id = ? AND status = 'open'",
                    arguments: [fields.joined(separator: ","), base, local, remoteSide, id])
            }
        }
    }

    public func openConflict(remote: String, type: RecordType, localID: String) throws -> SyncConflict? {
        try wrap {
            try queue.read { db in
                try Row.fetchOne(
                    db,
                    sql:
                        "SELECT * FROM sync_conflicts WHERE remote = ? AND record_type = ? AND local_id = ? AND status = 'open'",
                    arguments: [remote, type.rawValue, localID]
                ).map(Self.conflict)
            }
        }
    }

    public func conflicts(status: ConflictStatus? = .open) throws -> [SyncConflict] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM sync_conflicts" + (status == nil ? "" : " WHERE status = ?") + " ORDER BY id",
                    arguments: status.map { [$0.rawValue] } ?? []
                ).map(Self.conflict)
            }
        }
    }

    public func conflict(id: Int64) throws -> SyncConflict? {
        try wrap {
            try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM sync_conflicts WHERE id = ?", arguments: [id]).map(
                    Self.conflict)
            }
        }
    }

    public func closeConflict(id: Int64, resolution: String) throws {
        try wrap {
            try queue.write { db in
                try db.execute(
                    sql: "UPDATE sync_conflicts SET status = 'resolved', resolved_at = ?, resolution = ? WHERE id = ?",
                    arguments: [Date().iso8601UTC, resolution, id])
            }
        }
    }
}
