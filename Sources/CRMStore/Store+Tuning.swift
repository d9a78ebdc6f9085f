import CSQLiteTuning

/// Process-wide SQLite settings, applied before the first store opens.
extension CRMStore {
    /// SQLite's memory statistics turned off, once per process and before SQLite is first initialised (after, the
    /// call changes nothing): with them, every allocation took a mutex and updated two counters, 4% of an import
    /// writer's instructions on 200k leads (callgrind). crmgate reads no SQLite memory statistic. `sqlite3_config` must
    /// not race another thread's first SQLite call; in crmgate the first store opens before any other SQLite use (in
    /// the test process, where suites open databases in parallel, the worst case is statistics left on).
    private static let tuned: Void = {
        let rc = crmgate_sqlite_memstatus(0)
        assert(rc == SQLITE_OK || rc == SQLITE_MISUSE, "sqlite3_config(SQLITE_CONFIG_MEMSTATUS): \(rc)")
    }()

    /// Applies `tuned` (a no-op after the first call).
    static func tuneSQLite() { _ = tuned }
}
