public import CRMModel

/// The store as exports read it: records or chosen columns streamed in insertion order under a filter, pipeline
/// totals, the values a field holds. On SQLite (`CRMStore`) and PostgreSQL (`PostgresStore`).
public protocol ExportSource: AnyObject {
    /// Every live record matching `query`, in insertion order, one at a time.
    func forEach<R: CRMRecord>(
        _ type: R.Type, where query: RecordQuery, _ body: (R, _ externalID: String?) throws -> Void) throws
    /// The chosen columns (fields, `id`, `updated_at`, `custom.KEY`) of every live record matching `query`, read in
    /// place.
    func forEachRow<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, _ body: (StoredRow) throws -> Void) throws
    /// What `forEachRow` reads, on two connections to one snapshot in blocks of rowids, the second reader on a thread
    /// of its own; false, having read nothing, when the store cannot (PostgreSQL, or writes kept landing).
    func forEachRowInBlocks<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, blockRows: Int, readers: (BlockReader, BlockReader)
    ) throws -> Bool
    /// Opportunities summed by stage and currency over `query`.
    func pipelineTotals(
        where query: RecordQuery
    ) throws -> [(stage: String, currency: String, count: Int, total: Double, weighted: Double)]
    /// The distinct non-empty values of a text field, sorted.
    func distinctValues<R: CRMRecord>(_ type: R.Type, field: String) throws -> [String]
}

extension CRMStore: ExportSource {}

extension PostgresStore {
    /// Not in blocks: PostgreSQL's export reads on one connection (`forEachRow`).
    public func forEachRowInBlocks<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, blockRows: Int, readers: (BlockReader, BlockReader)
    ) throws -> Bool { false }
}

extension StoreLocation {
    /// Opens the store for an export (read-only: nothing is created or migrated).
    public func openExportSource() throws -> any ExportSource {
        switch self {
        case .sqlite(let path): return try CRMStore(path: path, mode: .readOnly)
        case .postgres(let url): return try PostgresStore(url: url, mode: .readOnly)
        }
    }
}
