public import CRMModel

/// The store as the sync core, undo and conflict resolution see it: records with their change counters, links,
/// journals, cursors, conflicts, leases, runs and set-aside records. Implemented on SQLite (`CRMStore`, the
/// embedded default) and on PostgreSQL (`PostgresStore`), and tested with one body over both.
///
/// Every write that a sync step makes is one call (`applySync`), so that an engine killed between two calls
/// leaves a state that the next run can resume from.
public protocol SyncStore: AnyObject, Sendable {
    /// Where the store is, for messages (never with a password).
    var location: String { get }

    // Records
    /// Records (deleted ones included) whose change counter is above `afterSeq`, in counter order, at most `limit`.
    func changed<R: CRMRecord>(_ type: R.Type, afterSeq: Int64, limit: Int) throws -> [ChangedRecord<R>]
    /// The record with this exact id, deleted or not, with its change counter.
    func recordForSync<R: CRMRecord>(_ type: R.Type, id: String) throws -> ChangedRecord<R>?
    /// Every live record of a type, in insertion order.
    func forEach<R: CRMRecord>(_ type: R.Type, _ body: (R, _ externalID: String?) throws -> Void) throws
    /// Saves records (insert or replace), each with a new change counter, in one transaction.
    func save<R: CRMRecord>(_ records: [R]) throws
    /// Marks records deleted (tombstones), giving each a new change counter.
    func tombstone<R: CRMRecord>(_ type: R.Type, ids: [String]) throws
    /// The number of live records of a type.
    func count(_ type: RecordType) throws -> Int
    /// One atomic step of a sync (see `CRMStore.applySync`).
    func applySync<R: CRMRecord>(
        _ type: R.Type, records: [R], links: [SyncLink], removeLinks: [String], tombstones: [String],
        cursor: (job: String, state: String)?, clearJournal: [String], undo: (run: Int64, entries: [UndoEntry])?,
        remote: String?, setAside: [SetAsideRecord], clearSetAside: [String], clearUpdateJournal: [String]
    ) throws

    // Links
    func link(remote: String, type: RecordType, localID: String) throws -> SyncLink?
    func link(remote: String, type: RecordType, remoteID: String) throws -> SyncLink?
    /// Links for many remote ids at once, keyed by remote id.
    func links(remote: String, type: RecordType, remoteIDs: [String]) throws -> [String: SyncLink]
    /// Links for many local ids at once, keyed by local id.
    func links(remote: String, type: RecordType, localIDs: [String]) throws -> [String: SyncLink]
    /// Every link of a remote and type, by local id.
    func links(remote: String, type: RecordType) throws -> [SyncLink]
    /// The local and remote ids of every link of a remote and type, without their bases (what a complete listing is
    /// checked against, read at the cost of two ids a link).
    func linkIDs(remote: String, type: RecordType) throws -> [(localID: String, remoteID: String)]
    /// The ids of records deleted here whose link to the remote stands: deletes a push kept from the remote (no
    /// `--allow-delete`), which a push allowed to delete sends.
    func deletedButLinked<R: CRMRecord>(_ type: R.Type, remote: String) throws -> [String]

    // Journals
    func journal(
        remote: String, type: RecordType, localIDs: [String]
    ) throws -> [String: (key: String, lookup: String?)]
    func journalCreates(
        remote: String, type: RecordType, entries: [(localID: String, key: String, lookup: String?, sent: String)])
        throws
    func journalUpdates(remote: String, type: RecordType, entries: [(localID: String, sent: String)]) throws
    func journaledUpdates(remote: String, type: RecordType, localIDs: [String]) throws -> [String: String]
    func journaledSnapshot(remote: String, type: RecordType, localID: String) throws -> String?
    /// Every create of a remote and type sent and not yet answered (a run stopped in between): local id and what was
    /// sent.
    func journaledCreates(remote: String, type: RecordType) throws -> [(localID: String, sent: String)]

    // Cursors and conflicts
    func cursorState(job: String, type: RecordType) throws -> String?
    func openConflictIDs(remote: String, type: RecordType, localIDs: [String]) throws -> Set<String>
    @discardableResult
    func openConflict(
        job: String, remote: String, type: RecordType, localID: String, remoteID: String, fields: [String],
        base: String,
        local: String, remoteSide: String
    ) throws -> Int64
    func refreshConflict(id: Int64, fields: [String], base: String, local: String, remoteSide: String) throws
    func openConflict(remote: String, type: RecordType, localID: String) throws -> SyncConflict?
    func conflicts(status: ConflictStatus?) throws -> [SyncConflict]
    func conflict(id: Int64) throws -> SyncConflict?
    func closeConflict(id: Int64, resolution: String) throws

    // Leases, runs, undo, set-aside records
    /// Takes the job's lease for `seconds` unless a live holder has it. - Returns: nil when taken, else the holder.
    func acquireLease(
        job: String, owner: String, pid: Int32, seconds: Double, isAlive: (Int32) -> Bool
    ) throws -> String?
    func releaseLease(job: String, owner: String) throws
    func startRun(job: String, profile: String?, baseURL: String?) throws -> Int64
    func finishRun(id: Int64, status: RunStatus, counts: String, message: String?) throws
    func runs() throws -> [SyncRun]
    func undoEntries(run: Int64) throws -> [UndoEntry]
    func setAsideRecords(remote: String?) throws -> [SetAsideRecord]
    func retrySetAside<R: CRMRecord>(_ type: R.Type, localIDs: [String]) throws -> Int

    // Remotes
    /// Every remote the store keeps links for (`profile@base URL`), with its number of links.
    func remotes() throws -> [(name: String, links: Int)]
    /// Gives a remote's sync state (links, create and update journals, conflicts, set-aside records) to another
    /// remote name, in one transaction: the same CRM at a new address. - Returns: the rows renamed.
    func renameRemote(from: String, to: String) throws -> Int
}

/// The tables that key sync state by remote name (`renameRemote` renames in all of them).
let remoteKeyedTables = ["sync_links", "sync_journal", "sync_update_journal", "sync_conflicts", "sync_set_aside"]

/// The base URL of a remote name (`profile@base URL`), which past runs record (`sync_runs.base_url`; undo reads it).
func baseURL(ofRemote name: String) -> String? {
    name.firstIndex(of: "@").map { String(name[name.index(after: $0)...]) }
}

extension SyncStore {
    /// `applySync` with the parts a step does not use left out.
    public func applySync<R: CRMRecord>(
        _ type: R.Type, records: [R], links: [SyncLink], removeLinks: [String] = [], tombstones: [String] = [],
        cursor: (job: String, state: String)? = nil, clearJournal: [String] = [],
        undo: (run: Int64, entries: [UndoEntry])? = nil,
        remote: String? = nil, setAside: [SetAsideRecord] = [], clearSetAside: [String] = [],
        clearUpdateJournal: [String] = []
    ) throws {
        try applySync(
            type, records: records, links: links, removeLinks: removeLinks, tombstones: tombstones, cursor: cursor,
            clearJournal: clearJournal,
            undo: undo, remote: remote, setAside: setAside, clearSetAside: clearSetAside,
            clearUpdateJournal: clearUpdateJournal)
    }

    /// Open conflicts.
    public func conflicts() throws -> [SyncConflict] { try conflicts(status: .open) }

    public func startRun(job: String) throws -> Int64 { try startRun(job: job, profile: nil, baseURL: nil) }

    public func setAsideRecords() throws -> [SetAsideRecord] { try setAsideRecords(remote: nil) }

    /// Every live record of a type (tests and small tables only).
    public func all<R: CRMRecord>(_ type: R.Type) throws -> [R] {
        var out: [R] = []
        try forEach(R.self) { r, _ in out.append(r) }
        return out
    }
}

extension CRMStore: SyncStore {
    public var location: String { path }
}
