public import CRMModel
import Foundation
import GRDB

/// A local record the remote refused with an answer that repeating cannot change (a 4xx such as 400 or 422): it is
/// kept aside with the remote's message, the run goes on with the others, and it is tried again when it changes
/// locally or on `crmgate sync errors retry`.
public struct SetAsideRecord: Sendable, Equatable {
    public var remote: String
    public var recordType: RecordType
    public var localID: String
    /// The local change counter that was refused.
    public var changeSeq: Int64
    /// What was tried: `create`, `update` or `delete`.
    public var operation: String
    /// The remote's HTTP status.
    public var status: Int?
    /// The remote's answer (secrets redacted), as the error reported it.
    public var message: String
    public var firstAt: String
    public var lastAt: String
    /// How many times the remote refused it.
    public var attempts: Int

    public init(
        remote: String, recordType: RecordType, localID: String, changeSeq: Int64, operation: String, status: Int?,
        message: String,
        at: String? = nil
    ) {
        let at = at ?? Date().iso8601UTC
        self.remote = remote
        self.recordType = recordType
        self.localID = localID
        self.changeSeq = changeSeq
        self.operation = operation
        self.status = status
        self.message = message
        self.firstAt = at
        self.lastAt = at
        self.attempts = 1
    }
}

extension CRMStore {
    static func setAside(_ db: Database, _ a: SetAsideRecord) throws {
        try db.execute(
            sql: """
                INSERT INTO sync_set_aside (remote, record_type, local_id, change_seq, operation, status, message,
                    first_at, last_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(remote, record_type, local_id) DO UPDATE SET change_seq =
                    excluded.change_seq,
                operation = excluded.operation, status = excluded.status, message = excluded.message, last_at =
                    excluded.last_at,
                attempts = sync_set_aside.attempts + 1
                """,
            arguments: [
                a.remote, a.recordType.rawValue, a.localID, a.changeSeq, a.operation, a.status, a.message, a.firstAt,
                a.lastAt,
            ])
    }

    private static func setAsideRecord(_ r: Row) throws -> SetAsideRecord {
        var a = SetAsideRecord(
            remote: r["remote"], recordType: try storedEnum(RecordType.self, r["record_type"], "record_type"),
            localID: r["local_id"], changeSeq: r["change_seq"],
            operation: r["operation"], status: r["status"], message: r["message"], at: r["first_at"])
        a.lastAt = r["last_at"]
        a.attempts = r["attempts"]
        return a
    }

    /// The records set aside, oldest first; one remote's or all.
    public func setAsideRecords(remote: String? = nil) throws -> [SetAsideRecord] {
        try wrap {
            try queue.read { db in
                if let remote {
                    return try Row.fetchAll(
                        db, sql: "SELECT * FROM sync_set_aside WHERE remote = ? ORDER BY first_at, local_id",
                        arguments: [remote]
                    )
                    .map(Self.setAsideRecord)
                }
                return try Row.fetchAll(db, sql: "SELECT * FROM sync_set_aside ORDER BY first_at, local_id").map(
                    Self.setAsideRecord)
            }
        }
    }

    /// Marks set-aside records changed (a new change counter each), so that the next push tries them again.
    /// - Returns: how many records were marked.
    public func retrySetAside<R: CRMRecord>(_ type: R.Type, localIDs: [String]) throws -> Int {
        var n = 0
        try wrap {
            try queue.inTransaction(.immediate) { db in
                var seq =
                    Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_seq'") ?? "0") ?? 0
                for id in localIDs {
                    seq += 1
                    try db.execute(
                        sql: "UPDATE \(RecordTable<R>.name) SET change_seq = ? WHERE id = ?", arguments: [seq, id])
                    n += db.changesCount
                }
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'change_seq'", arguments: [String(seq)])
                return .commit
            }
        }
        return n
    }
}
