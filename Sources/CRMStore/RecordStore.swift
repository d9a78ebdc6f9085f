public import CRMModel

/// The store as the record commands use it (lists, boards, the calendar, task changes, conversions, import history):
/// the sync and export seams plus id resolution, conversions and the import ledger. On SQLite and PostgreSQL.
public protocol RecordStore: SyncStore, ExportSource {
    /// The live record with this id: the full id, a unique prefix, or a unique suffix such as the short id lists print.
    /// - Throws: `StoreError.invalidID`, `.notFound`, `.ambiguous` (listing the candidates).
    func record<R: CRMRecord>(_ type: R.Type, id: String) throws -> R
    /// Saves a person's edit of one record unless it changed since it was read (its change counter is no longer
    /// `expected`: a sync or another command wrote it meanwhile). - Returns: false, saving nothing, when it changed.
    func saveEdit<R: CRMRecord>(_ record: R, ifUnchangedSince expected: Int64) throws -> Bool
    /// A lead's conversion in one transaction: new customers, the leads that point to them, new opportunities.
    func saveConversion(customers: [Customer], leads: [Lead], opportunities: [Opportunity]) throws
    /// Every import, newest first.
    func imports() throws -> [ImportBatch]
    /// One import's row ledger, in row order.
    func ledger(importID: Int64) throws -> [LedgerEntry]
}

extension CRMStore: RecordStore {}

extension StoreLocation {
    /// Opens the store for the record commands.
    public func openRecordStore(mode: CRMStore.OpenMode) throws -> any RecordStore {
        switch self {
        case .sqlite(let path): return try CRMStore(path: path, mode: mode)
        case .postgres(let url): return try PostgresStore(url: url, mode: mode)
        }
    }
}
