public import CRMModel
import Foundation
import GRDB
import GRDBSQLite

/// One reader of `forEachRowInBlocks`: given each row of its blocks in order, and told when each block ends.
public struct BlockReader {
    /// Called with each row of the reader's blocks, in rowid order.
    public var row: (StoredRow) throws -> Void
    /// Called after the last row of block `index` (also for a block with no rows).
    public var endBlock: (_ index: Int) throws -> Void
    /// Called (on either thread) when either reader stopped on an error, so that a reader waiting for the other
    /// can stop waiting.
    public var stopped: (any Error) -> Void

    /// A reader of these callbacks.
    public init(
        row: @escaping (StoredRow) throws -> Void, endBlock: @escaping (_ index: Int) throws -> Void,
        stopped: @escaping (any Error) -> Void
    ) {
        self.row = row
        self.endBlock = endBlock
        self.stopped = stopped
    }
}

extension CRMStore {
    /// Reads what `forEachRow` reads on two connections that see one snapshot, in blocks of `blockRows` rowids: the
    /// first reader gets blocks 0, 2, 4, … on the calling thread, the second 1, 3, 5, … on a thread of its own. A
    /// caller can so lay out an export on two cores and write the blocks in order.
    ///
    /// The two snapshots are made one: the second connection begins a read and notes `PRAGMA data_version`, the
    /// first begins its read, and the second begins again; an unchanged data version means no write landed in
    /// between, so the first connection's snapshot is the second's. When writes keep landing (five tries), or the
    /// store cannot be opened twice, nothing is read and the answer is false: the caller reads with `forEachRow`.
    /// - Throws: `StoreError` (an unknown column, SQLite's errors), or a reader's error, after both threads stopped.
    public func forEachRowInBlocks<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, blockRows: Int, readers: (BlockReader, BlockReader)
    ) throws -> Bool {
        try readInBlocks(R.self, columns: columns, where: query, blockRows: blockRows, readers: readers).agreed
    }

    /// `forEachRowInBlocks`, telling also how many tries found a write between the second connection's two reads;
    /// `pause` (µs) waits between them (tests: writes then land there).
    func readInBlocks<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, blockRows: Int,
        readers: (BlockReader, BlockReader), pause: UInt32 = 0
    ) throws -> (agreed: Bool, disagreements: Int) {
        let (sql, args) = try rowSQL(R.self, columns: columns, where: query, extra: "rowid >= ? AND rowid < ?")
        guard FileManager.default.fileExists(atPath: path), let second = try? CRMStore(path: path, mode: .readOnly)
        else { return (false, 0) }
        let scan = BlockScan(
            table: RecordTable<R>.name, sql: sql, args: args, blockRows: max(1, blockRows), path: path,
            readers: readers)
        scan.pause = pause
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedBox(second)
        Thread.detachNewThread {
            defer { done.signal() }
            do {
                try box.value.wrap { try box.value.queue.inDatabase { db in try scan.second(db) } }
            } catch {
                scan.fail(error)
            }
        }
        do {
            try wrap { try queue.inDatabase { db in try scan.first(db) } }
        } catch {
            scan.fail(error)
        }
        done.wait()
        if let failure = scan.failure { throw failure }
        return (scan.agreed, scan.disagreements)
    }
}

/// A value handed to another thread, which alone uses it from then on.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The two connections of `forEachRowInBlocks`: their handshake, the blocks' range, a failure, under one lock.
final class BlockScan: @unchecked Sendable {
    // @unchecked: the mutable fields are read and written under `condition`; each reader is used by one thread.
    let table: String, sql: String, args: [String], blockRows: Int, path: String
    let readers: (BlockReader, BlockReader)
    static let tries = 5
    private let condition = NSCondition()
    private var secondBegan = 0, firstBegan = 0
    private var decisions: [Bool] = []
    private var range: (lo: Int64, blocks: Int)?
    private var _agreed = false
    private var _failure: (any Error)?
    /// Microseconds between the second connection's two reads (tests).
    var pause: UInt32 = 0

    init(table: String, sql: String, args: [String], blockRows: Int, path: String, readers: (BlockReader, BlockReader))
    {
        (self.table, self.sql, self.args, self.blockRows, self.path, self.readers) =
            (table, sql, args, blockRows, path, readers)
    }

    var failure: (any Error)? { locked { _failure } }
    var agreed: Bool { locked { _agreed } }
    var disagreements: Int { locked { decisions.filter { !$0 }.count } }

    /// The first connection: begins its read between the second's two, then reads the even blocks.
    func first(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = \(CRMStore.scanCacheKiB)")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(CRMStore.cacheKiB)") }
        for attempt in 1...Self.tries {
            guard wait({ self.secondBegan >= attempt }) else { return }
            try db.execute(sql: "BEGIN DEFERRED")
            try touch(db)
            locked { firstBegan = attempt }
            guard wait({ self.decisions.count >= attempt }) else { return try db.execute(sql: "ROLLBACK") }
            if locked({ decisions[attempt - 1] }) { break }
            try db.execute(sql: "ROLLBACK")
        }
        guard agreed else { return }
        defer { try? db.execute(sql: "ROLLBACK") }
        // Two look-ups at the ends of the table (min and max together in one SELECT scan an index).
        let row = try Row.fetchOne(
            db, sql: "SELECT (SELECT min(rowid) FROM \(table)), (SELECT max(rowid) FROM \(table))")
        let lo: Int64 = row?[0] ?? 1
        let hi: Int64 = row?[1] ?? 0
        let blocks = hi < lo ? 0 : Int((hi - lo) / Int64(blockRows)) + 1
        locked { range = (lo, blocks) }
        try read(db, lo: lo, blocks: blocks, first: 0, reader: readers.0)
    }

    /// The second connection: a read begun before and after the first's; the same data version, the same snapshot.
    func second(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = \(CRMStore.scanCacheKiB)")
        for attempt in 1...Self.tries {
            try db.execute(sql: "BEGIN DEFERRED")
            try touch(db)
            let before = try Int.fetchOne(db, sql: "PRAGMA data_version")
            locked { secondBegan = attempt }
            guard wait({ self.firstBegan >= attempt }) else { return try db.execute(sql: "ROLLBACK") }
            if pause > 0 { usleep(pause) }
            try db.execute(sql: "COMMIT")
            try db.execute(sql: "BEGIN DEFERRED")
            try touch(db)
            let same = try Int.fetchOne(db, sql: "PRAGMA data_version") == before
            locked {
                decisions.append(same)
                if same { _agreed = true }
            }
            if same { break }
            try db.execute(sql: "ROLLBACK")
        }
        guard agreed else { return }
        defer { try? db.execute(sql: "ROLLBACK") }
        guard wait({ self.range != nil }), let (lo, blocks) = locked({ range }) else { return }
        try read(db, lo: lo, blocks: blocks, first: 1, reader: readers.1)
    }

    /// A read that fixes the connection's snapshot.
    private func touch(_ db: Database) throws {
        _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM \(table) LIMIT 1)")
    }

    /// Steps through blocks `first`, `first + 2`, … of the query, stopping when the other side failed.
    private func read(_ db: Database, lo: Int64, blocks: Int, first: Int, reader: BlockReader) throws {
        let stmt = try db.makeStatement(sql: sql)
        let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
        let row = StoredRow(raw: raw)
        var k = first
        while k < blocks, failure == nil {
            raw.reset()
            for (i, a) in args.enumerated() { raw.bind(Int32(i + 1), a) }
            let from = lo + Int64(k) * Int64(blockRows)
            sqlite3_bind_int64(raw.handle, Int32(args.count + 1), from)
            sqlite3_bind_int64(raw.handle, Int32(args.count + 2), from + Int64(blockRows))
            while try raw.step(path: path) { try reader.row(row) }
            try reader.endBlock(k)
            k += 2
        }
    }

    /// Records the first failure and tells both readers.
    func fail(_ e: any Error) {
        let first = locked { () -> Bool in
            defer { if _failure == nil { _failure = e } }
            return _failure == nil
        }
        guard first else { return }
        readers.0.stopped(e)
        readers.1.stopped(e)
    }

    /// Waits until `ready` holds; false when a side failed first.
    private func wait(_ ready: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while _failure == nil && !ready() { condition.wait() }
        return _failure == nil
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}
