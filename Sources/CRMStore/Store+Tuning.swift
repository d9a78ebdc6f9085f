import CSQLiteTuning

/// Process-wide SQLite settings, applied before the first store opens.
extension CRMStore {
    /// SQLite's memory statistics turned off, once per process and before SQLite is first initialised (after, the
    /// call changes nothing): with them, every allocation took a mutex and updated two counters, 4% of an import
    /// writer's instructions on 200k leads (callgrind). crmgate reads no SQLite memory statistic.
    private static let tuned: Void = { _ = crmgate_sqlite_memstatus(0) }()

    /// Applies `tuned` (a no-op after the first call).
    static func tuneSQLite() { _ = tuned }
}
