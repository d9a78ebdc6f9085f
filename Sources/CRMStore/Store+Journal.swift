import GRDB

/// The store's journal around a first import: an empty store leaves WAL mode for a rollback journal while the import
/// runs (see `CRMStore.runImport`), and a read-only open rolls back the journal a killed one left.
extension CRMStore {
    /// A first import killed half-way leaves a hot rollback journal (see `runImport`). SQLite refuses a read-only
    /// connection until the journal is rolled back, and rolls it back on the first read of a connection that may write:
    /// the rollback restores the store as it was before that import. Only a journal SQLite calls hot is touched (one of
    /// an import still running, or a stale one, is left alone); when the rollback cannot be done, the open says so.
    static func rollBackHotJournal(_ path: String) {
        var probe = Configuration()
        probe.readonly = true
        do {
            _ = try DatabaseQueue(path: path, configuration: probe).read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_master")
            }
        } catch let e as DatabaseError where e.extendedResultCode == .SQLITE_READONLY_ROLLBACK {
            var repair = Configuration()
            repair.busyMode = .timeout(1)
            if let fix = try? DatabaseQueue(path: path, configuration: repair) {
                _ = try? fix.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_master") }
            }
        } catch {}
    }

    /// Switches an empty store from WAL mode to a rollback journal (see `runImport`); true when it did.
    func leaveWALIfEmpty() throws -> Bool {
        try queue.writeWithoutTransaction { db in
            let empty =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT NOT (EXISTS (SELECT 1 FROM leads) OR EXISTS (SELECT 1 FROM customers)
                            OR EXISTS (SELECT 1 FROM opportunities) OR EXISTS (SELECT 1 FROM tasks)
                            OR EXISTS (SELECT 1 FROM sync_links))
                        """) ?? false
            guard empty else { return false }
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            guard mode?.lowercased() == "delete" else { return false }
            // NORMAL is safe against a power cut in WAL mode only; with a rollback journal it takes FULL.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return true
        }
    }
}
