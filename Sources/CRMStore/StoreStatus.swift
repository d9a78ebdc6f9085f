public import CRMModel
import Foundation

/// What a store holds and what waits for a person, at a glance (`crmgate status`).
public struct StoreStatus: Sendable {
    /// Live records per type.
    public var counts: [(type: RecordType, count: Int)]
    public var lastImport: ImportBatch?
    public var lastRun: SyncRun?
    public var openConflicts: Int
    public var setAside: Int
    public var openReviewPairs: Int
    /// The store file's size in bytes (with its write-ahead log).
    public var bytes: Int64

    /// Reads it from a store (read only), on either engine (a PostgreSQL store's size is the database's).
    public static func read(_ store: any RecordStore) throws -> StoreStatus {
        let counts = try RecordType.allCases.map { (type: $0, count: try store.count($0)) }
        var pairs = 0
        var bytes: Int64 = 0
        if let lite = store as? CRMStore {
            let size = { (p: String) -> Int64 in
                ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.int64Value ?? 0
            }
            pairs = try lite.reviewPairs().count
            bytes = size(lite.path) + size(lite.path + "-wal")
        } else if let pg = store as? PostgresStore {
            pairs = try pg.reviewPairs().count
            bytes = try pg.databaseSize()
        }
        return StoreStatus(
            counts: counts, lastImport: try store.imports().first, lastRun: try store.runs().first,
            openConflicts: try store.conflicts().count,
            setAside: try store.setAsideRecords().count, openReviewPairs: pairs, bytes: bytes)
    }
}
