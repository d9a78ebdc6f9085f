public import CRMModel

/// The store as fuzzy matching after an import and the review queue use it: records with their insertion order, the
/// records an import touched, merges applied in one transaction, and the pairs a person decides. On SQLite and
/// PostgreSQL.
public protocol ReviewStore: RecordStore {
    /// Every live record with its row id (insertion order: smaller is older).
    func forEachWithRowID<R: CRMRecord>(_ type: R.Type, _ body: (Int64, R) throws -> Void) throws
    /// The row id of a record.
    func rowID<R: CRMRecord>(_ type: R.Type, id: String) throws -> Int64?
    /// The ids of the records an import created or updated.
    func importRecordIDs<R: CRMRecord>(_ type: R.Type, importID: Int64) throws -> Set<String>
    /// Survivors saved, merged records tombstoned, their ledger rows marked merged, the import's counts moved: one
    /// transaction. - Returns: how many of the merged records the import had created, and how many it had updated
    /// (their rows move from `created` or `updated` to `merged`).
    @discardableResult
    func applyFuzzyMerges<R: CRMRecord>(_ merges: [FuzzyMerge<R>], importID: Int64?) throws -> FuzzyMergeCounts
    /// Queues pairs (with the matcher's explanations); a pair already queued or decided is not proposed again.
    @discardableResult
    func proposeReview(
        type: RecordType, pairs: [(String, String, Double)], importID: Int64?, explanations: [String?]
    ) throws -> Int
    func reviewPairs(status: ReviewStatus?) throws -> [ReviewPair]
    func reviewPair(id: Int64) throws -> ReviewPair?
    func decideReview(id: Int64, status: ReviewStatus) throws
    /// Pairs a person rejected, as `a|b` with the smaller id first.
    func rejectedPairs(type: RecordType) throws -> Set<String>
    /// An import's rejected rows grouped by reason (the quoted value left out), with their first line numbers.
    func rejectGroups(importID: Int64, samples: Int) throws -> [RejectGroup]
    /// Remembers where an import wrote its reject file.
    func setRejectsFile(importID: Int64, path: String) throws
    /// Where an import wrote its reject file.
    func rejectsFile(importID: Int64) throws -> String?
}

extension ReviewStore {
    /// Open pairs, most likely first.
    public func reviewPairs() throws -> [ReviewPair] { try reviewPairs(status: .open) }

    public func rejectGroups(importID: Int64) throws -> [RejectGroup] {
        try rejectGroups(importID: importID, samples: 5)
    }
}

extension CRMStore: ReviewStore {}

extension StoreLocation {
    /// Opens the store for fuzzy matching and the review queue.
    public func openReviewStore(mode: CRMStore.OpenMode) throws -> any ReviewStore {
        switch self {
        case .sqlite(let path): return try CRMStore(path: path, mode: mode)
        case .postgres(let url): return try PostgresStore(url: url, mode: mode)
        }
    }
}

/// What fuzzy merges did to an import's rows: how many merged records it had created, and how many it had updated.
public struct FuzzyMergeCounts: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public init(created: Int = 0, updated: Int = 0) {
        self.created = created
        self.updated = updated
    }
}
